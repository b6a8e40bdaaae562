"""A province's own commune boundaries: read (GeoJSON, zipped Shapefile, GeoPackage), reproject, simplify
without breaking shared borders, match to communes, report, save with the uploader's source and licence, remove.

Nothing is saved until the match report has been produced; a broken file, an unknown projection, a file with
no usable code or name column, or a huge file raises a DataError (vi/en) and changes nothing. Saved boundaries
live outside the tracked data (var/boundaries/), written atomically, one file per province.

An upload is data, never a path or a program. Its name chooses only the declared format (by an allow-list of
endings) and is otherwise kept for messages. Its bytes are checked to be that format before anything reads
them: GeoJSON is parsed here as JSON (GDAL never sees it, so no VRT, no remote `crs` link); a zip must hold one
Shapefile whose members have safe names and sizes, extracted under generated names; a GeoPackage must carry
the SQLite/GeoPackage signature. GDAL reads only those two checked files, with remote access switched off.
Only polygons inside the valid longitude/latitude range are accepted.
"""

import io
import json
import os
import re
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

import pandas as pd

from ntm.errors import DataError, Problem, excerpt
from ntm.matching import UnitMatcher
from ntm.names import normalize
from ntm.paths import ROOT

MAX_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED = 200 * 1024 * 1024
MAX_ZIP_RATIO = 100  # a member that inflates more than this is a zip bomb, not a Shapefile
MAX_FEATURES = 20_000
MAX_PROBLEMS = 20
SIMPLIFY_DEGREES = 0.0003  # about 30 m: keeps commune shapes, shrinks uploads made for print
CODE_COLUMNS = ("ma_xa", "maxa", "ma", "code", "gso_code", "ma_dvhc", "commune_code", "id_xa")
NAME_COLUMNS = ("ten_xa", "tenxa", "xa", "name", "ten", "commune", "ten_dvhc")
DISTRICT_COLUMNS = ("ten_huyen", "tenhuyen", "huyen", "district", "ma_huyen", "mahuyen")
FORMATS = {".geojson": "geojson", ".json": "geojson", ".zip": "shapefile", ".gpkg": "gpkg"}
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
SHAPEFILE_MAGIC = b"\x00\x00\x27\x0a"
GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
GEOJSON_CRS = re.compile(r"^(?:urn:ogc:def:crs:EPSG:[\d.]*:|EPSG:)(\d{4,5})$", re.IGNORECASE)
GEOJSON_CRS84 = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "OGC:CRS84"}
POLYGONS = ("Polygon", "MultiPolygon")
PROVINCE_CODE = re.compile(r"^[0-9]{2}$")
# GDAL and PROJ may never reach the network or a file the upload names: no /vsicurl/ file has an allowed ending,
# SQLite virtual tables may not open other files, PROJ fetches no grids.
GDAL_OPTIONS = {"CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".ntm-no-remote-files", "GDAL_HTTP_MAX_RETRY": "0",
                "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO", "PROJ_NETWORK": "OFF"}


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
    """A file on disk (tests, the CLI) read exactly as an upload of its bytes would be."""
    path = Path(path)
    name = name or path.name
    if path.stat().st_size > MAX_BYTES:
        raise _too_large(name)
    return read_upload(path.read_bytes(), name)


def _too_large(name: str) -> DataError:
    return _fail(name, f"tệp lớn hơn {MAX_BYTES // 2**20} MB", f"the file is larger than {MAX_BYTES // 2**20} MB")


