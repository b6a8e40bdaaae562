"""A province's own commune boundaries: read (GeoJSON, zipped Shapefile, GeoPackage), reproject, simplify
without breaking shared borders, match to communes, report, save with the uploader's source and licence, remove.

Nothing is saved until the match report has been produced; a broken file, an unknown projection, a file with
no usable code or name column, or a huge file raises a DataError (vi/en) and changes nothing. Saved boundaries
live outside the tracked data (var/boundaries/), written atomically, one file per province.
"""

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from ntm.errors import DataError, Problem
from ntm.matching import UnitMatcher
from ntm.names import normalize
from ntm.paths import ROOT

MAX_BYTES = 50 * 1024 * 1024
MAX_FEATURES = 20_000
SIMPLIFY_DEGREES = 0.0003  # about 30 m: keeps commune shapes, shrinks uploads made for print
CODE_COLUMNS = ("ma_xa", "maxa", "ma", "code", "gso_code", "ma_dvhc", "commune_code", "id_xa")
NAME_COLUMNS = ("ten_xa", "tenxa", "xa", "name", "ten", "commune", "ten_dvhc")
DISTRICT_COLUMNS = ("ten_huyen", "tenhuyen", "huyen", "district", "ma_huyen", "mahuyen")


def folder() -> Path:
    return Path(os.environ.get("NTM_BOUNDARIES", ROOT / "var" / "boundaries"))


def _fail(name: str, vi: str, en: str, row: int | None = None, column: str | None = None) -> DataError:
    return DataError([Problem(name, row, column, vi, en)])


def _column(frame, candidates) -> str | None:
    lookup = {normalize(str(c)).replace(" ", "_"): c for c in frame.columns if c != "geometry"}
    for c in candidates:
        if c in lookup:
            return lookup[c]
    return None


def read(path: str | Path, name: str | None = None):
    """The file as a GeoDataFrame in EPSG:4326. Raises DataError for a broken, empty, unprojected or huge file."""
    import geopandas as gpd

    path = Path(path)
    name = name or path.name
    if path.stat().st_size > MAX_BYTES:
        raise _fail(name, f"tệp lớn hơn {MAX_BYTES // 2**20} MB", f"the file is larger than {MAX_BYTES // 2**20} MB")
    source = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        frame = gpd.read_file(source)
    except Exception as exc:  # pyogrio reports broken files in many ways; the user needs one clear message
        raise _fail(name, f"không đọc được tệp ranh giới ({type(exc).__name__})",
                    f"the boundary file cannot be read ({type(exc).__name__})") from exc
    if frame.empty or frame.geometry.isna().all():
        raise _fail(name, "tệp không có vùng nào", "the file has no features")
    if len(frame) > MAX_FEATURES:
        raise _fail(name, f"tệp có {len(frame)} vùng, quá {MAX_FEATURES}",
                    f"{len(frame)} features, over {MAX_FEATURES}")
    if frame.crs is None:
        raise _fail(name, "tệp không ghi hệ tọa độ (thiếu .prj hoặc crs): không biết phép chiếu",
                    "the file states no coordinate reference system (missing .prj or crs): unknown projection")
    return frame.to_crs(4326)


def match(frame, units: pd.DataFrame, province: str, name: str) -> dict:
    """Match features to the province's communes by GSO code, else by name (within the district when the file
    has a district column). Returns the report and the matched features."""
    code_col, name_col = _column(frame, CODE_COLUMNS), _column(frame, NAME_COLUMNS)
    district_col = _column(frame, DISTRICT_COLUMNS)
    if code_col is None and name_col is None:
        raise _fail(name, f"không có cột mã xã ({', '.join(CODE_COLUMNS)}) hay tên xã ({', '.join(NAME_COLUMNS)})",
                    f"no commune code ({', '.join(CODE_COLUMNS)}) or name ({', '.join(NAME_COLUMNS)}) column",
                    row=1)
    communes = units[(units["level"] == "commune") & (units["province_code"] == province)]
    codes = set(communes["code"])
    matcher = UnitMatcher(units)
    matched, unmatched, ambiguous = {}, [], []
    for i, record in enumerate(frame.drop(columns="geometry").to_dict("records"), start=1):
        record = {k: (None if isinstance(v, float) and v != v else v) for k, v in record.items()}
        code = None
        if code_col is not None and record.get(code_col) is not None:
            raw = str(record[code_col]).strip().split(".")[0]
            code = raw.zfill(5) if raw.isdigit() else None
            code = code if code in codes else None
        if code is None and name_col is not None and record.get(name_col):
            district = None
            if district_col is not None and record.get(district_col):
                district = matcher.match(str(record[district_col]), province, level="district").code
            m = matcher.match(str(record[name_col]), province, district=district)
            code = m.code
            if m.method == "ambiguous":
                ambiguous.append({"feature": i, "written": str(record[name_col]), "candidates": m.candidates})
        if code is None or code in matched:
            unmatched.append({"feature": i, "written": str(record.get(name_col) or record.get(code_col))})
            continue
        matched[code] = i - 1
    missing = sorted(codes - set(matched))
    return {"features": len(frame), "matched": len(matched), "unmatched": unmatched, "ambiguous": ambiguous,
            "communes_without_feature": missing, "rows": matched, "code_column": code_col, "name_column": name_col}


def prepare(frame, report: dict) -> dict:
    """The matched features, simplified as one coverage (shared borders stay shared) with standard ring order,
    as a GeoJSON FeatureCollection whose feature ids are GSO commune codes."""
    import shapely

    rows = list(report["rows"].items())
    geoms = shapely.make_valid(frame.geometry.iloc[[r for _, r in rows]].to_numpy())
    geoms = shapely.coverage_simplify(geoms, SIMPLIFY_DEGREES)
    geoms = shapely.orient_polygons(geoms, exterior_cw=False)
    features = [{"type": "Feature", "id": code, "properties": {"code": code},
                 "geometry": json.loads(shapely.to_geojson(shapely.set_precision(g, 1e-5)))}
                for (code, _), g in zip(rows, geoms, strict=True)]
    return {"type": "FeatureCollection", "features": features}


def save(province: str, collection: dict, source: str, licence: str, report: dict) -> Path:
    """Write the province's boundaries with their source, licence and match report (atomically)."""
    if not source.strip() or not licence.strip():
        raise _fail("—", "cần ghi nguồn và giấy phép", "a source and a licence are needed")
    target = folder() / f"{province}.geojson"
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = {**collection, "ntm": {"province": province, "source": source.strip(), "licence": licence.strip(),
                                     "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
                                     "report": {k: v for k, v in report.items() if k != "rows"}}}
    with tempfile.NamedTemporaryFile("w", dir=target.parent, delete=False, suffix=".tmp", encoding="utf-8") as fh:
        json.dump(payload, fh, ensure_ascii=False)
    os.replace(fh.name, target)
    return target


def load(province: str) -> dict | None:
    path = folder() / f"{province}.geojson"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def remove(province: str) -> bool:
    path = folder() / f"{province}.geojson"
    if path.exists():
        path.unlink()
        return True
    return False
