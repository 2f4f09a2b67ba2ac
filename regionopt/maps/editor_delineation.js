// The audit of the [delineation] families (regionopt/model/families/share_join.py,
// share_admit.py, share_travel.py, centre_rule.py, restkommune.py, twin_centres.py,
// coombes_bond.py), recomputed
// in the page for an edited plan and worded exactly as the Python checks word them. The
// parameters (pairs a rule admits, each member's cores ranked by share, the centres, the
// steps of the Coombes–Bond curve) come from regionopt/maps/editor_delineation.py; CHECKS in
// editor_metrics.js calls these functions by the family's page_check name.
var regionoptDelineation = (function () {
  "use strict";

  function V(constraint, where, detail) {
    return {constraint: constraint, where: where, detail: detail};
  }
  function byName(a, b) { return a < b ? -1 : a > b ? 1 : 0; }
  function regions(plan) {
    var m = {};
    Object.keys(plan.cores).forEach(function (r) { m[r] = []; });
    plan.region.forEach(function (r, i) { m[r].push(i); });
    return Object.keys(plan.cores).sort(byName).map(function (r) {
      return {name: r, core: plan.cores[r], members: m[r]};
    });
  }
  function coreOf(plan, i) { return plan.cores[plan.region[i]]; }
  function isCore(plan) {
    var out = {};
    Object.keys(plan.cores).forEach(function (r) { out[plan.cores[r]] = true; });
    return out;
  }

  // share_join.py: a non-core joins its best open core above the threshold.
  function shareJoin(P, plan, ev, spec) {
    var out = [], cores = isCore(plan);
    if (spec.elastic) { return out; }
    for (var i = 0; i < P.n; i++) {
      if (cores[i]) { continue; }
      var best = spec.ranked[i].filter(function (t) { return cores[t[0]]; })[0];
      if (best && coreOf(plan, i) !== best[0]) {
        out.push(V(spec.key, P.codes[i], P.codes[i] + " sends " + best[1] + " % (" +
                   best[2] + ") to core " + P.codes[best[0]] + ", " +
                   (best[3] ? "admitted by a travel step" : "above " + spec.theta) +
                   ", its largest to an open core, but joins core " +
                   P.codes[coreOf(plan, i)]));
      }
    }
    return out;
  }

  // shares.py admission_violations: a member no pair rule (nor the region's share) admits.
  function admission(P, plan, ev, spec) {
    var out = [];
    if (spec.silent) { return out; }
    regions(plan).forEach(function (r) {
      r.members.forEach(function (i) {
        if (i === r.core || spec.admitted[i].indexOf(r.core) >= 0) { return; }
        if (spec.need !== null) {
          var sent = 0;
          spec.sends[i].forEach(function (t) {
            if (t[0] !== i && plan.region[t[0]] === r.name) { sent += t[1]; }
          });
          if (sent >= spec.need[i]) { return; }
        }
        out.push(V(spec.key, P.codes[i], P.codes[i] + " joins core " + P.codes[r.core] +
                   " of region " + r.name + ", and no rule of [delineation] admits it"));
      });
    });
    return out;
  }

  // centre_rule.py: cores are centres (or alone with restkommune); centres open.
  function centreRule(P, plan, ev, spec) {
    var out = [], cores = isCore(plan);
    regions(plan).forEach(function (r) {
      if (!spec.centres[r.core] && (r.members.length > 1 || !spec.rest)) {
        out.push(V(spec.key, r.name, "core " + P.codes[r.core] + " of region " + r.name +
                   " is no centre by the rules of [delineation]" +
                   (spec.rest ? " and has other members" : "")));
      }
    });
    if (spec.open) {
      for (var j = 0; j < P.n; j++) {
        if (spec.centres[j] && !cores[j]) {
          out.push(V("delineation.centres_open", P.codes[j], "centre " + P.codes[j] +
                     " is not a core (its core is " + P.codes[coreOf(plan, j)] + ")"));
        }
      }
    }
    return out;
  }

  // restkommune.py: a region of one only when no open core admits it.
  function restkommune(P, plan, ev, spec) {
    var out = [], list = regions(plan);
    var cores = list.map(function (r) { return r.core; }).sort(function (a, b) {
      return byName(P.codes[a], P.codes[b]);
    });
    list.forEach(function (r) {
      if (r.members.length > 1) { return; }
      var by = cores.filter(function (j) { return spec.admits[r.core].indexOf(j) >= 0; })[0];
      if (by !== undefined) {
        out.push(V(spec.key, r.name, P.codes[r.core] + " stands alone, but core " +
                   P.codes[by] + " admits it by a rule of [delineation]"));
      }
    });
    return out;
  }

  // twin_centres.py: the twin is in its head's region whenever the head is a core.
  function twinCentres(P, plan, ev, spec) {
    var out = [];
    spec.pairs.forEach(function (p) {
      var h = p[0], t = p[1];
      if (coreOf(plan, h) === h && coreOf(plan, t) !== h) {
        out.push(V(spec.key, P.codes[t], P.codes[t] + " is the twin centre of " + P.codes[h] +
                   ", a core, but joins core " + P.codes[coreOf(plan, t)]));
      }
    });
    return out;
  }

  // coombes_bond.py: the stepped validity curve per region.
  function coombesBond(P, plan, ev, spec) {
    var out = [];
    ev.regions.forEach(function (row) {
      var l = row.live_work, e = row.employed, j = row.jobs, alpha = null;
      spec.steps.forEach(function (s) { if (s[0] <= e) { alpha = s[1]; } });
      if (alpha !== null && l >= alpha * e - 1e-6 && l >= alpha * j - 1e-6) { return; }
      var want = alpha === null ? "below the minimum size " + spec.min_size
        : "below the self-containment " + alpha.toFixed(4) + " its size needs";
      out.push(V(spec.key, row.region, "region " + row.region + " keeps " + l + " of " + e +
                 " employed residents and " + j + " jobs, " + want));
    });
    return out;
  }

  return {share_join: shareJoin, share_admit: admission, share_travel: admission,
          centre_rule: centreRule, restkommune: restkommune, twin_centres: twinCentres,
          coombes_bond: coombesBond};
})();