def read_upload(data: bytes, original_name: str):
    """An uploaded file as a GeoDataFrame in EPSG:4326. `original_name` (chosen by the browser) only selects the
    declared format; it never becomes part of a path. Raises DataError for anything but a readable file of
    polygons in a known projection."""
    name = excerpt(PurePosixPath(str(original_name).replace("\\", "/")).name or "?")
    if len(data) > MAX_BYTES:
        raise _too_large(name)
    kind = FORMATS.get(PurePosixPath(name).suffix.lower())
    if kind is None:
        raise _fail(name, "chỉ nhận GeoJSON (.geojson, .json), Shapefile nén (.zip) hoặc GeoPackage (.gpkg)",
                    "only GeoJSON (.geojson, .json), a zipped Shapefile (.zip) or GeoPackage (.gpkg) is accepted")
    if kind == "geojson":
        frame = _geojson(data, name)
    else:
        with tempfile.TemporaryDirectory(prefix="ntm-upload-") as tmp:
            path = _unzip_shapefile(data, name, Path(tmp)) if kind == "shapefile" else _gpkg(data, name, Path(tmp))
            frame = _gdal_read(path, name)
    return _checked(frame, name)


def _geojson(data: bytes, name: str):
    import geopandas as gpd
    import shapely.geometry

    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise _fail(name, "không đọc được tệp ranh giới: không phải GeoJSON (JSON UTF-8)",
                    "the boundary file cannot be read: not GeoJSON (UTF-8 JSON)") from exc
    if not isinstance(doc, dict) or doc.get("type") not in ("FeatureCollection", "Feature"):
        raise _fail(name, "không đọc được tệp ranh giới: GeoJSON phải là một FeatureCollection",
                    "the boundary file cannot be read: GeoJSON must be a FeatureCollection")
    crs = _geojson_crs(doc.get("crs"), name)
    features = doc.get("features") if doc["type"] == "FeatureCollection" else [doc]
    if not isinstance(features, list):
        raise _fail(name, "không đọc được tệp ranh giới: thiếu danh sách features",
                    "the boundary file cannot be read: no list of features")
    if len(features) > MAX_FEATURES:
        raise _fail(name, f"tệp có {len(features)} vùng, quá {MAX_FEATURES}",
                    f"{len(features)} features, over {MAX_FEATURES}")
    records, geometries, problems = [], [], []
    for i, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        try:
            geometry = feature.get("geometry") if isinstance(feature, dict) else None
            geometries.append(None if geometry is None else shapely.geometry.shape(geometry))
        except Exception:  # shapely raises several kinds for malformed coordinates
            geometries.append(None)
            problems.append(Problem(name, i, "geometry", f"vùng thứ {i} có hình học không hợp lệ",
                                    f"feature {i} has an invalid geometry"))
        records.append({k: _scalar(v) for k, v in props.items()} if isinstance(props, dict) else {})
    if problems:
        raise DataError(problems[:MAX_PROBLEMS])
    return gpd.GeoDataFrame(pd.DataFrame.from_records(records, index=range(len(records))),
                            geometry=geometries, crs=crs)


def _scalar(value):
    return value if value is None or isinstance(value, (str, int, float, bool)) else json.dumps(value)[:200]


def _geojson_crs(crs, name: str) -> str:
    """RFC 7946 GeoJSON is WGS 84; the legacy `crs` member is accepted only as a named EPSG code, never a link."""
    if crs is None:
        return "EPSG:4326"
    written = crs.get("properties", {}).get("name") if isinstance(crs, dict) and crs.get("type") == "name" \
        and isinstance(crs.get("properties"), dict) else None
    if isinstance(written, str) and written in GEOJSON_CRS84:
        return "EPSG:4326"
    code = GEOJSON_CRS.match(written) if isinstance(written, str) else None
    if code is None:
        raise _fail(name, "hệ tọa độ (crs) phải ghi bằng mã EPSG (ví dụ EPSG:4326), không nhận liên kết hay mô tả khác",
                    "the coordinate reference system (crs) must be an EPSG code (e.g. EPSG:4326); links and other "
                    "forms are refused")
    return f"EPSG:{code.group(1)}"


