/* diplowatch timeline chart: /api/timeline/{actor}/counts (the URL in data-api) drawn with chart.js. */
(function () {
  "use strict";
  var root = document.getElementById("timeline-chart");
  if (!root || !window.diplowatch || !window.diplowatch.chart) { return; }
  fetch(root.getAttribute("data-api"), {headers: {"Accept": "application/json"}, credentials: "same-origin"})
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(function (d) {
      window.diplowatch.chart.stackedBars(root, {
        categories: d.bins.map(function (b) { return b.period; }),
        series: d.families,
        value: function (i, key) { return d.bins[i].counts[key]; },
        label: "Events of " + d.actor + (d.other ? " and " + d.other : "") + " per " + d.by + ", by family",
        unit: "event(s)"
      });
      var notes = [];
      if (d.earlier) { notes.push(d.earlier + " earlier event(s), from " + d.first + ", before the busy years: choose all years"); }
      if (d.unplaced) { notes.push(d.unplaced + " event(s) undated or dated to the year only, not shown"); }
      if (notes.length) {
        var p = document.createElement("p");
        p.className = "muted chart-note";
        p.textContent = notes.join("; ") + ".";
        root.appendChild(p);
      }
      root.setAttribute("data-loaded", String(d.total));
    })
    .catch(function (e) { root.setAttribute("data-error", String(e)); root.textContent = "Chart unavailable: " + e; });
}());
