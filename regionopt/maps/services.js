// The service layer of regionopt's plan map (issue 21): a selector of the catalogue's services
// that draws each service's areas (one colour an area, areas that miss the rules outlined in
// red) and marks their hosts, and a selector of the plan's regions that shows each member's
// hosted services and staff against its population share. Page API:
// window.regionopt.showService(key), .showHosting(region), .serviceState() (docs/maps.md).
// Every name from data is set as text (textContent, option.text), never markup.
(function (R) {
  "use strict";
  var PALETTE = ["#1971c2", "#e8590c", "#2f9e44", "#9c36b5", "#f08c00", "#0c8599", "#c2255c",
                 "#5c940d", "#3b5bdb", "#a61e4d", "#087f5b", "#d9480f"];

  function el(tag, text, style) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (style) { e.setAttribute("style", style); }
    return e;
  }
  function num(v, digits) {
    return Number(v).toLocaleString("nb-NO", {minimumFractionDigits: digits,
                                             maximumFractionDigits: digits});
  }

  function ServiceLayer(map, layer, data) {
    this.map = map;
    this.data = data;
    this.features = layer.toGeoJSON().features;
    this.group = L.layerGroup().addTo(map);
    this.state = {service: null, areas: 0, drawn: 0, hosts: [], unmet: 0, region: null,
                  rows: []};
    this.panel();
  }
  ServiceLayer.prototype.panel = function () {
    var self = this, lab = this.data.labels, box = document.getElementById("rg-services");
    box.appendChild(el("h2", lab.title, "font-size:14px;margin:8px 0 4px"));
    var pick = el("select", null, "max-width:100%");
    pick.id = "rg-service-select";
    pick.setAttribute("aria-label", lab.service);
    var none = el("option", lab.none);
    none.value = "";
    pick.appendChild(none);
    this.data.services.forEach(function (s) {
      var o = el("option", s.name);
      o.value = s.key;
      pick.appendChild(o);
    });
    pick.addEventListener("change", function () { self.show(pick.value || null); });
    box.appendChild(pick);
    this.info = el("div", null, "font-size:12px;margin:4px 0");
    box.appendChild(this.info);
    var region = el("select", null, "max-width:100%");
    region.id = "rg-hosting-select";
    region.setAttribute("aria-label", lab.region);
    var blank = el("option", lab.pick_region);
    blank.value = "";
    region.appendChild(blank);
    Object.keys(this.data.regions).sort().forEach(function (r) {
      var o = el("option", r);
      o.value = r;
      region.appendChild(o);
    });
    region.addEventListener("change", function () { self.hosting(region.value || null); });
    box.appendChild(region);
    this.table = el("div", null, "font-size:12px;margin:4px 0;overflow-x:auto");
    box.appendChild(this.table);
  };
  ServiceLayer.prototype.show = function (key) {
    var self = this, lab = this.data.labels;
    this.group.clearLayers();
    this.info.textContent = "";
    this.state = Object.assign(this.state, {service: key, areas: 0, drawn: 0, hosts: [],
                                            unmet: 0});
    var pick = document.getElementById("rg-service-select");
    if (pick.value !== (key || "")) { pick.value = key || ""; }
    if (!key) { return this.state; }
    var service = this.data.services.filter(function (s) { return s.key === key; })[0];
    if (!service) { throw new Error("no service " + key); }
    var areaOf = {}, colour = {};
    service.areas.forEach(function (a, k) {
      colour[a.area] = PALETTE[k % PALETTE.length];
      a.members.forEach(function (m) { areaOf[m] = a; });
    });
    var drawn = this.features.filter(function (f) { return areaOf[f.id]; });
    L.geoJSON({type: "FeatureCollection", features: drawn}, {
      interactive: false,
      style: function (f) {
        var a = areaOf[f.id];
        return {fillColor: colour[a.area], fillOpacity: 0.6, weight: a.meets ? 0.6 : 2.2,
                color: a.meets ? "#ffffff" : "#c92a2a"};
      }
    }).addTo(this.group);
    service.areas.forEach(function (a) {
      var at = self.data.centres[a.host];
      if (!at) { return; }
      var mark = L.circleMarker([at[0], at[1]], {radius: 7, weight: 2, color: "#1b1f24",
                                                  fillColor: "#ffffff", fillOpacity: 1});
      var tip = el("div");
      tip.appendChild(el("strong", lab.host + ": " + at[2]));
      tip.appendChild(el("div", num(a.inhabitants, 0) + " " + lab.inhabitants + ", " +
                                lab.longest + " " + num(a.longest_trip, 0) + " min"));
      if (a.within) {  // docs/metrics.md, "Inhabitants within reach"
        tip.appendChild(el("div", a.within.map(function (v) {
          return v === null ? "–" : num(100 * v, 0) + " %"; })
                                   .join(" / ") + " " + lab.within));
      }
      if (!a.meets) { tip.appendChild(el("div", a.reason, "color:#c92a2a")); }
      mark.bindTooltip(tip);
      mark.addTo(self.group);
      self.state.hosts.push(a.host);
    });
    var unmet = service.areas.filter(function (a) { return !a.meets; }).length;
    this.state = Object.assign(this.state, {areas: service.areas.length, drawn: drawn.length,
                                            unmet: unmet});
    this.info.textContent = service.rule + " · " + service.areas.length + " " + lab.areas +
      ", " + (service.areas.length - unmet) + " " + lab.meeting;
    return this.state;
  };
  ServiceLayer.prototype.hosting = function (region) {
    var lab = this.data.labels, rows = region ? this.data.regions[region] : [];
    if (region && !rows) { throw new Error("no region " + region); }
    this.table.textContent = "";
    var hostSelect = document.getElementById("rg-hosting-select");
    if (hostSelect.value !== (region || "")) { hostSelect.value = region || ""; }
    this.state.region = region;
    this.state.rows = rows.map(function (r) { return r.kommunenummer; });
    if (!region) { return this.state; }
    var t = el("table", null, "border-collapse:collapse"), head = el("tr");
    lab.columns.forEach(function (c) { head.appendChild(el("th", c, "text-align:left;padding:1px 4px")); });
    t.appendChild(head);
    rows.forEach(function (r) {
      var tr = el("tr");
      [r.name, r.services_hosted, num(r.staff, 1), num(100 * r.share, 1) + " %",
       num(100 * r.population_share, 1) + " %", num(100 * r.core_share, 1) + " %"
      ].forEach(function (v) { tr.appendChild(el("td", v, "padding:1px 4px;vertical-align:top")); });
      t.appendChild(tr);
    });
    this.table.appendChild(t);
    return this.state;
  };

  // regionopt.services(map, layer, data): called once per page by the page script.
  R.services = function (map, layer, data) {
    var layerObj = new ServiceLayer(map, layer, data);
    R.showService = function (key) { return Object.assign({}, layerObj.show(key)); };
    R.showHosting = function (region) { return Object.assign({}, layerObj.hosting(region)); };
    R.serviceState = function () { return JSON.parse(JSON.stringify(layerObj.state)); };
    return layerObj;
  };
})(regionopt);