def _unzip_shapefile(data: bytes, name: str, tmp: Path) -> Path:
    """The one Shapefile of a zip, its members checked (safe names, sizes, no encryption) and written under
    generated names in `tmp`; other members are ignored, never extracted."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise _fail(name, "không đọc được tệp nén (.zip)", "the zip file cannot be read") from exc
    parts, total = {}, 0
    for info in members:
        member = info.filename.replace("\\", "/")
        if member.endswith("/"):
            continue
        path = PurePosixPath(member)
        if path.is_absolute() or ".." in path.parts or ":" in member or "\x00" in member:
            raise _fail(name, f"tệp nén chứa đường dẫn không an toàn: '{excerpt(member)}'",
                        f"the zip holds an unsafe path: '{excerpt(member)}'")
        suffix = path.suffix.lower()
        if suffix not in SHAPEFILE_PARTS:
            continue
        if info.flag_bits & 0x1:
            raise _fail(name, "tệp nén có mật khẩu", "the zip is password-protected")
        if suffix in parts:
            raise _fail(name, "tệp nén chứa nhiều hơn một Shapefile", "the zip holds more than one Shapefile")
        total += info.file_size
        if total > MAX_UNZIPPED or info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1) + 4096:
            raise _fail(name, f"tệp nén giải nén quá lớn (giới hạn {MAX_UNZIPPED // 2**20} MB)",
                        f"the zip inflates too much (limit {MAX_UNZIPPED // 2**20} MB)")
        parts[suffix] = info
    missing = [s for s in (".shp", ".shx", ".dbf") if s not in parts]
    if missing:
        raise _fail(name, f"tệp nén không có Shapefile đầy đủ (thiếu {', '.join(missing)})",
                    f"the zip holds no complete Shapefile (missing {', '.join(missing)})")
    for suffix, info in parts.items():
        with archive.open(info) as src:
            content = src.read(info.file_size + 1)
        if len(content) > info.file_size:
            raise _fail(name, "tệp nén bị hỏng (kích thước sai)", "the zip is damaged (wrong sizes)")
        if suffix in (".shp", ".shx") and not content.startswith(SHAPEFILE_MAGIC):
            raise _fail(name, f"{suffix} trong tệp nén không phải là Shapefile", f"the {suffix} in the zip is not a "
                        "Shapefile")
        (tmp / f"layer{suffix}").write_bytes(content)
    return tmp / "layer.shp"


def _gpkg(data: bytes, name: str, tmp: Path) -> Path:
    if not data.startswith(b"SQLite format 3\x00") or data[68:72] not in GPKG_IDS:
        raise _fail(name, "tệp .gpkg không phải là GeoPackage", "the .gpkg file is not a GeoPackage")
    path = tmp / "layer.gpkg"
    path.write_bytes(data)
    return path


def _gdal_read(path: Path, name: str):
    import geopandas as gpd
    import pyogrio
    import pyproj.network

    pyogrio.set_gdal_config_options(GDAL_OPTIONS)
    pyproj.network.set_network_enabled(False)  # pyright: ignore[reportPrivateImportUsage]  # public, documented
    try:
        return gpd.read_file(path, engine="pyogrio")
    except Exception as exc:  # pyogrio reports broken files in many ways; the user needs one clear message
        raise _fail(name, f"không đọc được tệp ranh giới ({type(exc).__name__})",
                    f"the boundary file cannot be read ({type(exc).__name__})") from exc


def _checked(frame, name: str):
    """Polygons only, within the valid coordinate range, in a stated projection; reprojected to EPSG:4326."""
    import shapely

    if frame.empty or frame.geometry.isna().all():
        raise _fail(name, "tệp không có vùng nào", "the file has no features")
    if len(frame) > MAX_FEATURES:
        raise _fail(name, f"tệp có {len(frame)} vùng, quá {MAX_FEATURES}",
                    f"{len(frame)} features, over {MAX_FEATURES}")
    if frame.crs is None:
        raise _fail(name, "tệp không ghi hệ tọa độ (thiếu .prj hoặc crs): không biết phép chiếu",
                    "the file states no coordinate reference system (missing .prj or crs): unknown projection")
    kinds = frame.geometry.geom_type
    wrong = [(i, k) for i, k in enumerate(kinds, start=1) if k is not None and k == k and k not in POLYGONS]
    if wrong:
        raise DataError([Problem(name, i, "geometry", f"vùng thứ {i} là {k}: chỉ nhận vùng (Polygon, MultiPolygon)",
                                 f"feature {i} is a {k}: only areas (Polygon, MultiPolygon) are accepted")
                         for i, k in wrong[:MAX_PROBLEMS]])
    try:
        frame = frame.to_crs(4326)
    except Exception as exc:  # pyproj raises for projections it cannot transform
        raise _fail(name, "không chuyển được hệ tọa độ của tệp", "the file's projection cannot be transformed") from exc
    bounds = shapely.bounds(frame.geometry.to_numpy())
    outside = [i for i, (x0, y0, x1, y1) in enumerate(bounds, start=1)
               if x0 == x0 and not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90)]  # x0 != x0: no geometry
    if outside:
        raise DataError([Problem(name, i, "geometry", f"vùng thứ {i} có tọa độ ngoài kinh độ −180…180 / vĩ độ −90…90",
                                 f"feature {i} has coordinates outside longitude −180…180 / latitude −90…90")
                         for i in outside[:MAX_PROBLEMS]])
    return frame


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
                ambiguous.append({"feature": i, "written": excerpt(record[name_col]), "candidates": m.candidates})
        if code is None or code in matched:
            unmatched.append({"feature": i, "written": excerpt(record.get(name_col) or record.get(code_col))})
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


def _path(province: str) -> Path:
    """The file of a province's boundaries. The code must be a two-digit GSO province code (callers check it
    against the unit table); anything else never reaches the file system."""
    if not isinstance(province, str) or not PROVINCE_CODE.fullmatch(province):
        raise _fail("—", f"mã tỉnh không hợp lệ: '{excerpt(province)}'", f"not a province code: '{excerpt(province)}'")
    base = folder().resolve()
    path = (base / f"{province}.geojson").resolve()
    if path.parent != base:
        raise _fail("—", "đường dẫn ngoài thư mục ranh giới", "a path outside the boundaries folder")
    return path


def save(province: str, collection: dict, source: str, licence: str, report: dict,
         replace_confirmed: bool = False) -> Path:
    """Write the province's boundaries with their source, licence and match report (atomically). An empty set
    is never saved; one with fewer communes than the boundaries already saved needs `replace_confirmed`."""
    target = _path(province)
    if not source.strip() or not licence.strip():
        raise _fail("—", "cần ghi nguồn và giấy phép", "a source and a licence are needed")
    features = collection.get("features") or []
    if not features:
        raise _fail("—", "không có vùng nào khớp với xã của tỉnh: không lưu", "no feature matches a commune of the "
                    "province: nothing saved")
    current = load(province)
    if current is not None and len(current.get("features", [])) > len(features) and not replace_confirmed:
        raise _fail("—", f"ranh giới đang lưu có {len(current['features'])} xã, tệp mới chỉ có {len(features)}: "
                    "cần xác nhận thay thế", f"the saved boundaries hold {len(current['features'])} communes, the "
                    f"new file only {len(features)}: replacing needs a confirmation")
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(target.parent)
    payload = {**collection, "ntm": {"province": province, "source": source.strip(), "licence": licence.strip(),
                                     "saved_at": datetime.now(UTC).isoformat(timespec="seconds"),
                                     "report": {k: v for k, v in report.items() if k != "rows"}}}
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".saving-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, ensure_ascii=False)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _remove_stale_temporaries(where: Path, older_than_s: float = 3600) -> None:
    """Temporaries left by a save that was killed (a live save finishes in seconds)."""
    now = datetime.now(UTC).timestamp()
    for stale in [*where.glob(".saving-*.tmp"), *where.glob("tmp*.tmp")]:
        try:
            if now - stale.stat().st_mtime > older_than_s:
                stale.unlink()
        except OSError:
            pass


def load(province: str) -> dict | None:
    path = _path(province)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def remove(province: str) -> bool:
    path = _path(province)
    if path.exists():
        path.unlink()
        return True
    return False
