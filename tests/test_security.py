"""Attacks on the one door for files and on everything a user or a file can write: each case fails on the code
before the hardening (issue 10) and must keep failing to do harm.

Asserted: nothing is written outside its folder, no server file's content appears in any output, no connection
leaves the process (a listener on 127.0.0.1 stands in for any remote host), and text is rendered literally."""

import html
import io
import json
import re
import socket
import sqlite3
import threading
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from shapely.geometry import box
from streamlit.testing.v1 import AppTest

import ui
from conftest import ROOT
from ntm import boundaries, exports, store
from ntm.errors import DataError

SECRET = "ntm-secret-line-8d41"
MARKDOWN_ATTACKS = [
    "![x](http://127.0.0.1:9/pixel.png)", "[click](javascript:alert(1))", "<img src=http://127.0.0.1:9/a.png>",
    "<script>alert(1)</script>", ":red[đỏ] **đậm** _nghiêng_", "$\\sum x$", "&lt;b&gt;", "`code`", "# tiêu đề",
    "<http://127.0.0.1:9/auto>", "www.example.invalid", "line one\n\n- a list\n> quote",
]


class Listener:
    """A TCP listener on 127.0.0.1 that counts connection attempts: any URL an upload names points here."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self._stop = True
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "server-secret.csv"
    path.write_text(f"name,value\n{SECRET},1\n", encoding="utf-8")
    return path


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NTM_BOUNDARIES", str(tmp_path / "boundaries"))
    monkeypatch.setenv("NTM_IMPORTS", str(tmp_path / "imports"))  # boundary uploads are logged as batches
    return tmp_path / "boundaries"


def _vrt(source: str) -> bytes:
    return (f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>{source}</SrcDataSource>'
            '<GeometryType>wkbNone</GeometryType></OGRVRTLayer></OGRVRTDataSource>').encode()


def _polygons(**columns) -> gpd.GeoDataFrame:
    columns = columns or {"ma_xa": ["22435"], "ten_xa": ["Cam Tân"]}
    n = len(next(iter(columns.values())))
    return gpd.GeoDataFrame(columns, geometry=[box(109 + i / 10, 12, 109.1 + i / 10, 12.1) for i in range(n)],
                            crs="EPSG:4326")


def _shapefile_zip(tmp_path: Path, extra: dict[str, bytes] | None = None, frame=None) -> bytes:
    folder = tmp_path / "shp-src"
    folder.mkdir(exist_ok=True)
    (frame if frame is not None else _polygons()).to_file(folder / "xa.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, part.name)
        for name, content in (extra or {}).items():
            zf.writestr(name, content)
    return buf.getvalue()


def _refused(data: bytes, name: str) -> str:
    with pytest.raises(DataError) as err:
        boundaries.read_upload(data, name)
    return str(err.value)


# ---- the file's name is never a path ----------------------------------------------------------------------

def test_no_page_builds_a_path_from_an_upload_name():
    for source in [*(ROOT / "views").glob("*.py"), ROOT / "ui.py", ROOT / "app.py"]:
        text = source.read_text(encoding="utf-8")
        assert not re.search(r"(/|join\(|Path\().*upload[A-Za-z_]*\.name", text), source


@pytest.mark.parametrize("name", ["../../../../tmp/ntm-evil.zip", "/tmp/ntm-evil.zip", "..\\..\\ntm-evil.zip",
                                  "x/../../ntm-evil.zip"])
def test_upload_name_with_path_characters_writes_nowhere(tmp_path, monkeypatch, name):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    frame = boundaries.read_upload(_shapefile_zip(tmp_path), name)
    assert len(frame) == 1
    assert not Path("/tmp/ntm-evil.zip").exists() and not (ROOT.parent / "ntm-evil.zip").exists()
    assert list(scratch.iterdir()) == []  # the generated temporary folder is gone


@pytest.mark.parametrize("member", ["../../ntm-evil.shp", "/tmp/ntm-evil.shp", "a/../../ntm-evil.dbf",
                                    "C:/ntm-evil.shp", "..\\ntm-evil.shx"])
def test_zip_members_with_unsafe_paths_are_refused(tmp_path, member):
    data = _shapefile_zip(tmp_path, {member: b"\x00\x00\x27\x0a"})
    message = _refused(data, "xa.zip")
    assert "không an toàn" in message and "unsafe path" in message
    assert not Path("/tmp/ntm-evil.shp").exists() and not (tmp_path.parent / "ntm-evil.shp").exists()


def test_zip_bomb_and_undeclared_formats_are_refused(tmp_path):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xa.shp", b"\x00\x00\x27\x0a" + b"\x00" * (30 * 2**20))
        zf.writestr("xa.shx", b"\x00\x00\x27\x0a")
        zf.writestr("xa.dbf", b"\x03")
    assert "giải nén quá lớn" in _refused(bomb.getvalue(), "xa.zip")
    assert "chỉ nhận GeoJSON" in _refused(b"<OGRVRTDataSource/>", "xa.vrt")
    assert "chỉ nhận GeoJSON" in _refused(b"x", "xa.csv")


# ---- GDAL never reads a server file or the network -------------------------------------------------------------

@pytest.mark.parametrize("name", ["xa.geojson", "xa.json", "xa.gpkg"])
def test_vrt_pointing_at_a_server_file_is_refused(secret_file, name):
    message = _refused(_vrt(f"CSV:{secret_file}"), name)
    assert SECRET not in message and str(secret_file) not in message


def test_vrt_disguised_as_a_shapefile_in_a_zip(tmp_path, secret_file):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xa.shp", _vrt(f"CSV:{secret_file}"))
        zf.writestr("xa.shx", _vrt(f"CSV:{secret_file}"))
        zf.writestr("xa.dbf", b"\x03")
    message = _refused(buf.getvalue(), "xa.zip")
    assert "không phải là Shapefile" in message and SECRET not in message


def test_a_vrt_beside_a_good_shapefile_is_never_read(tmp_path, secret_file):
    data = _shapefile_zip(tmp_path, {"xa.vrt": _vrt(f"CSV:{secret_file}")})
    frame = boundaries.read_upload(data, "xa.zip")
    assert SECRET not in frame.to_json()


@pytest.mark.parametrize("name", ["xa.geojson", "xa.gpkg"])
def test_vsicurl_never_connects(listener, name):
    _refused(_vrt(f"/vsicurl/http://127.0.0.1:{listener.port}/x.csv"), name)
    assert listener.connections == 0


def test_geojson_crs_link_is_refused_without_a_request(listener):
    doc = json.loads(_polygons().to_json())
    doc["crs"] = {"type": "link", "properties": {"href": f"http://127.0.0.1:{listener.port}/crs", "type": "proj4"}}
    message = _refused(json.dumps(doc).encode(), "xa.geojson")
    assert "EPSG" in message and listener.connections == 0


def test_named_epsg_crs_is_still_accepted():
    frame = _polygons().to_crs(32649)
    doc = json.loads(frame.to_json())
    doc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32649"}}
    read = boundaries.read_upload(json.dumps(doc).encode(), "xa.geojson")
    assert read.crs.to_epsg() == 4326 and abs(read.geometry.iloc[0].bounds[0] - 109.0) < 1e-6


def test_geopackage_is_read_only_with_its_signature(tmp_path, listener):
    good = tmp_path / "xa.gpkg"
    _polygons().to_file(good, driver="GPKG")
    assert len(boundaries.read_upload(good.read_bytes(), "xa.gpkg")) == 1
    plain = tmp_path / "plain.sqlite"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.commit()
    assert "không phải là GeoPackage" in _refused(plain.read_bytes(), "xa.gpkg")
    assert listener.connections == 0


# ---- what a file or a user writes is shown as text ------------------------------------------------------------

@pytest.mark.parametrize("payload", MARKDOWN_ATTACKS)
def test_literal_text_renders_as_written(payload):
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(ui.literal(payload))
    for tag in ("<img", "<a ", "<script", "<strong", "<em", "<code", "<h1", "<li", "<blockquote"):
        assert tag not in rendered
    visible = html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()
    assert visible == " ".join(payload.split())


def _map_page(editor: bool = False, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if editor:  # as signed in on the import page (ntm.accounts)
        at.session_state["user"] = {"name": "bien.tap", "role": "editor"}
    for key, value in {"province": "56", "as_of": "2023", **params}.items():
        at.query_params[key] = value
    at.run()
    at.switch_page("views/map.py").run()
    return at


def _markdown_texts(at) -> list[str]:
    return [e.value for kind in ("markdown", "caption", "success", "info", "warning", "error")
            for e in getattr(at, kind)]


def test_saved_source_licence_and_names_show_literally(db_path, con, store_dir):
    attack = "![x](http://127.0.0.1:9/pixel.png) <img src=x>"
    report = {"features": 1, "matched": 1, "unmatched": [{"feature": 2, "written": attack}]}
    collection = boundaries.prepare(_polygons(), {"rows": {"22435": 0}})
    boundaries.save("56", collection, attack, attack, report)
    at = _map_page()
    assert not at.exception
    for text in _markdown_texts(at):
        assert "![" not in text and "<img" not in text and "](" not in text
    assert any(attack in t.value for t in at.text)


def test_upload_through_the_page(db_path, store_dir, tmp_path):
    """The page itself, driven as a browser would: a traversal name, a markdown source, a bad file. Only an
    editor may upload; the saved upload is in the import history with who uploaded it."""
    from ntm import imports

    assert not _map_page().file_uploader  # a viewer: no upload
    at = _map_page(editor=True)
    doc = _polygons(ma_xa=["22435", "00000"], ten_xa=["Cam Tân", "![x](http://127.0.0.1:9/y.png)"]).to_json()
    at.file_uploader[0].set_value(("../../../../tmp/ntm-evil.geojson", doc.encode(), "application/geo+json"))
    at.text_input(key="boundary_source").input("![src](http://127.0.0.1:9/pixel.png)")
    at.text_input(key="boundary_licence").input("CC BY 4.0")
    at.run()
    at.button(key="boundary_check").click().run()
    assert not at.exception
    assert any("1/2" in i.value for i in at.info)
    assert "![x]" in at.dataframe[-1].value.to_string()  # the unmatched name, as text in a table cell
    at.button(key="boundary_save").click().run()
    assert not at.exception and not Path("/tmp/ntm-evil.geojson").exists()
    assert sorted(p.name for p in store_dir.iterdir() if not p.name.startswith(".")) == ["56.geojson"]
    logged = imports.history()
    assert list(zip(logged["kind"], logged["by"], logged["status"], logged["rows"], strict=True)) == [
        ("boundaries", "bien.tap", "applied", 1)]
    assert "evil" in logged["file"][0] and "/" not in next(imports.root().glob("b*/original.*")).name
    for text in _markdown_texts(at):
        assert "![" not in text
    at.file_uploader[0].set_value(("../../x.geojson", b"<OGRVRTDataSource/>", "application/json"))
    at.run()
    at.button(key="boundary_check").click().run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "x\\.geojson" in errors and "\\.\\./" not in errors and "/tmp" not in errors


# ---- identifiers never become paths -------------------------------------------------------------------------

@pytest.mark.parametrize("province", ["56/../../x", "../56", "/etc/passwd", "5", "56.geojson", "", "٥٦"])
def test_province_with_path_characters_is_refused(store_dir, tmp_path, province):
    collection = boundaries.prepare(_polygons(), {"rows": {"22435": 0}})
    with pytest.raises(DataError):
        boundaries.save(province, collection, "Nguồn", "CC BY 4.0", {})
    with pytest.raises(DataError):
        boundaries.load(province)
    with pytest.raises(DataError):
        boundaries.remove(province)
    assert not (tmp_path / "x.geojson").exists() and not (store_dir.parent / "x.geojson").exists()


# ---- exports never carry a live formula ---------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://127.0.0.1:9\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def test_csv_neutralises_every_formula_start_in_cells_and_headers():
    frame = pd.DataFrame({f: [f] for f in FORMULAS})
    text = exports.table_csv(frame).decode("utf-8-sig")
    cells = [c for line in pd.read_csv(io.StringIO(text), sep=";", dtype=str, header=None).to_numpy() for c in line]
    assert len(cells) == 2 * len(FORMULAS) and all(c.startswith("'") for c in cells)


def test_xlsx_title_header_cells_and_source_are_text_not_formulas():
    frame = pd.DataFrame({f: [f, 1.5] for f in FORMULAS})
    data = exports.table_xlsx(frame, "=TITLE()", "+filters", "=source()", None)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert "<f>" not in zf.read("xl/worksheets/sheet1.xml").decode()
    sheet = load_workbook(io.BytesIO(data)).active
    texts = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    # the XML parser reads a CR back as LF, or keeps it (lxml, installed with python-docx); the cell is still text
    assert {c.value.replace("\r", "\n") for c in texts} >= {"=TITLE()", "+filters", "=source()",
                                                             *(f.replace("\r", "\n") for f in FORMULAS)}
    assert all(c.data_type == "s" for c in texts)
    assert all(c.quotePrefix for c in texts if c.value.startswith(exports.FORMULA_STARTS))
    assert sheet.cell(row=6, column=1).value == 1.5  # numbers stay numbers


def test_units_of_the_unit_table_are_the_only_province_choices(con):
    codes = set(store.provinces(con)["code"])
    assert codes and all(re.fullmatch(r"\d{2}", c) for c in codes)


@pytest.mark.parametrize("query", ["'; DROP TABLE units; --", "' OR 1=1 --", "c_mmunes", "%ninh%", ".*",
                                   "Ninh Hòa' --", "Ninh Hòa"])
def test_facts_search_text_is_a_plain_string_never_sql_or_a_pattern(con, query):
    """The facts page's search box goes to DuckDB as a bound value: SQL in it is text to look for, LIKE and regular
    expression characters match themselves only, and the database is the same afterwards."""
    from ntm import statements, units

    province = (units.resolve_province(con, "56"),)
    before = {t: store.count_rows(con, t) for t in (*store.FACT_TABLES, "units", "documents")}
    doc_id = next(iter(statements.documents(con, province)))
    every = statements.page(con, province, doc_id)["facts"]
    holds = every[list(statements.SEARCHED)].fillna("").astype(str).apply(
        lambda row: query.lower() in " ".join(row).lower(), axis=1)  # the text, looked for literally
    found = statements.page(con, province, doc_id, query)
    assert (query == "Ninh Hòa") == (found["count"] > 0)  # as a LIKE pattern, "c_mmunes" would match every row
    assert found["count"] == len(found["facts"]) == int(holds.sum())
    assert {t: store.count_rows(con, t) for t in before} == before
