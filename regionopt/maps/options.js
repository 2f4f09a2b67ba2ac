// The options page (regionopt options): click a municipality to list its directions with
// their prices; "Load" puts that direction's exact optimal plan into the plan editor as one
// edit (undo, live figures, audit and export work on it); a layer colours each municipality
// by the price of its cheapest other direction. Page API: window.regionopt.optionsOf(code),
// .loadOption(code, core), .swing(code), .showOptions(code) (docs/options.md). Every name
// from data is set as text, never markup.
(function (R) {
  "use strict";
  var SWING = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"], FIRM = "#4d4d4d";

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function Options(map, data) {
    var self = this;
    this.map = map;
    this.data = data;
    this.lab = data.labels;
    this.ed = R.editorState;
    this.pane = this.ed.panes[0];
    this.box = document.getElementById("rg-options");
    this.pane.munis.on("click", function (e) { self.show(e.layer.feature.id); });
    this.breaks = this.swingBreaks();
    this.buildPanel();
  }

  // Quintile breaks of the finite swing prices: the layer's five colour classes.
  Options.prototype.swingBreaks = function () {
    var munis = this.data.munis, v = Object.keys(munis).map(function (c) { return munis[c].swing; })
      .filter(function (x) { return x !== null; }).sort(function (a, b) { return a - b; });
    var out = [];
    for (var k = 1; k < SWING.length; k++) {
      out.push(v.length ? v[Math.min(v.length - 1, Math.floor(k * v.length / SWING.length))] : 0);
    }
    return out;
  };
  Options.prototype.swingColour = function (code) {
    var m = this.data.munis[code];
    if (!m || m.swing === null) { return FIRM; }
    var k = 0;
    while (k < this.breaks.length && m.swing > this.breaks[k]) { k++; }
    return SWING[k];
  };

  Options.prototype.buildPanel = function () {
    var self = this, lab = this.lab;
    this.box.textContent = "";
    this.box.appendChild(el("h2", lab.title));
    var label = el("label", null, "rg-opt-swing-toggle"), box = el("input");
    box.type = "checkbox";
    box.id = "rg-opt-swing";
    box.addEventListener("change", function () { self.toggleSwing(box.checked); });
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + lab.swing));
    this.box.appendChild(label);
    var legend = el("div", null, "rg-opt-legend");
    SWING.concat([FIRM]).forEach(function (c, k) {
      var key = el("span", null, "rg-opt-key");
      key.style.background = c;
      key.style.display = "inline-block";
      key.style.width = "1.2em";
      key.style.height = "0.8em";
      legend.appendChild(key);
      var text = k === SWING.length ? lab.firm :
        (k === 0 ? "\u2264 " + R.format(self.breaks[0], 0, self.data.lang) :
         "> " + R.format(self.breaks[k - 1], 0, self.data.lang));
      legend.appendChild(el("span", " " + text + "  "));
    });
    this.box.appendChild(legend);
    this.body = el("div", lab.hint, "rg-opt-body");
    this.box.appendChild(this.body);
  };

  Options.prototype.toggleSwing = function (on) {
    var self = this;
    if (!this.swingLayer) {
      var feats = [];
      this.pane.munis.eachLayer(function (l) { feats.push(l.feature); });
      this.swingLayer = L.geoJSON({type: "FeatureCollection", features: feats}, {
        interactive: false,
        style: function (f) {
          return {fillColor: self.swingColour(f.id), fillOpacity: 0.85, color: "#ffffff",
                  weight: 0.6};
        }
      });
    }
    if (on) { this.swingLayer.addTo(this.map); } else { this.map.removeLayer(this.swingLayer); }
    var box = document.getElementById("rg-opt-swing");
    if (box) { box.checked = on; }
    return on;
  };

  Options.prototype.directions = function (code) {
    var m = this.data.munis[String(code)];
    return m ? m.directions : [];
  };

  Options.prototype.show = function (code) {
    var self = this, lab = this.lab, P = this.ed.P, lang = this.data.lang;
    var dirs = this.directions(code);
    this.body.textContent = "";
    this.body.setAttribute("data-code", String(code));
    this.body.appendChild(el("h3", P.names[P.index[String(code)]] + " (" + code + ")"));
    var t = el("table", null, "rg-opt-table"), head = el("tr");
    ["#", lab.direction, lab.status, lab.price, lab.moved, lab.reason, ""].forEach(function (h) {
      head.appendChild(el("th", h));
    });
    t.appendChild(head);
    dirs.forEach(function (d) {
      var tr = el("tr"), name = d.kind === "own" ? lab.own : d.direction_name;
      tr.setAttribute("data-direction", d.direction);
      tr.setAttribute("data-status", d.status);
      var tags = [];
      if (d.current) { tags.push(lab.current); }
      if (d.scenario_choice) { tags.push(lab.scenario_choice); }
      tr.appendChild(el("td", d.rank));
      tr.appendChild(el("td", name + (tags.length ? " (" + tags.join(", ") + ")" : "")));
      tr.appendChild(el("td", d.status));
      tr.appendChild(el("td", d.price === null ? "" : R.format(d.price, 0, lang), "num"));
      tr.appendChild(el("td", (d.moved_names || "").split(";").join(", ")));
      tr.appendChild(el("td", d.reason || ""));
      var cell = el("td");
      if (d.plan !== null) {
        var b = el("button", lab.load, "rg-opt-load");
        b.type = "button";
        b.addEventListener("click", function () { self.load(code, d.direction); });
        cell.appendChild(b);
      }
      tr.appendChild(cell);
      t.appendChild(tr);
    });
    this.body.appendChild(t);
    return dirs;
  };

  // Load a direction's plan into the editor: the page's plan with the embedded difference.
  Options.prototype.load = function (code, core) {
    var d = this.directions(code).filter(function (x) { return x.direction === String(core); })[0];
    if (!d || d.plan === null) { throw new Error("no plan for " + code + " -> " + core); }
    var spec = this.data.plans[d.plan], ed = this.ed, pane = this.pane;
    ed.change(function (plan) {
      plan.region = pane.original.region.slice();
      plan.cores = Object.assign({}, pane.original.cores);
      spec.drop.forEach(function (r) { delete plan.cores[r]; });
      spec.diff.forEach(function (x) { plan.region[x[0]] = x[1]; });
      Object.keys(spec.cores).forEach(function (r) {
        plan.cores[r] = spec.cores[r];
        if (!(r in pane.colours)) { ed.colour(r, spec.cores[r]); }
      });
    });
    var note = el("p", this.lab.loaded.replace("{name}", d.direction_name), "rg-opt-loaded");
    this.body.appendChild(note);
    return ed.metrics();
  };

  R.options = function (map, data) {
    var opt = new Options(map, data);
    R.optionsOf = function (code) { return opt.directions(code).slice(); };
    R.showOptions = function (code) { return opt.show(String(code)).length; };
    R.loadOption = function (code, core) { return opt.load(String(code), String(core)); };
    R.swing = function (code) {
      var m = data.munis[String(code)];
      return {price: m ? m.swing : null, colour: opt.swingColour(String(code))};
    };
    R.swingLayer = function (on) { return opt.toggleSwing(!!on); };
    R.optionsState = opt;
    return opt;
  };
})(regionopt);
