/* diplowatch charts: a stacked bar chart drawn as plain SVG (no library, no inline style: CSP-safe).

   Hand-written rather than vendored: each bar is a DOM element carrying its count (the browser test reads
   them back against the API; canvas libraries such as Chart.js or uPlot draw pixels), it needs no style
   attribute the Content-Security-Policy would refuse, and a stacked bar chart is a hundred lines.

   Reusable by any page: load this file, then call

     diplowatch.chart.stackedBars(container, spec) -> {svg, bars}

   container  an element; its content is replaced by the chart (width: the container's, height: spec.height).
   spec       {
     categories: ["2025-06", "2025-07", ...]   x axis, in order (one bar stack each),
     series:     [{key: "recognition", label: "recognition"}, ...]   stacked bottom to top,
     value:      function (categoryIndex, seriesKey) -> number >= 0,
     height:     optional, in px (default 260),
     label:      optional aria-label of the chart,
     unit:       optional word for tooltips ("events")
   }
   Each bar is an SVG <rect class="bar series-KEY"> with data-category, data-series and data-value
   attributes and a <title> tooltip; colour it in CSS by .series-KEY (fill). Zero values draw no rect.
   The legend is an <ul class="chart-legend"> after the SVG, one <li data-series> per series. */
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";

  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, String(attrs[k])); });
    if (parent) { parent.appendChild(e); }
    return e;
  }

  /* a round step for about `n` ticks up to `max` (1, 2, 5 times a power of ten; at least 1) */
  function tickStep(max, n) {
    var raw = Math.max(1, max / n);
    var p = Math.pow(10, Math.floor(Math.log10(raw)));
    var m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }

  function stackedBars(container, spec) {
    var cats = spec.categories || [], series = spec.series || [];
    var W = Math.max(320, Math.round(container.clientWidth || 960));
    var H = spec.height || 260;
    var M = {top: 10, right: 10, bottom: 40, left: 44};
    var iw = W - M.left - M.right, ih = H - M.top - M.bottom;
    var totals = cats.map(function (_c, i) {
      return series.reduce(function (s, se) { return s + Math.max(0, +spec.value(i, se.key) || 0); }, 0);
    });
    var max = Math.max(1, Math.max.apply(null, totals.concat([0])));
    var step = tickStep(max, 5);
    var top = Math.ceil(max / step) * step;
    var svg = el("svg", {viewBox: "0 0 " + W + " " + H, width: W, height: H, role: "img",
                         "aria-label": spec.label || "bar chart", "class": "chart"});
    var plot = el("g", {transform: "translate(" + M.left + "," + M.top + ")"}, svg);
    function y(v) { return ih - v / top * ih; }
    for (var t = 0; t <= top; t += step) {
      el("line", {x1: 0, x2: iw, y1: y(t), y2: y(t), "class": "grid"}, plot);
      el("text", {x: -6, y: y(t) + 4, "text-anchor": "end", "class": "tick"}, plot).textContent = String(t);
    }
    var band = cats.length ? iw / cats.length : iw;
    var bw = Math.max(1, band * 0.8);
    var labelEvery = Math.max(1, Math.ceil(cats.length / Math.max(1, Math.floor(iw / 56))));
    var bars = [];
    cats.forEach(function (cat, i) {
      var x = i * band + (band - bw) / 2, base = 0;
      series.forEach(function (se) {
        var v = Math.max(0, +spec.value(i, se.key) || 0);
        if (!v) { return; }
        var r = el("rect", {x: x.toFixed(2), y: y(base + v).toFixed(2), width: bw.toFixed(2),
                            height: (y(base) - y(base + v)).toFixed(2), "class": "bar series-" + se.key,
                            "data-category": cat, "data-series": se.key, "data-value": v}, plot);
        el("title", {}, r).textContent = cat + " · " + se.label + ": " + v + (spec.unit ? " " + spec.unit : "");
        bars.push(r);
        base += v;
      });
      if (i % labelEvery === 0) {
        el("text", {x: (i * band + band / 2).toFixed(2), y: ih + 16, "text-anchor": "middle", "class": "tick"},
           plot).textContent = cat;
      }
    });
    el("line", {x1: 0, x2: iw, y1: ih, y2: ih, "class": "axis"}, plot);
    var legend = document.createElement("ul");
    legend.className = "chart-legend";
    series.forEach(function (se) {
      var li = document.createElement("li");
      li.setAttribute("data-series", se.key);
      var sw = document.createElement("span");
      sw.className = "swatch series-" + se.key;
      li.appendChild(sw);
      li.appendChild(document.createTextNode(se.label));
      legend.appendChild(li);
    });
    while (container.firstChild) { container.removeChild(container.firstChild); }
    container.appendChild(svg);
    container.appendChild(legend);
    return {svg: svg, bars: bars};
  }

  window.diplowatch = window.diplowatch || {};
  window.diplowatch.chart = {stackedBars: stackedBars};
}());
