// The plan editor's panel (controls, status, figures, criteria and problems), added to the
// Editor of editor.js. Every name from data is set as text (textContent), never markup.
(function (R, M) {
  "use strict";
  var parts = R.editorParts, Editor = parts.Editor, el = parts.el, fill = parts.fill,
      fmt = parts.fmt, download = parts.download;

  // ------------------------------------------------------------------ panel
  Editor.prototype.buildPanel = function () {
    var self = this, lab = this.lab, slot = document.getElementById("rg-editor");
    if (!slot) { return; }
    var box = el("div", null, "rg-ed-controls");
    slot.appendChild(el("h2", lab.ed_title));
    slot.appendChild(box);
    var mode = el("button", lab.ed_mode, "rg-ed-mode");
    mode.type = "button";
    mode.setAttribute("aria-pressed", "false");
    mode.addEventListener("click", function () {
      self.editing = !self.editing;
      mode.setAttribute("aria-pressed", String(self.editing));
      document.body.classList.toggle("rg-editing", self.editing);
    });
    box.appendChild(mode);
    if (this.panes.length > 1) {
      var target = el("select", null, "rg-ed-target");
      target.setAttribute("aria-label", lab.ed_target);
      [lab.ed_proposal, lab.ed_reference].forEach(function (t, k) {
        var o = el("option", t);
        o.value = String(k);
        target.appendChild(o);
      });
      target.addEventListener("change", function () {
        self.edit(target.value === "1" ? "reference" : "proposal");
      });
      var tl = el("label", lab.ed_target + " ");
      tl.appendChild(target);
      box.appendChild(tl);
      this.targetSelect = target;
    }
    box.appendChild(el("p", lab.ed_mode_hint, "rg-ed-hint"));
    var find = el("input", null, "rg-ed-find"), list = el("datalist");
    list.id = "rg-ed-list";
    find.type = "search";
    find.setAttribute("list", list.id);
    find.setAttribute("aria-label", lab.ed_find);
    find.placeholder = lab.ed_find;
    this.P.codes.forEach(function (c, i) {
      var o = el("option");
      o.value = self.P.names[i] + " (" + c + ")";
      list.appendChild(o);
    });
    function pick() {
      var v = find.value.trim(), m = /\((\d{4})\)\s*$/.exec(v), i;
      if (m) { i = self.P.index[m[1]]; }
      if (i === undefined) { i = self.P.index[v]; }
      if (i === undefined) { i = self.P.names.indexOf(v); }
      if (i !== undefined && i >= 0) { self.select(self.P.codes[i]); }
    }
    find.addEventListener("change", pick);
    find.addEventListener("keydown", function (e) { if (e.key === "Enter") { pick(); } });
    box.appendChild(find);
    box.appendChild(list);
    this.selectedText = el("div", lab.ed_none_selected, "rg-ed-selected");
    box.appendChild(this.selectedText);
    var row = el("div", null, "rg-ed-row");
    this.moveSelect = el("select", null, "rg-ed-to");
    this.moveSelect.setAttribute("aria-label", lab.ed_move_to);
    row.appendChild(this.moveSelect);
    row.appendChild(this.button(lab.ed_move, "rg-ed-move", function () {
      if (self.selected === null) { return; }
      var v = self.moveSelect.value;
      if (v === "\u0000new") { self.newRegion(self.selected); } else { self.assign(self.selected, v); }
    }));
    row.appendChild(this.button(lab.ed_make_core, "rg-ed-core", function () {
      if (self.selected === null) { return; }
      self.setCore(self.pane().plan.region[self.P.index[self.selected]], self.selected);
    }));
    box.appendChild(row);
    var row2 = el("div", null, "rg-ed-row");
    row2.appendChild(this.button(lab.ed_undo, "rg-ed-undo", function () { self.undo(); }));
    row2.appendChild(this.button(lab.ed_redo, "rg-ed-redo", function () { self.redo(); }));
    this.resetButton = this.button("", "rg-ed-reset", function () { self.reset(); });
    row2.appendChild(this.resetButton);
    row2.appendChild(this.button(lab.ed_csv, "rg-ed-csv", function () {
      download(self.exportCsv(), "plan-edited.csv", "text/csv");
    }));
    row2.appendChild(this.button(lab.ed_geojson, "rg-ed-geojson", function () {
      download(self.exportGeoJson(), "plan-edited.geojson", "application/geo+json");
    }));
    box.appendChild(row2);
    this.status = el("div", null, "rg-ed-status");
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");
    slot.appendChild(this.status);
    this.body = el("div", null, "rg-ed-body");
    slot.appendChild(this.body);
    slot.appendChild(el("p", lab.ed_moved_note, "rg-ed-hint"));
  };
  Editor.prototype.button = function (text, cls, fn) {
    var b = el("button", text, cls);
    b.type = "button";
    b.addEventListener("click", fn);
    return b;
  };
  Editor.prototype.select = function (code) {
    this.selected = code === null ? null : this.P.codes[this.index(code)];
    this.render();
  };
  Editor.prototype.edit = function (which) {
    this.target = which === "reference" && this.panes.length > 1 ? 1 : 0;
    if (this.targetSelect) { this.targetSelect.value = String(this.target); }
    this.render();
    return this.target === 1 ? "reference" : "proposal";
  };

  Editor.prototype.render = function () {
    var self = this, evs = this.panes.map(function (p) { return self.evaluate(p); });
    this.panes.forEach(function (p, k) { self.drawPane(k, evs[k]); });
    document.body.classList.toggle("rg-plan-edited", this.panes.some(function (p) {
      return self.edited(p);
    }));
    if (this.body) { this.renderPanel(evs[this.target]); }
  };
  Editor.prototype.renderPanel = function (ev) {
    var lab = this.lab, pane = this.pane(), P = this.P, self = this;
    this.resetButton.textContent = fill(lab.ed_reset, {name: pane.original.name});
    var sel = this.selected === null ? null : P.index[this.selected];
    this.selectedText.textContent = sel === null ? lab.ed_none_selected :
      lab.ed_selected + ": " + P.names[sel] + " (" + P.codes[sel] + ") · " + lab.region + " " +
      pane.plan.region[sel];
    this.moveSelect.textContent = "";
    M.regionsOf(pane.plan).forEach(function (r) {
      var o = el("option", r);
      o.value = r;
      if (sel !== null && pane.plan.region[sel] === r) { o.selected = true; }
      self.moveSelect.appendChild(o);
    });
    var o = el("option", lab.ed_new_region);
    o.value = "\u0000new";
    this.moveSelect.appendChild(o);
    var moved = this.moved(pane);
    this.status.textContent = this.edited(pane) ?
      fill(lab.ed_edited, {n: moved.length, name: pane.original.name}) : lab.ed_unedited;
    this.status.classList.toggle("rg-ed-is-edited", this.edited(pane));
    this.body.textContent = "";
    this.body.appendChild(this.figuresTable(ev));
    this.body.appendChild(this.problems(ev));
    if (this.data.criteria) { this.body.appendChild(this.criteriaTable(ev)); }
  };
  var CRITERION_DIGITS = {self_containment: 3, longest_trip: 1, mean_trip: 1,
                          inhabitants_within_45: 3, inhabitants_within_60: 3,
                          inhabitants_within_75: 3};
  // The criteria table as a matrix: a row per region, a column per criterion, failed cells red.
  Editor.prototype.criteriaTable = function (ev) {
    var lab = this.lab, lang = this.lang, rows = M.criteria(this.P, ev, this.data.criteria);
    var names = [], byRegion = {}, notes = {};
    rows.forEach(function (r) {
      if (names.indexOf(r.criterion) < 0) { names.push(r.criterion); }
      (byRegion[r.region] = byRegion[r.region] || {})[r.criterion] = r;
      if (r.note) { notes[r.region] = r.note; }
    });
    var box = el("div", null, "rg-ed-criteria"), t = el("table", null, "rg-ed-figures");
    box.appendChild(el("h3", lab.ed_criteria));
    var head = el("tr");
    head.appendChild(el("th", lab.region));
    names.forEach(function (n) {
      var th = el("th", lab["crit_" + n] || n, "num");
      head.appendChild(th);
    });
    var thead = el("thead"), tbody = el("tbody");
    thead.appendChild(head);
    t.appendChild(thead);
    Object.keys(byRegion).forEach(function (region) {
      var tr = el("tr");
      tr.appendChild(el("td", region));
      names.forEach(function (n) {
        var r = byRegion[region][n];
        var td = el("td", r ? fmt(r.value, CRITERION_DIGITS[n] || 0, lang) : "",
                    "num " + (r && !r.passed ? "rg-ed-fail" : "rg-ed-pass"));
        if (r) {
          td.title = (r.threshold === null ? "" : (r.passed ? lab.ed_passed : lab.ed_failed) +
            " (" + fmt(r.threshold, CRITERION_DIGITS[n] || 0, lang) + ")") +
            (r.band ? (r.threshold === null ? "" : " · ") + r.band : "");
        }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
    t.appendChild(tbody);
    box.appendChild(t);
    Object.keys(notes).forEach(function (r) { box.appendChild(el("p", r + ": " + notes[r], "rg-ed-hint")); });
    return box;
  };
  Editor.prototype.figuresTable = function (ev) {
    var lab = this.lab, lang = this.lang, pane = this.pane(), self = this;
    var other = this.panes.length > 1 ? this.panes[1 - this.target] : null;
    var t = el("table", null, "rg-ed-figures"), head = el("tr");
    [lab.metric, lab.ed_live, pane.original.name].concat(other ? [other.original.name] : [])
      .concat([lab.difference]).forEach(function (h, k) {
        head.appendChild(el("th", h, k ? "num" : null));
      });
    var thead = el("thead"), tbody = el("tbody");
    thead.appendChild(head);
    t.appendChild(thead);
    var live = ev.summary, orig = pane.figures;
    this.data.metrics.forEach(function (m) {
      var tr = el("tr"), v = live[m.name], o = orig[m.name];
      tr.setAttribute("data-metric", m.name);
      tr.appendChild(el("td", m.label));
      tr.appendChild(el("td", fmt(v, m.digits, lang), "num rg-ed-live"));
      tr.appendChild(el("td", fmt(o === null ? null : o, m.digits, lang), "num"));
      if (other) { tr.appendChild(el("td", fmt(other.figures[m.name], m.digits, lang), "num")); }
      var d = (typeof v === "number" && o !== null && o !== undefined) ? v - o : null;
      tr.appendChild(el("td", fmt(d, m.digits, lang), "num"));
      tbody.appendChild(tr);
    });
    t.appendChild(tbody);
    var wrap = el("div", null, "rg-ed-figures-box");
    wrap.appendChild(t);
    var a = this.audit(), gap = el("p", null, "rg-ed-gap");
    if (a && a.optimum !== null) {
      gap.textContent = fill(lab.ed_gap, {pm: fmt(live.person_minutes - self.data.optimum, 2, lang),
        pct: fmt(M.gapPercent(live.person_minutes, self.data.optimum), 2, lang)});
    } else { gap.textContent = lab.ed_no_optimum; }
    wrap.appendChild(gap);
    return wrap;
  };
  Editor.prototype.problems = function (ev) {
    var lab = this.lab, P = this.P, box = el("div", null, "rg-ed-problems");
    var split = ev.regions.filter(function (r) { return !r.connected; });
    if (split.length) {
      box.appendChild(el("h3", lab.ed_split));
      var ul = el("ul", null, "rg-ed-split");
      split.forEach(function (r) {
        var text = r.parts.map(function (part) {
          return part.map(function (c) { return P.names[P.index[c]]; }).join(", ");
        }).join(" | ");
        var li = el("li", fill(lab.ed_split_row, {region: r.region, n: r.parts.length,
                                                    parts: text}));
        li.setAttribute("data-region", r.region);
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    var a = this.audit();
    if (!a) { box.appendChild(el("p", lab.ed_no_scenario, "rg-ed-hint")); return box; }
    box.appendChild(el("h3", fill(lab.ed_violations, {scenario: this.data.scenario})));
    if (a.ok) { box.appendChild(el("p", lab.ed_no_violations, "rg-ed-ok")); }
    var list = el("ul", null, "rg-ed-violations");
    a.violations.forEach(function (v) {
      var li = el("li");
      li.appendChild(el("code", v.constraint));
      li.appendChild(document.createTextNode(" " + (v.where ? v.where + ": " : "") + v.detail));
      list.appendChild(li);
    });
    box.appendChild(list);
    if (a.unchecked.length) {
      box.appendChild(el("p", fill(lab.ed_unchecked, {keys: a.unchecked.join(", ")}),
                         "rg-ed-hint"));
    }
    return box;
  };
})(regionopt, regionoptMetrics);
