/* diplowatch map: world-atlas TopoJSON -> SVG paths (equirectangular), coloured by /api/map.
   No inline script (CSP); everything is read from data-* attributes and built with DOM calls
   (textContent only: article text is never parsed as HTML). */
(function () {
  "use strict";
  var root = document.getElementById("map");
  if (!root || !window.topojson) { return; }
  var SVG = "http://www.w3.org/2000/svg";
  var W = 960, H = 500, TOP = 84, BOTTOM = -58;  /* latitude band shown */
  var api = root.getAttribute("data-api");
  var target = root.getAttribute("data-target");
  var asOf = root.getAttribute("data-as-of");
  var dateMin = root.getAttribute("data-date-min");
  var dateMax = root.getAttribute("data-date-max");
  var slider = document.getElementById("date-slider");
  var sliderLabel = document.getElementById("slider-date");
  var dateInput = document.getElementById("as-of");
  var tooltip = document.getElementById("tooltip");
  var paths = [];
  var data = null;
  var DAY = 86400000;

  function px(lon, lat) {
    var x = (lon + 180) / 360 * W;
    var y = (TOP - lat) / (TOP - BOTTOM) * H;
    return x.toFixed(1) + "," + y.toFixed(1);
  }
  function ringPath(ring) {
    /* a ring that crosses the antimeridian (Russia's Chukotka, Fiji) is drawn east of 180°
       (its western longitudes shifted by 360°); the SVG viewport clips what falls outside */
    var wraps = false;
    for (var j = 1; j < ring.length; j++) { if (Math.abs(ring[j][0] - ring[j - 1][0]) > 180) { wraps = true; break; } }
    var parts = [];
    for (var i = 0; i < ring.length; i++) {
      var lon = ring[i][0];
      if (wraps && lon < 0) { lon += 360; }
      parts.push((i ? "L" : "M") + px(lon, ring[i][1]));
    }
    return parts.join("") + "Z";
  }
  function geomPath(g) {
    if (!g) { return ""; }
    var polys = g.type === "Polygon" ? [g.coordinates] : g.type === "MultiPolygon" ? g.coordinates : [];
    var d = "";
    polys.forEach(function (poly) { poly.forEach(function (ring) { d += ringPath(ring); }); });
    return d;
  }
  function featureKey(f) { return f.id ? String(f.id) : (f.properties && f.properties.name) || ""; }

  function draw(topology) {
    var fc = window.topojson.feature(topology, topology.objects.countries);
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "World map of relations");
    fc.features.forEach(function (f) {
      if (f.properties && f.properties.name === "Antarctica") { return; }
      var p = document.createElementNS(SVG, "path");
      p.setAttribute("d", geomPath(f.geometry));
      p.setAttribute("class", "country cat-none");
      p.setAttribute("data-key", featureKey(f));
      p.setAttribute("data-name", (f.properties && f.properties.name) || "");
      p.addEventListener("mousemove", hover);
      p.addEventListener("mouseleave", function () { tooltip.hidden = true; });
      svg.appendChild(p);
      paths.push(p);
    });
    while (root.firstChild) { root.removeChild(root.firstChild); }
    root.appendChild(svg);
  }

  function describe(p) {
    var code = p.getAttribute("data-code");
    var st = data && code ? data.states[code] : null;
    var name = st ? st.name : p.getAttribute("data-name");
    if (data && data.target && code === data.target.code) { return name + ": the target"; }
    if (!st) { return name + ": none on record"; }
    var lines = [name + ": " + st.label + (st.since ? " (since " + st.since + ")" : "")];
    st.detail.forEach(function (d) { lines.push(d); });
    if (st.first_source) {
      lines.push("first source: " + (st.first_source.url || st.first_source.doc) +
                 (st.first_source.date ? " (" + st.first_source.date + ")" : ""));
    }
    return lines.join("\n");
  }

  function hover(ev) {
    var text = describe(ev.currentTarget);
    tooltip.textContent = text;
    tooltip.hidden = false;
    tooltip.style.left = (ev.clientX + 14) + "px";
    tooltip.style.top = (ev.clientY + 14) + "px";
  }

  function colour() {
    paths.forEach(function (p) {
      var code = data.features[p.getAttribute("data-key")] || "";
      var st = code ? data.states[code] : null;
      var cat = st ? st.category : "none";
      if (data.target && code && code === data.target.code) { cat = "target"; }
      p.setAttribute("data-code", code);
      p.setAttribute("data-category", cat);
      p.setAttribute("class", "country cat-" + cat);
      var title = p.querySelector("title") || p.appendChild(document.createElementNS(SVG, "title"));
      title.textContent = describe(p);
    });
    root.setAttribute("data-loaded", data.as_of || "all");
  }

  function load() {
    var url = api + "?" + (target ? "target=" + encodeURIComponent(target) + "&" : "") +
              (asOf ? "as_of=" + encodeURIComponent(asOf) : "");
    return fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (d) { data = d; colour(); })
      .catch(function (e) { root.setAttribute("data-error", String(e)); });
  }

  function toDay(iso) { return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)); }
  function fromDay(ms) { return new Date(ms).toISOString().slice(0, 10); }

  function setupSlider() {
    if (!slider || !dateMin || !dateMax) { if (slider) { slider.hidden = true; } return; }
    var lo = toDay(dateMin), hi = toDay(dateMax);
    var n = Math.max(0, Math.round((hi - lo) / DAY));
    slider.min = "0";
    slider.max = String(n);
    slider.value = String(asOf ? Math.min(n, Math.max(0, Math.round((toDay(asOf) - lo) / DAY))) : n);
    slider.addEventListener("input", function () {
      sliderLabel.textContent = fromDay(lo + (+slider.value) * DAY);
    });
    slider.addEventListener("change", function () {
      asOf = fromDay(lo + (+slider.value) * DAY);
      sliderLabel.textContent = asOf;
      if (dateInput) { dateInput.value = asOf; }
      load();
    });
  }

  fetch(root.getAttribute("data-topology"))
    .then(function (r) { return r.json(); })
    .then(function (topology) { draw(topology); setupSlider(); return load(); })
    .catch(function (e) { root.setAttribute("data-error", String(e)); });
}());
