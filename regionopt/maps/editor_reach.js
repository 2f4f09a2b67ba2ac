// Inhabitants within reach (docs/metrics.md, "Inhabitants within reach";
// regionopt/evaluate/reach.py), recomputed in the page for an edited plan: per region and for
// the plan, the share of the inhabitants within 45, 60 and 75 minutes of their core. The same
// products p_i * r[i, core] in the same order, summed with numpy's pairwise sum, so the
// figures are Python's to the last bit.
var regionoptReach = (function () {
  "use strict";

  var BANDS = [45, 60, 75];
  var COLUMNS = BANDS.map(function (m) { return "inhabitants_within_" + m; });

  // The payload's reach: per municipality [core, r45, r60, r75, core, ...] (the cores it
  // reaches at 75 minutes; any other has 0), or null: whole municipalities by the matrix.
  function decode(rows) {
    if (!rows) { return null; }
    return rows.map(function (row) {
      var at = {};
      for (var k = 0; k < row.length; k += 4) { at[row[k]] = [row[k + 1], row[k + 2], row[k + 3]]; }
      return at;
    });
  }

  // r_t[i, j]: the share of i's inhabitants within band k of j's centre.
  function share(P, k, i, j) {
    if (P.reach) {
      var r = P.reach[i][j];
      return r ? r[k] : 0.0;
    }
    return P.minute(i, j) <= BANDS[k] ? 1.0 : 0.0;
  }

  // evaluate/reach.py within(): the members' inhabitants within each band of their target.
  function within(P, members, target, psum) {
    var total = 0;
    members.forEach(function (i) { total += P.population[i]; });
    return BANDS.map(function (_, k) {
      if (total === 0) { return NaN; }
      var v = new Float64Array(members.length);
      members.forEach(function (i, m) { v[m] = P.population[i] * share(P, k, i, target(i)); });
      return psum(v) / total;
    });
  }

  // Adds the columns to each region row and the plan-wide figures to the summary.
  function add(P, plan, regions, members, summary, psum) {
    regions.forEach(function (row) {
      var core = P.index[row.core];
      var s = within(P, members[row.region], function () { return core; }, psum);
      COLUMNS.forEach(function (c, k) { row[c] = s[k]; });
    });
    var all = [];
    for (var i = 0; i < P.n; i++) { all.push(i); }
    var s = within(P, all, function (i) { return plan.cores[plan.region[i]]; }, psum);
    COLUMNS.forEach(function (c, k) { summary[c] = s[k]; });
  }

  // evaluate/criteria.py: the information rows (no threshold, always passed).
  function criteriaRows(region, cr) {
    return (cr.information || []).map(function (c) {
      return [c, region[c], null, true, cr.reach_basis];
    });
  }

  return {BANDS: BANDS, COLUMNS: COLUMNS, decode: decode, share: share, within: within,
          add: add, criteriaRows: criteriaRows};
})();
