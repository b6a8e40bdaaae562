"""The map: its colours and counts equal the analytics; the year control replays Khánh Hòa's appendix 07;
uploading a province's own commune boundaries, good files and bad ones."""

import html
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point, box

from ntm import boundaries, communes, exports, geo, maps, roadmap, store
from ntm.errors import DataError
from ntm.units import resolve_province


@pytest.fixture(scope="module")
def khanh_hoa(con):
    return resolve_province(con, "56")


def test_district_colours_equal_the_analytics(con, khanh_hoa):
    values = maps.district_values(con, khanh_hoa, 2023, "share_ntm").set_index("code")["value"]
    counts = roadmap.recognised_counts(con, "56", "ntm", [2023])[2023]
    programme = store.programme_communes_per_district(con, "56")
    for district in ("568", "570", "572", "574", "575"):
        assert values[district] == round(100 * counts[district] / programme[district], 1)
    assert (values["574"], values["575"]) == (100.0, 0.0)  # Diên Khánh 16/16, Khánh Sơn 0/7


def test_markers_equal_the_roadmap(con, khanh_hoa):
    states = maps.commune_states(con, khanh_hoa, 2023)
    assert (states["reached"] == "ntm").sum() == 45 and (states["reached"] == "nang_cao").sum() == 19
    assert set(states["kind"]) == {"actual", "none"}  # the list is complete: the others are "not yet"
    ninh_thuan = maps.commune_states(con, resolve_province(con, "58"), 2023)
    assert "none" not in set(ninh_thuan["kind"]) and "unknown" in set(ninh_thuan["kind"])  # lists incomplete


def test_year_control_replays_appendix_07(con, khanh_hoa):
    """Communes reached (any level) + planned NTM, by the end of each year, + the one name the appendix lists
    from 2018 that matches no unit ("Ninh Thành") = the appendix's cumulative column."""
    appendix = {2014: 10, 2015: 22, 2016: 28, 2017: 35, 2018: 42, 2019: 49, 2020: 56, 2021: 61, 2022: 63,
                2023: 65, 2024: 70, 2025: 76}
    for year, cumulative in appendix.items():
        states = maps.commune_states(con, khanh_hoa, year)
        on_map = int(states["reached"].notna().sum() + (states["planned"] == "ntm").sum())
        assert on_map + (1 if year >= 2018 else 0) == cumulative, year


def test_an_archipelago_off_the_map_has_no_legend_entry(con, khanh_hoa):
    """Trường Sa (576) has no figure and is not drawn on the mainland map (a note beside it says so): the legend
    does not offer a grey "no figure" area nobody can see."""
    fig = maps.figure(khanh_hoa, maps.district_values(con, khanh_hoa, 2023, "share_ntm"), "share_ntm",
                      maps.commune_states(con, khanh_hoa, 2023), 2023, "Nguồn")
    assert "Huyện chưa có số liệu" not in [trace.name for trace in fig.data]


def test_the_source_line_cites_the_documents_behind_the_communes_never_a_path(con, khanh_hoa):
    """Khánh Hòa's commune states come from 1355/KH's appendices (003 l.641-669 for 2023); the map and the
    communes list cite documents and lines in the reader's language, never a folder of the project."""
    states = maps.commune_states(con, khanh_hoa, 2023)
    assert maps.source_text(con, states, "vi") == ("Nguồn: Kế hoạch số 1355/KH-UBND, UBND tỉnh Khánh Hòa, 08/3/2024 "
                                                   "(tệp 003_785c661cd5823983.txt, dòng 641-669)")
    assert maps.source_text(con, states, "en").startswith("Source: Plan no. 1355/KH-UBND")
    for code in ("56", "58", "49", "84"):
        text = communes.source_text(con, resolve_province(con, code), "en")
        assert text.startswith("Source: ") and "data/" not in text and "Nguồn" not in text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_legend_entry_names_a_different_thing(con, lang):
    """Ninh Thuận 2023 has districts without a figure (grey areas) and communes of unknown result (grey markers):
    two entries, each saying which it is, never "Chưa rõ" twice."""
    province = resolve_province(con, "58")
    districts = maps.district_values(con, province, 2023, "share_ntm")
    districts.loc[districts.index[0], "value"] = None  # one district without a figure
    fig = maps.figure(province, districts, "share_ntm", maps.commune_states(con, province, 2023), 2023, "Nguồn",
                      lang)
    legend = [trace.name for trace in fig.data  # plotly's defaults: a scattergeo is in the legend, an area not
              if trace.showlegend or (trace.showlegend is None and trace.type == "scattergeo")]
    assert len(legend) == len(set(legend))
    area, commune = ("Huyện chưa có số liệu", "Xã chưa rõ kết quả") if lang == "vi" else \
        ("District: no figure", "Commune: result not known")
    assert area in legend and commune in legend


