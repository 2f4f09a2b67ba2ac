var regionopt = (function () {
  "use strict";
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  // data.rows: each municipality's texts by code; data.fields: [heading, key] in order.
  function tooltips(layer, data) {
    layer.bindTooltip(function (l) {
      var p = data.rows[l.feature.id] || {}, t = el("table", null, "rg-tip");
      data.fields.forEach(function (f) {
        if (p[f[1]] === undefined || p[f[1]] === "") { return; }
        var tr = el("tr");
        tr.appendChild(el("th", f[0]));
        tr.appendChild(el("td", p[f[1]]));
        t.appendChild(tr);
      });
      return t;
    }, {sticky: true, className: "rg-tooltip", direction: "auto"});
  }
  function labels(group, items) {
    items.forEach(function (it) {
      var span = el("span", it.text);
      span.setAttribute("data-rank", String(it.rank));
      var icon = L.divIcon({html: span, className: "rg-label rg-label-" + it.kind,
                            iconSize: null});
      L.marker([it.lat, it.lon], {icon: icon, interactive: false, keyboard: false}).addTo(group);
    });
  }
  function cores(group, items) {
    items.forEach(function (it) {
      L.circleMarker([it.lat, it.lon], {radius: 5, color: "#1b1f24", weight: 2,
        fillColor: "#ffffff", fillOpacity: 1, interactive: false, className: "rg-core"})
        .addTo(group);
    });
    labels(group, items.map(function (it) {
      return {lat: it.lat, lon: it.lon, text: it.text, kind: "core", rank: it.rank};
    }));
  }
  function legendBox(data) {
    var d = el("div", null, "rg-legend");
    d.appendChild(el("div", data.title, "rg-legend-title"));
    if (data.hint) { d.appendChild(el("div", data.hint, "rg-legend-hint")); }
    var list = el("ul");
    data.rows.forEach(function (r) {
      var li = el("li", null, "rg-legend-row"), sw = el("span", null, "rg-swatch");
      sw.style.background = r.colour;
      li.appendChild(sw);
      li.appendChild(el("span", r.name, "rg-legend-name"));
      li.appendChild(el("span", r.detail, "rg-legend-detail"));
      list.appendChild(li);
    });
    d.appendChild(list);
    (data.notes || []).forEach(function (t) { d.appendChild(el("div", t, "rg-legend-note")); });
    return d;
  }
  function legend(map, data) {
    var slot = data.slot ? document.getElementById(data.slot) : null;
    if (slot) { slot.appendChild(legendBox(data)); return; }
    var c = L.control({position: data.position || "bottomleft"});
    c.onAdd = function () {
      var d = legendBox(data);
      L.DomEvent.disableClickPropagation(d);
      L.DomEvent.disableScrollPropagation(d);
      return d;
    };
    c.addTo(map);
  }
  function sync(a, b) {
    var busy = false;
    function follow(src, dst) {
      return function () {
        if (busy) { return; }
        busy = true;
        dst.setView(src.getCenter(), src.getZoom(), {animate: false});
        busy = false;
      };
    }
    a.on("move zoomend", follow(a, b));
    b.on("move zoomend", follow(b, a));
    window.regionoptMaps = [a, b];
  }
  function register(map) {
    window.regionoptMaps = (window.regionoptMaps || []).concat([map]);
  }
  function overlap(a, b) {
    return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  }
  // Hide every label that would overlap one of higher rank (lower number) shown at this zoom.
  function declutter(box) {
    var spans = Array.prototype.slice.call(box.querySelectorAll(".rg-label span"));
    spans.forEach(function (s) { s.classList.remove("rg-clash"); });
    var items = spans.map(function (s) {
      return {span: s, rank: Number(s.getAttribute("data-rank")), rect: s.getBoundingClientRect()};
    }).filter(function (it) { return it.rect.width > 0 && it.rect.height > 0; });
    items.sort(function (a, b) { return a.rank - b.rank; });
    var shown = [];
    items.forEach(function (it) {
      if (shown.some(function (r) { return overlap(r, it.rect); })) {
        it.span.classList.add("rg-clash");
      } else {
        shown.push(it.rect);
      }
    });
  }
  function decorate(map, opts) {
    // Fit without animation: labels added during an animated zoom were measured mid-flight.
    if (opts.bounds) { map.fitBounds(opts.bounds, {padding: [8, 8], animate: false}); }
    L.control.scale({imperial: false}).addTo(map);
    var box = map.getContainer();
    function mark() {
      box.classList.toggle("rg-far", map.getZoom() < opts.detailZoom);
      declutter(box);
    }
    var pending = null;
    function settle() {  // again once the zoom animation's CSS transitions have run out
      mark();
      if (pending !== null) { clearTimeout(pending); }
      pending = setTimeout(function () { pending = null; declutter(box); }, 300);
    }
    map.on("zoomend viewreset overlayadd overlayremove resize", settle);
    window.addEventListener("load", mark);
    mark();
  }
  return {tooltips: tooltips, labels: labels, cores: cores, legend: legend, sync: sync,
          register: register, decorate: decorate, declutter: declutter};
})();
