/* diplowatch map: world-atlas TopoJSON -> SVG paths (equirectangular), coloured by the relation of each state
   to the target. The page carries the /api/map answer in data-map, so the colours are drawn as soon as the
   geometry is parsed; /api/map is fetched only when the date changes. States too small for their shapes get
   a circle marker (data.points). A click on a state opens the timeline of its dyad with the target.
   No inline script (CSP); everything is read from data-* attributes and built with DOM calls
   (textContent only: article text is never parsed as HTML). */
(function () {
  "use strict";
  var root = document.getElementById("map");
  if (!root || !window.topojson) { return; }
  var SVG = "http://www.w3.org/2000/svg";
  /* longitudes run from WEST to WEST + 360 (the Bering Strait at both edges: Chukotka and the Aleutians
     stay whole); latitudes from TOP to BOTTOM */
  var W = 960, H = 500, WEST = -168.2, TOP = 84, BOTTOM = -58;
  var MARKER_R = 2.4;
  var api = root.getAttribute("data-api");
  var data = JSON.parse(root.getAttribute("data-map") || "null");
  var target = data && data.target ? data.target.code : "";
  var asOf = data ? data.as_of : null;
  var slider = document.getElementById("date-slider");
  var sliderAll = document.getElementById("slider-all");
  var sliderLabel = document.getElementById("slider-date");
  var dateInput = document.getElementById("as-of");
  var tooltip = document.getElementById("tooltip");
  var shapes = [];  /* paths and markers */
  var DAY = 86400000;

  function px(lon, lat) {
    var x = ((lon < WEST ? lon + 360 : lon) - WEST) / 360 * W;
    var y = (TOP - lat) / (TOP - BOTTOM) * H;
    return x.toFixed(1) + "," + y.toFixed(1);
  }
  function ringPath(ring) {
    var parts = [];
    for (var i = 0; i < ring.length; i++) { parts.push((i ? "L" : "M") + px(ring[i][0], ring[i][1])); }
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

  function listen(shape) {
    shape.addEventListener("mousemove", hover);
    shape.addEventListener("mouseleave", function () { tooltip.hidden = true; });
    shape.addEventListener("click", open);
    shape.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { open(ev); } });
  }

  /* markers closer than their diameter (Bahrain and Qatar, the Lesser Antilles) are pushed apart along the
     line between them until each can be seen and clicked on its own */
  function spread(markers) {
    var min = 2 * MARKER_R + 0.4;
    for (var round = 0; round < 40; round++) {
      var moved = false;
      for (var i = 0; i < markers.length; i++) {
        for (var j = i + 1; j < markers.length; j++) {
          var a = markers[i], b = markers[j], dx = b.x - a.x, dy = b.y - a.y;
          var d = Math.sqrt(dx * dx + dy * dy);
          if (d >= min) { continue; }
          if (d < 1e-6) { dx = 1; dy = 0; d = 1; }
          var push = (min - d) / 2 / d;
          a.x -= dx * push; a.y -= dy * push; b.x += dx * push; b.y += dy * push;
          moved = true;
        }
      }
      if (!moved) { break; }
    }
    return markers;
  }

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
      p.setAttribute("data-code", data.features[featureKey(f)] || "");
      p.setAttribute("data-name", (f.properties && f.properties.name) || "");
      listen(p);
      svg.appendChild(p);
      shapes.push(p);
    });
    spread(Object.keys(data.points || {}).sort().map(function (code) {
      var at = px(data.points[code][0], data.points[code][1]).split(",");
      return {code: code, x: +at[0], y: +at[1]};
    })).forEach(function (m) {
      var c = document.createElementNS(SVG, "circle");
      c.setAttribute("cx", m.x.toFixed(1));
      c.setAttribute("cy", m.y.toFixed(1));
      c.setAttribute("r", String(MARKER_R));
      c.setAttribute("class", "country marker cat-none");
      c.setAttribute("data-code", m.code);
      c.setAttribute("data-name", (data.states[m.code] && data.states[m.code].name) || m.code);
      c.setAttribute("tabindex", "0");
      listen(c);
      svg.appendChild(c);
      shapes.push(c);
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
    tooltip.textContent = describe(ev.currentTarget);
    tooltip.hidden = false;
    tooltip.style.left = (ev.clientX + 14) + "px";
    tooltip.style.top = (ev.clientY + 14) + "px";
  }

  function open(ev) {
    var code = ev.currentTarget.getAttribute("data-code");
    if (!code) { return; }
    window.location.assign(target && code !== target
      ? "/timeline/" + encodeURIComponent(target) + "?with=" + encodeURIComponent(code)
      : "/actors/" + encodeURIComponent(code));
  }

  function colour() {
    shapes.forEach(function (p) {
      var code = p.getAttribute("data-code");
      var st = code ? data.states[code] : null;
      var cat = st ? st.category : "none";
      if (data.target && code && code === data.target.code) { cat = "target"; }
      p.setAttribute("data-category", cat);
      p.setAttribute("class", "country " + (p.tagName === "circle" ? "marker " : "") + "cat-" + cat);
      var title = p.querySelector("title") || p.appendChild(document.createElementNS(SVG, "title"));
      title.textContent = describe(p);
    });
    root.setAttribute("data-loaded", data.as_of || "all");
  }

  function load() {
    var url = api + "?" + (target ? "target=" + encodeURIComponent(target) + "&" : "") +
              (asOf ? "as_of=" + encodeURIComponent(asOf) : "");
    root.removeAttribute("data-loaded");
    return fetch(url, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (d) { data = d; colour(); })
      .catch(function (e) { root.setAttribute("data-error", String(e)); });
  }

  function toDay(iso) { return Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)); }
  function fromDay(ms) { return new Date(ms).toISOString().slice(0, 10); }

  /* the slider spans the busy years (data.date_focus to data.date_max) unless "all dates" is ticked */
  function setupSlider() {
    if (!slider || !data.date_min || !data.date_max) {
      if (slider) { slider.hidden = true; }
      if (sliderAll) { sliderAll.parentNode.hidden = true; }
      return;
    }
    var hi = toDay(data.date_max), lo = 0;
    function range() {
      lo = toDay(sliderAll && sliderAll.checked ? data.date_min : (data.date_focus || data.date_min));
      var n = Math.max(0, Math.round((hi - lo) / DAY));
      slider.min = "0";
      slider.max = String(n);
      slider.value = String(asOf ? Math.min(n, Math.max(0, Math.round((toDay(asOf) - lo) / DAY))) : n);
      slider.setAttribute("data-from", fromDay(lo));
    }
    if (sliderAll && asOf && data.date_focus && asOf < data.date_focus) { sliderAll.checked = true; }
    range();
    if (sliderAll) { sliderAll.addEventListener("change", range); }
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
    .then(function (topology) { draw(topology); colour(); setupSlider(); })
    .catch(function (e) { root.setAttribute("data-error", String(e)); });
}());
