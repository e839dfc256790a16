"""Country outlines from TopoJSON (Natural Earth via world-atlas): which country a point lies in."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["Outlines", "Ring", "area_centroid", "inside", "polygons"]

Ring = list[tuple[float, float]]  # (lon, lat) points, closed implicitly


def _arcs(topo: dict[str, Any]) -> list[Ring]:
    """Decode TopoJSON's delta-encoded, quantized arcs into lon/lat point lists."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out: list[Ring] = []
    for arc in topo["arcs"]:
        x = y = 0
        ring: Ring = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            ring.append((x * sx + tx, y * sy + ty))
        out.append(ring)
    return out


def _ring(indexes: Iterable[int], arcs: list[Ring]) -> Ring:
    points: Ring = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]  # a negative index is the arc reversed (TopoJSON)
        points.extend(arc if not points else arc[1:])
    return points


def polygons(topo: dict[str, Any], layer: str = "countries") -> Iterator[tuple[str, list[list[Ring]]]]:
    """(ISO 3166 numeric id, polygons as [outer ring, holes...]) of every feature of `layer` that has an id."""
    arcs = _arcs(topo)
    for geom in topo["objects"][layer]["geometries"]:
        if "id" not in geom or geom["type"] not in ("Polygon", "MultiPolygon"):
            continue  # territories without an ISO code cannot be named by a country code anyway
        parts = geom["arcs"] if geom["type"] == "MultiPolygon" else [geom["arcs"]]
        yield geom["id"], [[_ring(r, arcs) for r in poly] for poly in parts]


def inside(lon: float, lat: float, ring: Ring) -> bool:
    """Even-odd ray casting: is the point inside the ring?"""
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
        if (y0 > lat) != (y1 > lat) and lon < (x1 - x0) * (lat - y0) / (y1 - y0) + x0:
            hit = not hit
    return hit


def area_centroid(ring: Ring) -> tuple[float, float, float]:
    """(area, lon, lat of the centroid) of a simple ring, in degrees (fine for choosing and placing, not for km)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if a == 0:
        return 0.0, ring[0][0], ring[0][1]
    return abs(a) / 2, cx / (3 * a), cy / (3 * a)


class Outlines:
    """Countries by ISO 3166 numeric id; `country_at` answers which one holds a point (None: sea or unknown)."""

    def __init__(self, topo: dict[str, Any]) -> None:
        self._shapes = [(code, polys, _bbox(polys)) for code, polys in polygons(topo)]

    def codes(self) -> set[str]:
        """The numeric ids that have an outline."""
        return {code for code, _, _ in self._shapes}

    def country_at(self, lon: float, lat: float, reach: float = 0.0) -> str | None:
        """The numeric id of the country whose outline holds the point (outside its holes).

        With `reach` (degrees), a point just off a coast that the outline's scale cuts away (Surabaya's harbour
        at 1:50m) takes the country first found at that distance in one of eight directions.
        """
        found = self._at(lon, lat)
        if found is not None or reach <= 0:
            return found
        for step in (reach / 2, reach):
            for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)):
                found = self._at(lon + dx * step, lat + dy * step)
                if found is not None:
                    return found
        return None

    def _at(self, lon: float, lat: float) -> str | None:
        # Some outlines overlap without a hole for what lies inside them (Israel's 1:50m outline holds the West
        # Bank): of the countries that hold the point, the one with the smallest bounding box is the inner one.
        best: tuple[float, str] | None = None
        for code, polys, (x0, y0, x1, y1) in self._shapes:
            if not (x0 <= lon <= x1 and y0 <= lat <= y1):
                continue
            for outer, *holes in polys:
                if inside(lon, lat, outer) and not any(inside(lon, lat, h) for h in holes):
                    size = (x1 - x0) * (y1 - y0)
                    if best is None or size < best[0]:
                        best = (size, code)
                    break
        return None if best is None else best[1]


def _bbox(polys: list[list[Ring]]) -> tuple[float, float, float, float]:
    xs = [x for poly in polys for x, _ in poly[0]]
    ys = [y for poly in polys for _, y in poly[0]]
    return min(xs), min(ys), max(xs), max(ys)
