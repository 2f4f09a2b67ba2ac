// regionopt's plan metrics and scenario audit, recomputed in the page for an edited plan.
// Each function mirrors one definition of docs/metrics.md and its Python implementation
// (regionopt/evaluate/metrics.py, the audit checks of regionopt/model/families/); a browser test
// (tests/maps/test_editor.py) proves that both give the same digits. Floating-point sums use
// numpy's pairwise summation in numpy's order, so the figures agree bit for bit, not only nearly.
var regionoptMetrics = (function () {
  "use strict";

  // numpy's pairwise sum of float64 (loops_utils.h: blocks of 8 accumulators up to 128 values).
  function psum(a, lo, n) {
    var i, res;
    if (n < 8) {
      res = -0.0;
      for (i = lo; i < lo + n; i++) { res += a[i]; }
      return res;
    }
    if (n <= 128) {
      var r = [a[lo], a[lo + 1], a[lo + 2], a[lo + 3], a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]];
      var end = lo + n - (n % 8);
      for (i = lo + 8; i < end; i += 8) {
        for (var k = 0; k < 8; k++) { r[k] += a[i + k]; }
      }
      res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (i = end; i < lo + n; i++) { res += a[i]; }
      return res;
    }
    var n2 = Math.floor(n / 2);
    n2 -= n2 % 8;
    return psum(a, lo, n2) + psum(a, lo + n2, n - n2);
  }
  function sum(a) { return psum(a, 0, a.length); }
  function isum(a) { var s = 0; for (var i = 0; i < a.length; i++) { s += a[i]; } return s; }
  function byName(a, b) { return a < b ? -1 : (a > b ? 1 : 0); }

  // The travel matrix arrives as base64 of little-endian 24-bit hundredths of a minute
  // (0xFFFFFF: no route). Minutes are built rounded to 0.01, so k / 100 is the exact same double.
  function decodeMinutes(b64, n) {
    var bin = atob(b64), out = new Float64Array(n * n);
    for (var k = 0; k < n * n; k++) {
      var v = bin.charCodeAt(3 * k) | (bin.charCodeAt(3 * k + 1) << 8) |
              (bin.charCodeAt(3 * k + 2) << 16);
      out[k] = v === 0xFFFFFF ? Infinity : v / 100;
    }
    return out;
  }

  function Problem(d) {
    this.n = d.codes.length;
    this.codes = d.codes;
    this.names = d.names;
    this.counties = d.counties;
    this.population = d.population;
    this.minutes = decodeMinutes(d.minutes, this.n);
    this.index = {};
    this.nbrs = [];
    for (var i = 0; i < this.n; i++) { this.index[d.codes[i]] = i; this.nbrs.push([]); }
    var self = this;
    d.edges.forEach(function (e) { self.nbrs[e[0]].push(e[1]); self.nbrs[e[1]].push(e[0]); });
    this.commuting = d.commuting || null;
    this.centrality = d.centrality || null;
    this.reach = regionoptReach.decode(d.reach || null);  // editor_reach.js
  }
  Problem.prototype.minute = function (i, j) { return this.minutes[i * this.n + j]; };

  // A plan: region[i] is the region name of position i, cores maps region name -> position.
  function regionsOf(plan) { return Object.keys(plan.cores).sort(byName); }
  function membersOf(plan) {
    var m = {};
    Object.keys(plan.cores).forEach(function (r) { m[r] = []; });
    plan.region.forEach(function (r, i) { m[r].push(i); });
    return m;
  }

  // The parts of a region: connected pieces of its members in the adjacency graph,
  // the core's part first, then by their smallest position.
  function parts(P, members, core) {
    var inside = {}, seen = {}, out = [];
    members.forEach(function (i) { inside[i] = true; });
    var order = [core].concat(members.filter(function (i) { return i !== core; }));
    order.forEach(function (start) {
      if (seen[start]) { return; }
      var part = [start], stack = [start];
      seen[start] = true;
      while (stack.length) {
        P.nbrs[stack.pop()].forEach(function (j) {
          if (inside[j] && !seen[j]) { seen[j] = true; part.push(j); stack.push(j); }
        });
      }
      out.push(part.sort(function (a, b) { return a - b; }));
    });
    return out;
  }

  function weightedMean(values, weights) {
    if (values.some(function (v) { return v === Infinity; })) { return Infinity; }
    var w = isum(weights);
    if (w === 0) { return sum(values) / values.length; }
    return sum(values.map(function (v, k) { return v * weights[k]; })) / w;
  }

  function regionRow(P, plan, r, members, mins) {
    var core = plan.cores[r], pop = members.map(function (i) { return P.population[i]; });
    var m = members.map(function (i) { return mins[i]; }), total = isum(pop);
    var counties = {};
    members.forEach(function (i) { counties[P.counties[i]] = true; });
    var cs = Object.keys(counties).sort(byName), pieces = parts(P, members, core);
    return {
      region: r, core: P.codes[core], core_name: P.names[core], population: total,
      members: members.length, member_codes: members.map(function (i) { return P.codes[i]; })
        .join(";"),
      core_share: total ? P.population[core] / total : NaN,
      mean_minutes: weightedMean(m, pop), max_minutes: Math.max.apply(null, m),
      unreachable: m.filter(function (v) { return v === Infinity; }).length,
      connected: pieces.length === 1, counties: cs.join(";"), n_counties: cs.length,
      parts: pieces.map(function (p) { return p.map(function (i) { return P.codes[i]; }); })
    };
  }

  // evaluate(): the summary keys of regionopt.evaluate.metrics.evaluate, in its order.
  function evaluate(P, plan) {
    var n = P.n, mins = new Float64Array(n), prod = new Float64Array(n), unreachable = 0;
    for (var i = 0; i < n; i++) {
      mins[i] = P.minute(i, plan.cores[plan.region[i]]);
      prod[i] = P.population[i] * mins[i];
      if (mins[i] === Infinity) { unreachable += 1; }
    }
    var names = regionsOf(plan), members = membersOf(plan);
    var regions = names.map(function (r) { return regionRow(P, plan, r, members[r], mins); });
    var total = isum(P.population);
    var pops = new Float64Array(regions.map(function (row) { return row.population; }));
    var k = pops.length, mean = sum(pops) / k;
    var dev = pops.map(function (p) { return (p - mean) * (p - mean); });
    var pm = unreachable ? Infinity : sum(prod);
    var summary = {
      plan: plan.name, municipalities: n, population: total, regions: k,
      person_minutes: pm, mean_minutes_per_inhabitant: total ? pm / total : NaN,
      max_minutes: Math.max.apply(null, Array.prototype.slice.call(mins)),
      smallest_region_population: Math.min.apply(null, Array.prototype.slice.call(pops)),
      largest_region_population: Math.max.apply(null, Array.prototype.slice.call(pops)),
      population_cv: mean ? Math.sqrt(sum(dev) / k) / mean : NaN,
      regions_not_connected: regions.filter(function (row) { return !row.connected; }).length,
      unreachable_municipalities: unreachable
    };
    regionoptReach.add(P, plan, regions, members, summary, sum);  // editor_reach.js
    if (P.commuting) { Object.assign(summary, commuting(P, plan, regions, members)); }
    if (P.centrality) { centrality(P, plan, regions, summary); }
    return {summary: summary, regions: regions, minutes: mins};
  }

  // Commuting (docs/metrics.md, "Commuting and core strength"): E, J, L per region from the
  // flows F[o, d] (sparse rows [o, d, persons] within the area), all integers, so exact.
  function commuting(P, plan, regions, members) {
    var C = P.commuting, live = {}, border = 0, sumL = 0, sumE = 0, sumJ = 0;
    regions.forEach(function (row) { live[row.region] = 0; });
    C.flows.forEach(function (f) {
      var ro = plan.region[f[0]], rd = plan.region[f[1]];
      if (ro === rd) { live[ro] += f[2]; } else { border += f[2]; }
    });
    var contained = new Float64Array(regions.length);
    regions.forEach(function (row, k) {
      var ms = members[row.region];
      var e = isum(ms.map(function (i) { return C.employed[i]; }));
      var j = isum(ms.map(function (i) { return C.jobs[i]; }));
      var l = live[row.region];
      row.employed = e; row.jobs = j; row.live_work = l;
      // docs/metrics.md: a side whose total is 0 counts as 1 (model/containment.py)
      row.self_containment = Math.min(e > 0 ? l / e : 1.0, j > 0 ? l / j : 1.0);
      contained[k] = row.self_containment;
      sumL += l; sumE += e; sumJ += j;
    });
    return {
      self_containment_min: Math.min.apply(null, Array.prototype.slice.call(contained)),
      commuting_kept_share: sumE ? sumL / sumE : 0.0,
      border_commuters: border, employed: sumE, jobs: sumJ
    };
  }

  function centrality(P, plan, regions, summary) {
    var worst = -Infinity;
    regions.forEach(function (row) {
      var c = P.index[row.core];
      row.core_centrality = P.centrality.index[c];
      row.core_centrality_class = P.centrality.klass[c];
      worst = Math.max(worst, row.core_centrality_class);
    });
    summary.weakest_core_class = worst;
  }

  // metrics.json's rounding (regionopt.evaluate.report._clean): floats to 4 decimals,
  // inf and NaN as null; counts stay integers.
  function clean(v) {
    if (typeof v !== "number") { return v; }
    if (!isFinite(v)) { return null; }
    return Number(v.toFixed(4));
  }
  function cleaned(obj) {
    var out = {};
    Object.keys(obj).sort(byName).forEach(function (k) { out[k] = clean(obj[k]); });
    return out;
  }

  // Python's gap_percent (evaluate/scenario_audit.py).
  function gapPercent(value, optimum) {
    if (optimum === null || optimum === undefined) { return null; }
    if (optimum === 0) { return value === 0 ? 0.0 : Infinity; }
    return (value - optimum) / optimum * 100.0;
  }

  // ------------------------------------------------------------------ scenario audit
  // One function per constraint family with a check (regionopt/model/families/), fed by the
  // family's parameters that regionopt/maps/editor.py embeds; each returns Violations
  // {constraint, where, detail} worded exactly as `regionopt evaluate --scenario` words them.
  function V(constraint, where, detail) { return {constraint: constraint, where: where,
                                                   detail: detail}; }
  function exempt(P, spec, i) { return (spec.exceptions || []).indexOf(P.codes[i]) >= 0; }

  var CHECKS = {
    count: function (P, plan, ev, spec) {
      var n = ev.regions.length, out = [];
      [["regions.count", spec.count, n !== spec.count, "exactly"],
       ["regions.min_count", spec.min_count, spec.min_count !== null && n < spec.min_count,
        "at least"],
       ["regions.max_count", spec.max_count, spec.max_count !== null && n > spec.max_count,
        "at most"]].forEach(function (t) {
        if (t[1] !== null && t[2]) {
          out.push(V(t[0], "", "plan has " + n + " regions, scenario asks for " + t[3] + " " +
                     t[1]));
        }
      });
      return out;
    },
    population: function (P, plan, ev, spec) {
      var out = [];
      ev.regions.forEach(function (row) {
        var pop = row.population, core = P.index[row.core];
        if (spec.min && pop < spec.min && spec.hard_min && !exempt(P, spec, core)) {
          out.push(V("constraints.min_population", row.region, "region " + row.region +
                     " has " + pop + " inhabitants < " + spec.min));
        }
        if (spec.max !== null && pop > spec.max) {
          out.push(V("constraints.max_population", row.region, "region " + row.region +
                     " has " + pop + " inhabitants > " + spec.max));
        }
      });
      return out;
    },
    must_link: function (P, plan, ev, spec) {
      var out = [];
      spec.pairs.forEach(function (p) {
        var ra = plan.region[P.index[p[0]]], rb = plan.region[P.index[p[1]]];
        if (ra !== rb) {
          out.push(V("constraints.must_link", p[0] + "-" + p[1], p[0] + " (" + ra + ") and " +
                     p[1] + " (" + rb + ") are in different regions"));
        }
      });
      return out;
    },
    cannot_link: function (P, plan, ev, spec) {
      var out = [];
      spec.pairs.forEach(function (p) {
        var ra = plan.region[P.index[p[0]]], rb = plan.region[P.index[p[1]]];
        if (ra === rb) {
          out.push(V("constraints.cannot_link", p[0] + "-" + p[1], p[0] + " and " + p[1] +
                     " are both in region " + ra));
        }
      });
      return out;
    },
    fixed_cores: function (P, plan, ev, spec) {
      var out = [];
      spec.codes.forEach(function (code) {
        var i = P.index[code], core = plan.cores[plan.region[i]];
        if (core !== i) {
          out.push(V("constraints.fixed_cores", code, code + " is not a core (its core is " +
                     P.codes[core] + ")"));
        }
      });
      return out;
    },
    contiguity: function (P, plan, ev) {
      return ev.regions.filter(function (row) { return !row.connected; }).map(function (row) {
        return V("constraints.contiguity", row.region, "region " + row.region +
                 " is not connected in the adjacency graph");
      });
    },
    travel: function (P, plan, ev, spec) {
      var out = [];
      if (spec.elastic) { return out; }
      for (var i = 0; i < P.n; i++) {
        var m = exempt(P, spec, i) ? 0.0 : ev.minutes[i];
        var far = (spec.long || []).indexOf(P.codes[i]) >= 0;  // model/families/travel.py
        if (m > (far ? spec.long_limit : spec.limit)) {
          var how = m === Infinity ? "unreachable from" : m.toFixed(2) + " min from";
          out.push(V(far ? "constraints.long_distance_minutes" : "constraints.max_travel_minutes",
                     P.codes[i], P.codes[i] + " is " + how + " its core " + P.codes[plan.cores[
                     plan.region[i]]] + (far ? " (a long-distance member, limit " + spec.long_text
                     : " (limit " + spec.limit_text) + ")"));
        }
      }
      return out;
    },
    county: function (P, plan, ev) {
      return ev.regions.filter(function (row) { return row.n_counties > 1; }).map(function (row) {
        return V("constraints.respect_county_borders", row.region, "region " + row.region +
                 " spans counties " + row.counties.split(";").join(", "));
      });
    },
    core_largest: function (P, plan, ev, spec) {
      return strongest(P, plan, P.population, function (row, core, top) {
        return V("constraints.core_is_largest", row.region, "core " + P.codes[core] + " (" +
                 P.population[core] + ") of region " + row.region + " is smaller than member " +
                 P.codes[top] + " (" + P.population[top] + ")");
      });
    },
    core_strength: function (P, plan, ev, spec) {
      return strongest(P, plan, spec.values, function (row, core, top) {
        return V("constraints.core_is_strongest", row.region, "core " + P.codes[core] +
                 " of region " + row.region + " has " + spec.measure + " " + spec.values[core] +
                 ", member " + P.codes[top] + " " + spec.values[top]);
      });
    },
    core_population: function (P, plan, ev, spec) {
      var out = [];
      ev.regions.forEach(function (row) {
        var core = P.index[row.core], pop = P.population[core];
        if (pop < spec.floor && !exempt(P, spec, core)) {
          out.push(V("constraints.min_core_population", row.region, "core " + row.core +
                     " of region " + row.region + " has " + pop + " inhabitants < " +
                     spec.floor));
        }
      });
      return out;
    },
    core_minimum: function (P, plan, ev, spec) {
      var out = [];
      spec.rules.forEach(function (rule) {
        ev.regions.forEach(function (row) {
          var core = P.index[row.core];
          if (rule.weak[core] && !exempt(P, spec, core)) {
            out.push(V(rule.key, row.region, "core " + row.core + " of region " + row.region +
                       " lacks " + rule.wanted));
          }
        });
      });
      return out;
    },
    exceptions: function (P, plan, ev, spec) {
      var out = [];
      ev.regions.forEach(function (row) {
        var others = row.member_codes.split(";").filter(function (c) {
          return spec.exceptions.indexOf(c) < 0;
        });
        if (spec.exceptions.indexOf(row.core) >= 0 && others.length) {
          out.push(V("constraints.exceptions", row.region, "core " + row.core + " of region " +
                     row.region + " is an exception but member " + others[0] + " is not"));
        }
      });
      return out;
    },
    self_containment: function (P, plan, ev, spec) {
      var out = [];
      ev.regions.forEach(function (row) {
        if (exempt(P, spec, P.index[row.core])) { return; }
        var l = row.live_work, e = row.employed, j = row.jobs;
        if (l < spec.alpha * e || l < spec.alpha * j) {
          out.push(V("constraints.min_self_containment", row.region, "region " + row.region +
                     " keeps " + l + " of " + e + " employed residents and " + j +
                     " jobs, below " + spec.alpha_text));
        }
      });
      return out;
    },
    // model/families/median.py: at least half of the regions keep the floor
    median: function (P, plan, ev, spec) {
      var keeping = 0, n = ev.regions.length;
      ev.regions.forEach(function (row) {
        if (row.self_containment >= spec.floor) { keeping += 1; }
      });
      if (2 * keeping >= n) { return []; }
      return [V("constraints.min_median_self_containment", "", keeping + " of " + n +
                " regions keep at least " + spec.floor_text + ", fewer than half")];
    },
    // model/families/criterion.py: the count first, then each large region that misses it
    criterion: function (P, plan, ev, spec) {
      var out = [], meets = 0;
      ev.regions.forEach(function (row) {
        var ok = row.self_containment >= (row.employed > spec.large ? spec.sc_large : spec.sc);
        if (ok) { meets += 1; }
        if (spec.limit !== null && row.employed > spec.limit && !ok) {
          out.push(V("constraints.criterion_above_workers", row.region, "region " + row.region +
                     " has " + row.employed + " employed residents (over " + spec.limit +
                     ") and misses the self-containment criterion"));
        }
      });
      if (meets < spec.want) {
        out.unshift(V("constraints.min_criterion_regions", "", meets + " regions meet the " +
                      "self-containment criterion, the scenario asks for at least " + spec.want));
      }
      return out;
    },
    kept_share: function (P, plan, ev, spec) {
      var kept = 0, employed = isum(P.commuting.employed);
      ev.regions.forEach(function (row) { kept += row.live_work; });
      if (kept >= spec.eps * employed) { return []; }
      return [V("constraints.min_kept_share", "", "the plan keeps " + kept + " of " + employed +
                " employed residents in their region (" + (kept / employed).toFixed(4) +
                "), below " + spec.eps_text)];
    },
    person_minutes: function (P, plan, ev, spec) {
      var used = ev.summary.person_minutes;
      if (used <= spec.budget * (1 + 1e-9)) { return []; }
      return [V("constraints.max_person_minutes", "", "the plan needs " + used.toFixed(0) +
                " person-minutes, above the budget of " + spec.budget.toFixed(0))];
    },
    share_join: function () { return regionoptDelineation.share_join.apply(null, arguments); },
    share_admit: function () { return regionoptDelineation.share_admit.apply(null, arguments); },
    share_travel: function () { return regionoptDelineation.share_travel.apply(null, arguments); },
    centre_rule: function () { return regionoptDelineation.centre_rule.apply(null, arguments); },
    restkommune: function () { return regionoptDelineation.restkommune.apply(null, arguments); },
    twin_centres: function () { return regionoptDelineation.twin_centres.apply(null, arguments); },
    coombes_bond: function () { return regionoptDelineation.coombes_bond.apply(null, arguments); }
  };

  // No member strictly stronger than the core (ties allowed); the strongest offender is named,
  // ties to the lower kommunenummer.
  function strongest(P, plan, values, say) {
    var out = [], members = membersOf(plan);
    regionsOf(plan).forEach(function (r) {
      var core = plan.cores[r], top = -1;
      members[r].forEach(function (i) {
        if (values[i] > values[core] && (top < 0 || values[i] > values[top])) { top = i; }
      });
      if (top >= 0) { out.push(say({region: r}, core, top)); }
    });
    return out;
  }

  // audit(): regionopt.evaluate.scenario_audit.audit of the edited plan; a check the page
  // cannot run (a family newer than this script) is listed in `unchecked`.
  function audit(P, plan, ev, checks, optimum) {
    var violations = [], unchecked = [];
    checks.forEach(function (spec) {
      var fn = CHECKS[spec.check];
      if (fn) { violations = violations.concat(fn(P, plan, ev, spec)); }
      else { unchecked.push(spec.check); }
    });
    var travel = ev.summary.person_minutes;
    return {ok: violations.length === 0, violations: violations, travel_term: travel,
            optimum: optimum, gap_percent: gapPercent(travel, optimum), unchecked: unchecked};
  }

  // the criteria table: editor_criteria.js (regionopt.evaluate.criteria)
  function criteria(P, ev, cr) { return regionoptCriteria.criteria(P, ev, cr); }

  return {psum: sum, audit: audit, criteria: criteria, checks: Object.keys(CHECKS), Problem: Problem, evaluate: evaluate, parts: parts, regionsOf: regionsOf,
          membersOf: membersOf, clean: clean, cleaned: cleaned, gapPercent: gapPercent,
          byName: byName};
})();
