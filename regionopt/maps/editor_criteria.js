// The criteria table of regionopt.evaluate.criteria.criteria_table, recomputed in the page for
// an edited plan: one row per region and criterion, from the evaluation editor_metrics.js
// makes (regionoptMetrics.criteria calls it), worded and rounded as the Python table.
var regionoptCriteria = (function () {
  "use strict";

  // regionopt.evaluate.criteria.criteria_table: one row per region and criterion.
  function band(minutes) {
    var limits = [45, 60, 75];
    for (var k = 0; k < limits.length; k++) {
      if (minutes <= limits[k]) { return "<= " + limits[k] + " min"; }
    }
    return "> 75 min";
  }
  function criteria(P, ev, cr) {
    var rows = [];
    ev.regions.forEach(function (region) {
      var codes = region.member_codes.split(";"), notes = [];
      codes.forEach(function (c) {
        if (c in cr.reasons) {
          notes.push(P.names[P.index[c]] + " (" + c + ") is an exception: " + cr.reasons[c]);
        }
      });
      codes.forEach(function (c) {  // long-distance members: evaluate/criteria.py
        var i = P.index[c], far = (cr.long || []).indexOf(c) >= 0;
        if (far && ev.minutes[i] > cr.functional_limit) { notes.push(P.names[i] + " (" + c +
          ") is a long-distance member: " + ev.minutes[i].toFixed(2) + cr.long_note); }
      });
      if (P.commuting && cr.divided.some(function (c) { return codes.indexOf(c) >= 0; })) {
        notes.push(cr.divided_note);
      }
      var note = notes.join("; "), pop = region.population;
      var checks = [["population", pop, cr.min_population, pop >= cr.min_population, ""],
                    ["municipal_minimum", pop, cr.municipal_minimum, pop >= cr.municipal_minimum,
                     ""]];
      if ("self_containment" in region) {
        var need = region.employed > cr.large_workers ? cr.self_containment_large :
          cr.self_containment;
        checks.push(["self_containment", region.self_containment, need,
                     region.self_containment >= need, ""]);
      }
      [["longest_trip", region.max_minutes, cr.longest_trip_minutes],
       ["mean_trip", region.mean_minutes, cr.mean_trip_minutes]].forEach(function (t) {
        checks.push([t[0], t[1], t[2], t[1] <= t[2], isFinite(t[1]) ? band(t[1]) : "unreachable"]);
      });
      if ("core_centrality_class" in region) {
        var klass = region.core_centrality_class;
        checks.push(["core_centrality_class", klass, cr.max_core_centrality_class,
                     klass <= cr.max_core_centrality_class, ""]);
      }
      checks = checks.concat(regionoptReach.criteriaRows(region, cr));  // editor_reach.js
      checks.forEach(function (c) {
        rows.push({region: region.region, criterion: c[0], value: c[1], threshold: c[2],
                   passed: c[3], band: c[4], note: note});
      });
    });
    return rows;
  }

  return {criteria: criteria};
})();
