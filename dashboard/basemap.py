"""The map's country borders and coastlines, drawn offline from Natural Earth's 1:50m countries.

The source is world-atlas 2.0.2 (`countries-50m.json`, Natural Earth 4.1.0 as TopoJSON, ISC licence;
`npm pack world-atlas@2`). A TopoJSON file stores each border once, as an "arc" shared by the two countries
it separates, so drawing every arc once as a line draws every border and coastline with no fill and no
border drawn twice. This module decodes the arcs into longitude/latitude paths, rounded to 0.01 degree,
simplifies each (Douglas-Peucker: no point of the drawn line is more than 0.05 degree, about 5 km, from the
source's), which leaves a third of the points, and writes them as one GeoJSON MultiLineString to
dashboard/static/borders-50m.json, which the page's map (Vega-Lite) fetches once from Streamlit's static
files:

    .venv/bin/python -m dashboard.basemap path/to/countries-50m.json
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

STATIC = Path(__file__).resolve().parent / "static"
BORDERS = STATIC / "borders-50m.json"
BORDERS_URL = "app/static/borders-50m.json"  # where Streamlit serves it (server.enableStaticServing)


def topojson_paths(topology: dict[str, Any], decimals: int = 2) -> list[list[list[float]]]:
    """Every arc of a TopoJSON topology as a list of [longitude, latitude] points.

    A quantized topology (one with a `transform`) stores each arc's first point and then the differences
    between consecutive points, in integer steps of `scale` from `translate`; a plain one stores positions.
    Points that rounding makes equal to the previous one are dropped.
    """
    transform = topology.get("transform")
    paths = []
    for arc in topology["arcs"]:
        if transform:
            (scale_x, scale_y), (translate_x, translate_y) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x, y = x + dx, y + dy
                points.append([round(x * scale_x + translate_x, decimals), round(y * scale_y + translate_y, decimals)])
        else:
            points = [[round(position[0], decimals), round(position[1], decimals)] for position in arc]
        path = [points[0]] + [point for previous, point in zip(points, points[1:], strict=False) if point != previous]
        if len(path) > 1:
            paths.append(path)
    return paths


def simplified(path: list[list[float]], tolerance: float) -> list[list[float]]:
    """The points of `path` that Douglas-Peucker keeps: none of the dropped ones is further than `tolerance`
    (degrees) from the line through the kept ones."""
    keep = [False] * len(path)
    keep[0] = keep[-1] = True
    spans = [(0, len(path) - 1)]
    while spans:
        first, last = spans.pop()
        (x1, y1), (x2, y2) = path[first], path[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        furthest, index = 0.0, None
        for i in range(first + 1, last):
            x, y = path[i]
            distance = abs(dy * (x - x1) - dx * (y - y1)) / length if length else math.hypot(x - x1, y - y1)
            if distance > furthest:
                furthest, index = distance, i
        if index is not None and furthest > tolerance:
            keep[index] = True
            spans += [(first, index), (index, last)]
    return [point for point, kept in zip(path, keep, strict=True) if kept]


def borders_geojson(paths: list[list[list[float]]]) -> dict[str, Any]:
    """`paths` as a GeoJSON FeatureCollection of one MultiLineString: lines, not shapes, so that nothing is
    filled and no border is drawn twice."""
    geometry = {"type": "MultiLineString", "coordinates": paths}
    return {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": geometry}]}


def write_borders(topojson_file: Path, target: Path = BORDERS, tolerance: float = 0.05) -> int:
    """Decode `topojson_file` into `target` as GeoJSON, each arc simplified to `tolerance` degrees; returns
    the number of points."""
    paths = [simplified(path, tolerance) for path in topojson_paths(json.loads(topojson_file.read_text("utf-8")))]
    target.write_text(json.dumps(borders_geojson(paths), separators=(",", ":")), encoding="utf-8")
    return sum(len(path) for path in paths)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m dashboard.basemap path/to/countries-50m.json")
    print(f"{write_borders(Path(sys.argv[1])):,} points of borders and coastlines written to {BORDERS}")
