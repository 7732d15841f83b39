/* diplowatch stance page: colours the world map by each observer's stance (from /api/stance/{target})
   and draws, per observer, its cooperation and conflict per period with static/chart.js. No inline script (CSP); DOM calls only
   (textContent: article text is never parsed as HTML). The map's country keys come from /api/map. */
(function () {
  "use strict";
  var root = document.getElementById("stance-map");
  if (!root) { return; }
  var SVG = "http://www.w3.org/2000/svg";
  var W = 960, H = 500, TOP = 84, BOTTOM = -58;
  var target = root.getAttribute("data-target");
  var asOf = root.getAttribute("data-as-of");
  var by = root.getAttribute("data-by");

  function el(name, attrs) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }
  function px(lon, lat) { return ((lon + 180) / 360 * W).toFixed(1) + "," + ((TOP - lat) / (TOP - BOTTOM) * H).toFixed(1); }
  function ringPath(ring) {
    var wraps = false;
    for (var j = 1; j < ring.length; j++) { if (Math.abs(ring[j][0] - ring[j - 1][0]) > 180) { wraps = true; break; } }
    return ring.map(function (pt, i) { var lon = wraps && pt[0] < 0 ? pt[0] + 360 : pt[0]; return (i ? "L" : "M") + px(lon, pt[1]); }).join("") + "Z";
  }
  function geomPath(g) {
    if (!g) { return ""; }
    var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    return polys.map(function (poly) { return poly.map(ringPath).join(""); }).join("");
  }
  function cls(stance) { return "stance-" + stance.replace(" ", "-"); }
  function getJSON(url) {
    return fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status + " " + url); } return r.json(); });
  }

  function drawMap(topology, keys, st) {
    var fc = window.topojson.feature(topology, topology.objects.countries);
    var svg = el("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "World map of stances towards " + target});
    var counts = {};
    fc.features.forEach(function (f) {
      if (f.properties && f.properties.name === "Antarctica") { return; }
      var key = f.id ? String(f.id) : (f.properties && f.properties.name) || "";
      var code = keys[key] || "";
      var obs = code ? st.observers[code] : null;
      var c = code && code === target ? "cat-target" : obs ? cls(obs.stance) : "cat-none";
      var p = el("path", {d: geomPath(f.geometry), "class": "country " + c, "data-code": code,
                          "data-stance": obs ? obs.stance : ""});
      var t = el("title");
      var name = (f.properties && f.properties.name) || code;
      t.textContent = obs ? name + ": " + obs.stance + " (balance " + obs.window.balance.toFixed(1) + ", " +
                      obs.window.n + " events)" : name + (code === target ? ": the target" : ": no events");
      p.appendChild(t);
      svg.appendChild(p);
      if (obs) { counts[obs.stance] = (counts[obs.stance] || 0) + 1; }
    });
    while (root.firstChild) { root.removeChild(root.firstChild); }
    root.appendChild(svg);
    root.setAttribute("data-loaded", Object.keys(counts).sort().map(function (k) { return k + ":" + counts[k]; }).join(",") || "none");
  }

  function drawChart(box, series) {
    /* the project's chart (static/chart.js): cooperation and conflict (magnitudes) stacked per period */
    if (!window.diplowatch || !window.diplowatch.chart) { return; }
    window.diplowatch.chart.stackedBars(box, {
      categories: series.map(function (c) { return c.period; }),
      series: [{key: "cooperation", label: "cooperation"}, {key: "conflict", label: "conflict"}],
      value: function (i, key) { return series[i][key]; },
      height: 140,
      label: "Goldstein weight of cooperation and conflict per " + by + " (balance = cooperation - conflict)",
      unit: "(Goldstein weight)"
    });
    box.setAttribute("data-bars", String(series.length));
  }

  var q = "?by=" + encodeURIComponent(by) + (asOf ? "&as_of=" + encodeURIComponent(asOf) : "");
  var mapQ = "?target=" + encodeURIComponent(target) + (asOf ? "&as_of=" + encodeURIComponent(asOf) : "");
  Promise.all([getJSON(root.getAttribute("data-api") + q), getJSON(root.getAttribute("data-map-api") + mapQ)])
    .then(function (res) {
      var st = res[0], keys = res[1].features;
      Array.prototype.forEach.call(document.querySelectorAll(".stance-chart"), function (box) {
        var obs = st.observers[box.getAttribute("data-observer")];
        if (obs) { drawChart(box, obs.series); }
      });
      if (!window.topojson) { return; }
      return fetch(root.getAttribute("data-topology")).then(function (r) { return r.json(); })
        .then(function (topology) { drawMap(topology, keys, st); });
    })
    .catch(function (e) { root.setAttribute("data-error", String(e)); });
}());
