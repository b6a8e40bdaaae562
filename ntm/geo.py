"""Boundary files: the districts of a province (GPL-3.0, dvhcvn / gis.chinhphu.vn), its mainland extent, and the
map view that fits it. Geometry stays in GeoJSON files (DuckDB has no spatial extension offline)."""

import json
import math
from functools import lru_cache
from urllib.parse import quote

import shapely

from ntm.i18n import t
from ntm.paths import DATA_DIR

GEO = DATA_DIR / "geo"


def attribution(lang: str) -> str:
    """The boundaries' and the commune points' attribution, as a map shows it."""
    return f"{t('attribution_boundaries', lang)} {t('attribution_points', lang)}"


@lru_cache(maxsize=1)
def _files() -> dict[str, str]:
    """Province code -> its district boundary file, found from the files' own data (no list in code)."""
    found = {}
    for path in sorted(GEO.glob("districts_*.geojson")):
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        for code in {f["properties"]["province_code"] for f in features}:
            found[code] = path.name
    return found


def has_districts(province_code: str) -> bool:
    return province_code in _files()


@lru_cache(maxsize=8)
def _districts(province_code: str) -> str:
    return (GEO / _files()[province_code]).read_text(encoding="utf-8")


def districts(province_code: str, mainland: bool = True) -> dict:
    """The province's districts as a GeoJSON FeatureCollection (feature id = GSO district code); without the
    offshore archipelago (Trường Sa) unless mainland=False."""
    data = json.loads(_districts(province_code))
    features = [dict(f, id=f["properties"]["code"]) for f in data["features"]
                if not (mainland and f["properties"].get("offshore_archipelago"))]
    return {"type": "FeatureCollection", "features": features}


def offshore(province_code: str) -> list[str]:
    """Names of offshore districts kept off the mainland map (shown as a note, never deleted)."""
    return [name for _, name in _offshore(province_code)]


def offshore_codes(province_code: str) -> set[str]:
    return {code for code, _ in _offshore(province_code)}


@lru_cache(maxsize=8)
def _offshore(province_code: str) -> tuple[tuple[str, str], ...]:
    """(code, full name) of each offshore district: the GeoJSON parsed once, not on every map drawn."""
    data = json.loads(_districts(province_code))
    return tuple((f["properties"]["code"], f["properties"]["full_name"]) for f in data["features"]
                 if f["properties"].get("offshore_archipelago"))


@lru_cache(maxsize=8)
def bbox(province_code: str) -> tuple[float, float, float, float]:
    """The mainland extent [minx, miny, maxx, maxy] (provinces.geojson `map_bbox`)."""
    data = json.loads((GEO / "provinces.geojson").read_text(encoding="utf-8"))
    feature = next(f for f in data["features"] if f["properties"]["code"] == province_code)
    return tuple(feature["properties"]["map_bbox"])


# plotly's `geo` maps ask for a world topojson (from cdn.plot.ly unless told otherwise) as soon as a trace names its
# locations: an empty one, inline, keeps the request on the machine; no basemap is drawn, only our polygons.
NO_BASEMAP = "data:application/json," + quote(json.dumps({"type": "Topology", "objects": {}, "arcs": []})) + "#"


def clockwise(collection: dict) -> dict:
    """The collection with every outer ring clockwise: d3 (plotly's `geo`) reads a counter-clockwise ring, as
    GeoJSON writes it, as the whole globe minus the polygon."""
    geometries = shapely.orient_polygons(shapely.from_geojson([json.dumps(f["geometry"]) for f in
                                                                collection["features"]]), exterior_cw=True)
    features = [dict(f, geometry=json.loads(g)) for f, g in
                zip(collection["features"], shapely.to_geojson(geometries), strict=True)]
    return {**collection, "features": features}


def label_points(collection: dict) -> dict[str, tuple[float, float, float]]:
    """Feature id -> (lon, lat, area) where its name is written: the centre of the largest circle inside the
    polygon (its widest part, away from the neighbours' names)."""
    geometries = shapely.from_geojson([json.dumps(f["geometry"]) for f in collection["features"]])
    centres = shapely.get_point(shapely.maximum_inscribed_circle(geometries, 0.002), 0)
    return {f["id"]: (p.x, p.y, a) for f, p, a in
            zip(collection["features"], centres, shapely.area(geometries), strict=True)}


# a name is moved off its point where it would cover a name already written, in this order of places
PLACES = {"middle center": (0, 0), "bottom center": (0, -1), "top center": (0, 1), "middle right": (1, 0),
          "middle left": (-1, 0)}


def label_places(points: dict[str, tuple[float, float, float]], names: dict[str, str], size: int,
                 box: tuple[float, float, float, float], taken: list[tuple] | None = None, beside: bool = False,
                 plot: tuple[int, int] = (740, 510)) -> dict[str, str]:
    """Feature id -> plotly text position: the names of the smallest units first, each at its point (or beside
    it: a marker's name) unless it would overlap a name already written (`taken`, extended), then around it;
    left out where no place is free (estimated on a plot area of `plot` pixels showing `box`)."""
    def merc(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    scale = min(plot[0] / math.radians(box[2] - box[0]), plot[1] / (merc(box[3]) - merc(box[1])))
    placed, out = [] if taken is None else taken, {}
    places = {k: v for k, v in PLACES.items() if not (beside and k == "middle center")}
    for key in sorted(points, key=lambda k: points[k][2]):
        lon, lat, _ = points[key]
        x, y = math.radians(lon) * scale, merc(lat) * scale
        w, h = 0.7 * size * len(names[key]), 1.3 * size  # a serif face, semi-bold: about 0,7 em a letter
        options = [(place, (x + dx * (w / 2 + 4) - w / 2, y + dy * h - h / 2, x + dx * (w / 2 + 4) + w / 2,
                            y + dy * h + h / 2)) for place, (dx, dy) in places.items()]
        free = next((o for o in options if not any(_overlap(o[1], r) for r in placed)), None)
        if free:
            placed.append(free[1])
            out[key] = free[0]
    return out


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def layout(box: tuple[float, float, float, float]) -> dict:
    """A `geo` subplot showing the box (with a small margin) in Mercator, without any basemap."""
    minx, miny, maxx, maxy = box
    pad_x, pad_y = (maxx - minx) * 0.02, (maxy - miny) * 0.02
    return {"visible": False, "projection": {"type": "mercator"}, "bgcolor": "rgba(0,0,0,0)",
            "lonaxis": {"range": [minx - pad_x, maxx + pad_x]}, "lataxis": {"range": [miny - pad_y, maxy + pad_y]}}