@pytest.mark.parametrize("code", ["56", "58", "49", "84"])
def test_map_payload_is_small_and_offline(con, code):
    province = resolve_province(con, code)
    fig = maps.figure(province, maps.district_values(con, province, 2023, "share_ntm"), "share_ntm",
                      maps.commune_states(con, province, 2023), 2023, "Nguồn")
    payload = fig.to_json()
    assert len(payload) < 1_000_000
    assert fig.layout.geo.visible is False and "mapbox" not in payload and "choroplethmap" not in payload  # no tiles
    assert "GeoNames (CC BY 4.0)" in payload and "dvhcvn (GPL-3.0)" in payload
    districts = store.units(con, level="district", province_code=code)
    mainland = {f["id"]: f for f in geo.districts(code)["features"]}
    written = next(tr for tr in fig.data if tr.type == "scattergeo" and tr.mode == "text")
    shared = districts["name"].duplicated(keep=False)  # a name two districts share is written in full
    codes = dict(zip(districts["name"].where(~shared, districts["full_name"]), districts["code"], strict=True))
    assert sorted(html.unescape(n) for n in written.text) == sorted(n for n, c in codes.items() if c in mainland)
    for name, lon, lat in zip(written.text, written.lon, written.lat, strict=True):  # each inside its district
        assert shapely.geometry.shape(mainland[codes[html.unescape(name)]]["geometry"]).contains(Point(lon, lat))
    if code == "84":
        assert {"Huyện Duyên Hải", "Thị xã Duyên Hải"} <= set(written.text)
    minx, miny, maxx, maxy = geo.bbox(code)  # the view is the whole mainland
    assert fig.layout.geo.lonaxis.range[0] < minx and fig.layout.geo.lonaxis.range[1] > maxx
    assert fig.layout.geo.lataxis.range[0] < miny and fig.layout.geo.lataxis.range[1] > maxy


def test_a_source_line_is_text_never_markup(con, khanh_hoa):
    """A citation can hold an uploaded file's name: written as text under the map, on screen and in the image,
    never a link or a tag plotly would draw."""
    hostile = 'Nguồn: Tệp nhập (tệp <a href="http://example.com/x">bấm</a><b>.xlsx, dòng 4)'
    fig = maps.figure(khanh_hoa, maps.district_values(con, khanh_hoa, 2023, "share_ntm"), "share_ntm",
                      maps.commune_states(con, khanh_hoa, 2023), 2023, hostile)
    shown = fig.layout.annotations[-1].text
    assert "<a" not in shown and "<b>" not in shown and "&lt;a href" in shown
    assert html.unescape(shown.replace("<br>", " ")).startswith(hostile[:40])
    svg = exports.image(fig, "svg", "Năm: 2023").decode()
    assert "example.com" not in svg.split("<text", 1)[0] and "<a " not in svg


def test_labels_in_the_exported_image(con, khanh_hoa):
    """The SVG export (the PNG is the same drawing) writes every mainland district's name, Trường Sa's not."""
    fig = maps.figure(khanh_hoa, maps.district_values(con, khanh_hoa, 2023, "share_ntm"), "share_ntm",
                      maps.commune_states(con, khanh_hoa, 2023), 2023, "Nguồn")
    svg = exports.image(fig, "svg", "Năm: 2023").decode()
    for name in ("Nha Trang", "Cam Ranh", "Cam Lâm", "Vạn Ninh", "Ninh Hòa", "Khánh Vĩnh", "Diên Khánh", "Khánh Sơn"):
        assert f">{name}</text>" in svg, name
    assert "Trường Sa</text>" not in svg
    assert exports.image(fig, "png", "Năm: 2023").startswith(b"\x89PNG")


def test_one_districts_communes_named_beside_their_markers(con, khanh_hoa):
    """Drilled down to Ninh Hòa: its communes are named (names from the data, each once), and every district
    still is; a name that finds no free place is left out rather than written over another."""
    communes = maps.commune_states(con, khanh_hoa, 2023)
    ninh_hoa = communes[communes["district"] == "Ninh Hòa"]
    fig = maps.figure(khanh_hoa, maps.district_values(con, khanh_hoa, 2023, "share_ntm"), "share_ntm", ninh_hoa,
                      2023, "Nguồn", name_communes=True)
    districts, names = [tr for tr in fig.data if tr.type == "scattergeo" and tr.mode == "text"]
    assert len(districts.text) == 8 and "Ninh Hòa" in districts.text
    assert 8 <= len(names.text) <= len(ninh_hoa) and set(names.text) <= set(ninh_hoa["name"])
    assert "middle center" not in names.textposition  # beside the marker, never on it


def test_a_name_is_text_never_markup():
    trace = maps.labels({"1": (109.0, 12.0, 1.0)}, {"1": "<a href='http://x.invalid'>Cam Tân</a>"}, 12, "Tên",
                        (108.9, 11.9, 109.1, 12.1))
    assert list(trace.text) == ["&lt;a href=&#x27;http://x.invalid&#x27;&gt;Cam Tân&lt;/a&gt;"]


# ---- the province's own commune boundaries -------------------------------------------------------

