"""Boundary files: the districts of a province (GPL-3.0, dvhcvn / gis.chinhphu.vn), its mainland extent, and the
map view that fits it. Geometry stays in GeoJSON files (DuckDB has no spatial extension offline)."""

import json
import math
from functools import lru_cache

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
    data = json.loads(_districts(province_code))
    return [f["properties"]["full_name"] for f in data["features"] if f["properties"].get("offshore_archipelago")]


@lru_cache(maxsize=8)
def bbox(province_code: str) -> tuple[float, float, float, float]:
    """The mainland extent [minx, miny, maxx, maxy] (provinces.geojson `map_bbox`)."""
    data = json.loads((GEO / "provinces.geojson").read_text(encoding="utf-8"))
    feature = next(f for f in data["features"] if f["properties"]["code"] == province_code)
    return tuple(feature["properties"]["map_bbox"])


TILE = 512  # MapLibre (plotly's `map`) draws the world 512 px wide at zoom 0


def view(box: tuple[float, float, float, float], width: int = 900, height: int = 620) -> dict:
    """Center and zoom (web Mercator) that fit a box in a map of width × height pixels, with a small margin."""
    minx, miny, maxx, maxy = box

    def merc(lat):
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    zoom_x = math.log2(width * 360 / (TILE * max(maxx - minx, 1e-6)))
    zoom_y = math.log2(height * 2 * math.pi / (TILE * max(merc(maxy) - merc(miny), 1e-9)))
    center_lat = math.degrees(math.atan(math.sinh((merc(miny) + merc(maxy)) / 2)))
    return {"center": {"lat": center_lat, "lon": (minx + maxx) / 2}, "zoom": min(zoom_x, zoom_y) - 0.15}

