"""Write ``src/diplowatch/data/map_points.csv``: a marker point for each state too small for the world map.

The dashboard's map draws world-atlas ``countries-110m.json`` (Natural Earth
1:110m). Many small states are missing from it (Bahrain, Singapore, Malta,
the small island states) or are a speck of a few pixels (Qatar, Luxembourg,
Lebanon). For each sovereign state of ``data/officials.csv`` (the 193 UN
members and XKX, PSE, TWN, VAT) whose 1:110m shape is missing or whose largest
ring spans less than :data:`MIN_EXTENT` degrees, this writes the centroid of
its largest polygon in the 1:10m map of the same package.

Usage (once, when the vendored geometry changes; nothing is fetched at run time)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python scripts/map_points.py package/countries-110m.json package/countries-10m.json
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pycountry

MIN_EXTENT = 2.0
"""Degrees: a state whose largest 1:110m ring is smaller than this in both directions gets a marker."""

DATA = Path(__file__).resolve().parents[1] / "src" / "diplowatch" / "data"


def polygons(path: str) -> dict[str, list[list[tuple[float, float]]]]:
    """Outer rings of every feature of a world-atlas TopoJSON file, by ISO numeric id (or name without one)."""
    topo = json.loads(Path(path).read_text("utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    out: dict[str, list[list[tuple[float, float]]]] = {}
    for g in topo["objects"]["countries"]["geometries"]:
        polys = [g["arcs"]] if g["type"] == "Polygon" else g["arcs"] if g["type"] == "MultiPolygon" else []
        rings = []
        for poly in polys:
            ring: list[tuple[float, float]] = []
            for i in poly[0]:
                pts = arcs[i] if i >= 0 else arcs[~i][::-1]
                ring.extend(pts if not ring else pts[1:])
            rings.append(ring)
        out[g.get("id") or g["properties"]["name"]] = rings
    return out


def extent(ring: list[tuple[float, float]]) -> float:
    """The larger of a ring's longitude and latitude spans, in degrees."""
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return max(max(lons) - min(lons), max(lats) - min(lats))


def centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    """``(|area|, lon, lat)`` of a ring (shoelace formula; the vertex mean for a degenerate ring)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        c = x0 * y1 - x1 * y0
        a, cx, cy = a + c, cx + (x0 + x1) * c, cy + (y0 + y1) * c
    if abs(a) < 1e-12:
        return 0.0, sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    return abs(a) / 2, cx / (3 * a), cy / (3 * a)


def main(coarse: str, fine: str) -> None:
    states = sorted({r["state"] for r in csv.DictReader((DATA / "officials.csv").open(encoding="utf-8"))})
    small, detailed = polygons(coarse), polygons(fine)
    rows = []
    for code in states:
        country = pycountry.countries.get(alpha_3=code)
        key = country.numeric if country else {"XKX": "Kosovo"}.get(code, code)
        shown = small.get(key)
        if shown and max(extent(r) for r in shown) >= MIN_EXTENT:
            continue
        rings = detailed.get(key)
        if not rings:
            raise SystemExit(f"{code}: not in {fine}")
        _area, lon, lat = max(centroid(r) for r in rings)
        rows.append((code, "missing" if not shown else "small", f"{lon:.2f}", f"{lat:.2f}"))
    with (DATA / "map_points.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "at_110m", "lon", "lat"])
        w.writerows(rows)
    print(f"{len(rows)} marker points written to {DATA / 'map_points.csv'}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: map_points.py countries-110m.json countries-10m.json")
    main(sys.argv[1], sys.argv[2])
