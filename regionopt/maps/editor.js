// The plan editor of regionopt's map pages: move municipalities, change cores, undo, redo,
// reset, export; every figure recomputed by regionoptMetrics (editor_metrics.js). The page API
// is window.regionopt.assign(code, region), .setCore(region, code), .newRegion(code, name),
// .undo(), .redo(), .reset(), .metrics(), .regions(), .audit(), .split(), .moved(),
// .exportCsv(), .exportGeoJson(), .edit("proposal" | "reference"), .select(code)
// (docs/maps.md). The panel's controls and tables are in editor_panel.js. Every name from data
// is set as text (textContent, option.text), never markup.
(function (R, M) {
  "use strict";
  var MOVED = "#e8590c", CUT = "#c92a2a", SELECTED = "#1864ab";

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, k) {
      return values[k] === undefined ? m : String(values[k]);
    });
  }

  // Python's f"{x:.{d}f}": the exact binary value rounded half to even (toFixed rounds ties up).
  function fixed(x, d) {
    var s = Math.abs(x).toFixed(100), dot = s.indexOf(".");
    var keep = s.slice(0, dot) + s.slice(dot + 1, dot + 1 + d), rest = s.slice(dot + 1 + d);
    var up = rest[0] > "5" || (rest[0] === "5" && /[1-9]/.test(rest.slice(1))) ||
             (rest[0] === "5" && Number(keep[keep.length - 1]) % 2 === 1);
    var digits = keep.split("").map(Number);
    for (var k = digits.length - 1; up && k >= 0; k--) {
      digits[k] += 1;
      up = digits[k] === 10;
      if (up) { digits[k] = 0; }
    }
    var t = (up ? "1" : "") + digits.join(""), n = t.length - d;
    var out = t.slice(0, n) + (d ? "." + t.slice(n) : "");
    return (x < 0 && /[1-9]/.test(out) ? "-" : "") + out;
  }
  // regionopt.maps.i18n.format_number: thousands grouped, decimal comma in bokmål.
  function fmt(v, digits, lang) {
    if (v === null || v === undefined || v !== v) { return "–"; }
    if (v === Infinity || v === -Infinity) { return v > 0 ? "∞" : "−∞"; }
    var s = fixed(v, digits), neg = s[0] === "-", body = neg ? s.slice(1) : s;
    var parts = body.split("."), grouped = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    var text = (neg ? "-" : "") + grouped + (parts.length > 1 ? "." + parts[1] : "");
    if (lang === "nb") {
      text = text.replace(/,/g, "\u00a0").replace(/\./g, ",");
    }
    return text;
  }

  function copyPlan(p) {
    return {name: p.name, region: p.region.slice(), cores: Object.assign({}, p.cores)};
  }

  function Editor(groups, data) {
    var self = this;
    this.data = data;
    this.lab = data.labels;
    this.lang = data.lang;
    this.P = new M.Problem(data);
    this.panes = groups.map(function (g, k) {
      var p = data.plans[k];
      return {map: g[0], munis: g[1], plan: copyPlan(p), original: copyPlan(p), undo: [],
              redo: [], colours: Object.assign({}, p.colours), outlined: {},
              live: L.layerGroup().addTo(g[0]), figures: p.figures};
    });
    this.panes.forEach(function (pane, k) {
      data.plans[k].outlined.forEach(function (c) { pane.outlined[c] = true; });
      pane.munis.options.style = function (f) { return self.style(k, f.id); };
      pane.munis.on("click", function (e) {
        if (self.editing) { self.select(e.layer.feature.id); }
      });
    });
    this.target = 0;
    this.selected = null;
    this.editing = false;
    this.buildPanel();
    this.render();
  }

  Editor.prototype.pane = function () { return this.panes[this.target]; };
  Editor.prototype.index = function (code) {
    var i = this.P.index[String(code)];
    if (i === undefined) { throw new Error(fill(this.lab.ed_error_unknown, {code: code})); }
    return i;
  };

  // ------------------------------------------------------------------ edits
  Editor.prototype.change = function (fn) {
    var pane = this.pane(), before = copyPlan(pane.plan);
    fn(pane.plan);
    if (pane.plan.region.join("\u0000") === before.region.join("\u0000") &&
        JSON.stringify(pane.plan.cores) === JSON.stringify(before.cores)) { return; }
    pane.undo.push(before);
    pane.redo = [];
    this.render();
  };
  // The most populous member (ties to the lower kommunenummer), as a plan CSV without cores.
  Editor.prototype.largest = function (plan, region) {
    var best = -1, P = this.P;
    plan.region.forEach(function (r, i) {
      if (r === region && (best < 0 || P.population[i] > P.population[best])) { best = i; }
    });
    return best;
  };
  Editor.prototype.assign = function (code, region) {
    var i = this.index(code), self = this;
    region = String(region).trim();
    if (!region) { throw new Error("region: empty name"); }
    this.change(function (plan) {
      var old = plan.region[i];
      if (old === region) { return; }
      if (!(region in plan.cores)) { plan.cores[region] = i; self.colour(region, i); }
      plan.region[i] = region;
      if (plan.cores[old] === i) {
        var next = self.largest(plan, old);
        if (next < 0) { delete plan.cores[old]; } else { plan.cores[old] = next; }
      }
    });
    return this.metrics();
  };
  Editor.prototype.newRegion = function (code, name) {
    var i = this.index(code), plan = this.pane().plan;
    var base = String(name || this.P.names[i]).trim(), label = base;
    if (label in plan.cores) { label = base + " (" + this.P.codes[i] + ")"; }
    return this.assign(code, label);
  };
  Editor.prototype.setCore = function (region, code) {
    var i = this.index(code);
    if (this.pane().plan.region[i] !== region) {
      throw new Error(this.P.codes[i] + " is not a member of region " + region);
    }
    this.change(function (plan) { plan.cores[region] = i; });
    return this.metrics();
  };
  Editor.prototype.undo = function () {
    var pane = this.pane();
    if (pane.undo.length) { pane.redo.push(copyPlan(pane.plan)); pane.plan = pane.undo.pop(); }
    this.render();
    return this.metrics();
  };
  Editor.prototype.redo = function () {
    var pane = this.pane();
    if (pane.redo.length) { pane.undo.push(copyPlan(pane.plan)); pane.plan = pane.redo.pop(); }
    this.render();
    return this.metrics();
  };
  Editor.prototype.reset = function () {
    var pane = this.pane();
    if (this.edited(pane)) { pane.undo.push(copyPlan(pane.plan)); pane.redo = []; }
    pane.plan = copyPlan(pane.original);
    this.render();
    return this.metrics();
  };
  // A new region takes a colour no neighbouring region has, the least used one.
  Editor.prototype.colour = function (region, i) {
    var pane = this.pane(), P = this.P, used = {}, near = {};
    var palette = this.data.palette;
    Object.keys(pane.colours).forEach(function (r) {
      if (r in pane.plan.cores) { used[pane.colours[r]] = (used[pane.colours[r]] || 0) + 1; }
    });
    P.nbrs[i].forEach(function (j) { near[pane.colours[pane.plan.region[j]]] = true; });
    var pick = palette.filter(function (c) { return !near[c]; });
    if (!pick.length) { pick = palette.slice(); }
    pick.sort(function (a, b) {
      return (used[a] || 0) - (used[b] || 0) || palette.indexOf(a) - palette.indexOf(b);
    });
    pane.colours[region] = pick[0];
  };

  // ------------------------------------------------------------------ figures
  Editor.prototype.edited = function (pane) {
    pane = pane || this.pane();
    return pane.plan.region.join("\u0000") !== pane.original.region.join("\u0000") ||
      JSON.stringify(pane.plan.cores) !== JSON.stringify(pane.original.cores);
  };
  Editor.prototype.evaluate = function (pane) {
    pane = pane || this.pane();
    return M.evaluate(this.P, pane.plan);
  };
  Editor.prototype.metrics = function () { return M.cleaned(this.evaluate().summary); };
  Editor.prototype.regions = function () {
    return this.evaluate().regions.map(function (row) {
      var out = M.cleaned(row);
      delete out.parts;
      return out;
    });
  };
  Editor.prototype.audit = function () {
    if (!this.data.checks) { return null; }
    var pane = this.pane(), ev = this.evaluate(pane);
    var a = M.audit(this.P, pane.plan, ev, this.data.checks, this.data.optimum);
    return {ok: a.ok, violations: a.violations, travel_term: M.clean(a.travel_term),
            optimum: M.clean(a.optimum), gap_percent: M.clean(a.gap_percent),
            unchecked: a.unchecked, plan: pane.plan.name, scenario: this.data.scenario};
  };
  Editor.prototype.criteria = function () {
    if (!this.data.criteria) { return null; }
    return M.criteria(this.P, this.evaluate(), this.data.criteria).map(M.cleaned);
  };
  Editor.prototype.split = function () {
    return this.evaluate().regions.filter(function (r) { return !r.connected; })
      .map(function (r) { return {region: r.region, core: r.core, parts: r.parts}; });
  };
  Editor.prototype.moved = function (pane) {
    pane = pane || this.pane();
    var P = this.P;
    return pane.plan.region.map(function (r, i) { return r !== pane.original.region[i] ? i : -1; })
      .filter(function (i) { return i >= 0; }).map(function (i) { return P.codes[i]; });
  };

  // ------------------------------------------------------------------ export
  function csvCell(v) {
    v = String(v);
    return /[",\n\r;]/.test(v) ? '"' + v.replace(/"/g, '""') + '"' : v;
  }
  Editor.prototype.exportCsv = function () {
    var plan = this.pane().plan, P = this.P, lines = ["kommunenummer,region,core"];
    plan.region.forEach(function (r, i) {
      lines.push([P.codes[i], csvCell(r), P.codes[plan.cores[r]]].join(","));
    });
    return lines.join("\n") + "\n";
  };
  Editor.prototype.exportGeoJson = function () {
    var pane = this.pane(), plan = pane.plan, P = this.P, ev = this.evaluate(pane), feats = [];
    pane.munis.eachLayer(function (l) {
      var i = P.index[l.feature.id], core = plan.cores[plan.region[i]];
      feats.push({type: "Feature", id: P.codes[i], geometry: l.feature.geometry, properties: {
        kommunenummer: P.codes[i], name: P.names[i], population: P.population[i],
        region: plan.region[i], core: P.codes[core], core_name: P.names[core],
        minutes_to_core: M.clean(ev.minutes[i])}});
    });
    feats.sort(function (a, b) { return M.byName(a.id, b.id); });
    return JSON.stringify({type: "FeatureCollection", name: plan.name, features: feats});
  };
  function download(text, name, type) {
    var a = el("a"), url = URL.createObjectURL(new Blob([text], {type: type}));
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 0);
  }

  // ------------------------------------------------------------------ map
  Editor.prototype.style = function (k, code) {
    var pane = this.panes[k], i = this.P.index[code], r = pane.plan.region[i];
    var s = {fillColor: pane.colours[r], fillOpacity: 0.78, color: "#ffffff", weight: 0.9,
             dashArray: null};
    var edited = this.edited(pane);
    if (!edited && pane.outlined[code]) { s.color = "#111111"; s.weight = 3.2; s.dashArray = "6 4"; }
    if (r !== pane.original.region[i]) { s.color = MOVED; s.weight = 3.6; }
    if (pane.cut && pane.cut[code]) { s.color = CUT; s.weight = 3.2; s.dashArray = "3 5"; }
    if (k === this.target && code === this.selected) { s.color = SELECTED; s.weight = 4.2; }
    return s;
  };
  Editor.prototype.drawPane = function (k, ev) {
    var pane = this.panes[k], self = this, P = this.P, edited = this.edited(pane);
    pane.cut = {};
    ev.regions.forEach(function (row) {
      row.parts.slice(1).forEach(function (part) {
        part.forEach(function (c) { pane.cut[c] = true; });
      });
    });
    pane.munis.eachLayer(function (l) { l.setStyle(self.style(k, l.feature.id)); });
    var box = pane.map.getContainer();
    box.classList.toggle("rg-stale", edited);
    this.legend(k, ev);
    pane.live.clearLayers();
    if (!edited) { return; }
    var items = [];
    ev.regions.slice().sort(function (a, b) { return b.population - a.population; })
      .forEach(function (row, rank) {
        var c = P.index[row.core], at = self.data.centres[c];
        L.circleMarker(at, {radius: 5, color: "#1b1f24", weight: 2, fillColor: "#ffffff",
                            fillOpacity: 1, interactive: false, className: "rg-live-core"})
          .addTo(pane.live);
        items.push({lat: at[0], lon: at[1], text: row.region, kind: "live", rank: rank});
      });
    R.labels(pane.live, items);
    R.declutter(box);
  };

  // The pane's legend follows the live plan: each region with its population and members.
  Editor.prototype.legend = function (k, ev) {
    var pane = this.panes[k], lang = this.lang;
    var holder = document.getElementById("rg-legend-" + k) || pane.map.getContainer();
    var list = holder.querySelector(".rg-legend ul");
    if (!list) { return; }
    list.textContent = "";
    ev.regions.forEach(function (row) {
      var li = el("li", null, "rg-legend-row"), sw = el("span", null, "rg-swatch");
      sw.style.background = pane.colours[row.region];
      li.appendChild(sw);
      li.appendChild(el("span", row.region, "rg-legend-name"));
      li.appendChild(el("span", fmt(row.population, 0, lang) + " · " + row.members,
                        "rg-legend-detail"));
      list.appendChild(li);
    });
  };

  // The panel (editor_panel.js) extends Editor with these, before any page calls R.editor.
  R.editorParts = {Editor: Editor, el: el, fill: fill, fmt: fmt, download: download};

  // regionopt.editor(map, layer, [map, layer], data): called once per page by the page script.
  R.editor = function () {
    var args = Array.prototype.slice.call(arguments), data = args.pop(), groups = [];
    for (var k = 0; k < args.length; k += 2) { groups.push([args[k], args[k + 1]]); }
    var ed = new Editor(groups, data);
    ["assign", "setCore", "newRegion", "undo", "redo", "reset", "metrics", "regions", "audit",
     "criteria", "split", "moved", "exportCsv", "exportGeoJson", "edit", "select"].forEach(function (name) {
      R[name] = function () {
        var out = ed[name].apply(ed, arguments);
        return name === "moved" ? out.slice() : out;
      };
    });
    R.edited = function () { return ed.edited(); };
    R.format = fmt;
    R.editorState = ed;
    return ed;
  };
})(regionopt, regionoptMetrics);