CAM_TAN, CAM_HAI_DONG = "22435", "22441"


def _features(crs="EPSG:4326"):
    frame = gpd.GeoDataFrame(
        {"ma_xa": [CAM_TAN, None, "99999"], "ten_xa": ["Cam Tân", "Cam Hải Đông", "Xã Không Có"],
         "ten_huyen": ["Cam Lâm", "Cam Lâm", "Cam Lâm"]},
        geometry=[box(109.0, 12.0, 109.1, 12.1), box(109.1, 12.0, 109.2, 12.1), box(109.2, 12.0, 109.3, 12.1)],
        crs="EPSG:4326")
    return frame.to_crs(crs)


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NTM_BOUNDARIES", str(tmp_path / "boundaries"))
    return tmp_path / "boundaries"


def _report(con, path):
    frame = boundaries.read(path)
    return frame, boundaries.match(frame, store.units(con), "56", path.name)


def test_geojson_match_report(con, tmp_path, store_dir):
    path = tmp_path / "xa.geojson"
    _features().to_file(path, driver="GeoJSON")
    frame, report = _report(con, path)
    assert report["matched"] == 2 and set(report["rows"]) == {CAM_TAN, CAM_HAI_DONG}
    assert [u["written"] for u in report["unmatched"]] == ["Xã Không Có"]
    assert len(report["communes_without_feature"]) == 139 - 2
    collection = boundaries.prepare(frame, report)
    assert {f["id"] for f in collection["features"]} == {CAM_TAN, CAM_HAI_DONG}
    saved = boundaries.save("56", collection, "Sở TN&MT Khánh Hòa, 2024", "CC BY 4.0", report)
    loaded = boundaries.load("56")
    assert saved.exists() and loaded["ntm"]["source"] == "Sở TN&MT Khánh Hòa, 2024"
    assert boundaries.remove("56") and boundaries.load("56") is None


def test_projected_crs_in_a_zipped_shapefile(con, tmp_path, store_dir):
    folder = tmp_path / "shp"
    folder.mkdir()
    _features("EPSG:32649").to_file(folder / "xa.shp")
    archive = tmp_path / "xa.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, part.name)
    frame, report = _report(con, archive)
    assert frame.crs.to_epsg() == 4326 and report["matched"] == 2
    assert abs(frame.geometry.iloc[0].bounds[0] - 109.0) < 1e-6


@pytest.mark.parametrize(("content", "message"), [
    (b"{ this is not json", "không đọc được tệp ranh giới"),
    (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "không có vùng nào"),
])
def test_broken_and_empty_files_change_nothing(con, tmp_path, store_dir, content, message):
    path = tmp_path / "xa.geojson"
    path.write_bytes(content)
    with pytest.raises(DataError) as err:
        _report(con, path)
    assert message in str(err.value) and "xa.geojson" in str(err.value)
    assert not store_dir.exists() or not list(store_dir.iterdir())


def test_unknown_projection_and_no_usable_column(con, tmp_path, store_dir):
    folder = tmp_path / "noprj"
    folder.mkdir()
    _features().to_file(folder / "xa.shp")
    (folder / "xa.prj").unlink()
    archive = tmp_path / "noprj.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, part.name)
    with pytest.raises(DataError) as err:
        boundaries.read(archive)
    assert "không biết phép chiếu" in str(err.value) and "unknown projection" in str(err.value)
    path = tmp_path / "cot.geojson"
    _features().drop(columns=["ma_xa", "ten_xa"]).rename(columns={"ten_huyen": "vung"}).to_file(path, driver="GeoJSON")
    with pytest.raises(DataError) as err:
        _report(con, path)
    assert "không có cột mã xã" in str(err.value)


def test_saving_needs_a_source_and_a_licence(store_dir):
    with pytest.raises(DataError):
        boundaries.save("56", {"type": "FeatureCollection", "features": []}, "", "CC BY 4.0", {})
    assert boundaries.load("56") is None


def test_map_png_export_repeats_the_same_print_size_offline(con, khanh_hoa):
    """Two exports in a row (the second from the warm browser) are the same A4 drawing at print scale; the page the
    browser draws on loads plotly.js from the installed package and nothing from the network (no MathJax CDN)."""
    from ntm import imaging

    fig = maps.figure(khanh_hoa, maps.district_values(con, khanh_hoa, 2024, "share_ntm"), "share_ntm",
                      maps.commune_states(con, khanh_hoa, 2024), 2024, "Nguồn")
    first, second = (exports.image(fig, "png", "Năm: 2024") for _ in range(2))
    for png in (first, second):
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the IHDR chunk
        assert (width, height) == (exports.A4_WIDTH * exports.PRINT_SCALE, exports.A4_HEIGHT * exports.PRINT_SCALE)
    assert abs(len(first) - len(second)) < len(first) / 20  # the same map: sizes within 5 %
    page = Path(imaging._SESSION[0][2]._index.removeprefix("file://")).read_text()
    assert "plotly.min.js" in page and "http" not in page and "mathjax" not in page.lower()
