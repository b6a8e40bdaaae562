"""Every page for the provinces merged in 2025 (AppTest): the new units, their old components and last status,
the old provinces side by side, no district assumed; the old provinces as historic parts."""

import json

import pytest
from test_app import PAGES, _figures, _open

from conftest import shown
from ntm import store

MERGED = {"56@2025-07-01": "Khánh Hòa", "48@2025-07-01": "Đà Nẵng", "86@2025-07-01": "Vĩnh Long"}


def _frames(at) -> str:
    return " ".join(str(v) for d in at.dataframe for v in d.value.to_numpy().ravel()) + " " + " ".join(
        " ".join(map(str, d.value.columns)) for d in at.dataframe)


@pytest.mark.parametrize("province", list(MERGED))
@pytest.mark.parametrize("page", PAGES)
def test_every_page_for_the_merged_provinces(db_path, page, province):
    at = _open(page, province=province)
    assert not at.exception, at.exception
    assert at.title and at.title[0].value
    if page not in ("sources", "facts", "report"):  # pages of documents, and the report, keep their own title
        assert at.title[0].value == f"{MERGED[province]} — tỉnh sau sắp xếp 2025"
        assert "Huyện" not in [s.label for s in at.selectbox]  # no district selector


def test_new_khanh_hoa_overview(db_path):
    at = _open("overview", province="56@2025-07-01")
    assert at.subheader[0].value == "65 đơn vị hành chính cấp xã tại 01/07/2025: xã 48, phường 16, đặc khu 1."
    text = _frames(at)
    for expected in ("Khánh Hòa", "Ninh Thuận", "Cộng", "Xã NTM", "65", "16,47", "774"):
        assert expected in text
    assert "Hợp nhất từ: Khánh Hòa, Ninh Thuận" in " ".join(shown(c.value) for c in at.caption)
    assert any("Giai đoạn 2021-2025" in m.value for m in at.markdown)
    later = _open("overview", province="56@2025-07-01", units_date="2026-03-01")
    assert any("Giai đoạn 2026-2030" in m.value and "10 tiêu chí, 47 chỉ tiêu" in m.value for m in later.markdown)
    assert any("Mục tiêu 2030 (theo báo cáo): khoảng 65 % số xã đạt chuẩn NTM" in c.value and "257/2025/QH15"
               in shown(c.value) for c in later.caption)


def test_new_units_list_old_components_and_status(db_path):
    at = _open("communes", province="56@2025-07-01")
    table = at.dataframe[0].value.set_index("Đơn vị mới")
    assert len(table) == 65
    assert table.loc["Phường Đô Vinh", "Gồm các đơn vị cũ"] == ("Phường Đô Vinh (Ninh Thuận, toàn bộ); "
                                                              "Xã Nhơn Sơn (Ninh Thuận, toàn bộ)")
    cam_hiep = table.loc["Xã Cam Hiệp", "Tình trạng cuối cùng được ghi nhận"]
    assert "gồm một phần xã cũ" in cam_hiep and "xã cũ được ghi nhận đạt chuẩn NTM" in cam_hiep
    assert table.loc["Phường Bắc Nha Trang", "Loại"] == "phường"
    assert at.selectbox(key="province").format_func("56") == "Khánh Hòa (trước 01/07/2025)"
    assert "Huyện Ninh Sơn" in table.loc["Phường Đô Vinh", "Huyện cũ"]


def test_old_district_is_an_optional_grouping(db_path):
    at = _open("criteria_by_district", province="56@2025-07-01")
    at.selectbox(key="merged_old_district").select("Huyện Bác Ái").run()
    table = at.dataframe[0].value
    assert 0 < len(table) < 65 and table["Huyện cũ"].str.contains("Huyện Bác Ái").all()


def test_da_nang_and_vinh_long_hold_their_old_provinces(db_path):
    at = _open("criteria_by_district", province="48@2025-07-01")
    assert "(Quảng Nam, toàn bộ)" in _frames(at) and len(at.dataframe[0].value) == 94
    at = _open("criteria_by_district", province="86@2025-07-01", lang="en")
    text = _frames(at)
    assert "(Trà Vinh, whole)" in text and "(Bến Tre, whole)" in text and len(at.dataframe[0].value) == 124
    assert "toàn bộ" not in text and "Gồm" not in text  # the English view has no Vietnamese label


def test_map_places_only_sourced_points(db_path):
    at = _open("map", province="48@2025-07-01")
    assert not at.exception
    assert any("Đơn vị mới chưa có điểm nào" in m.value for m in at.markdown)  # old Đà Nẵng: no points


def test_new_communes_named_on_the_merged_map(db_path, con):
    """New Khánh Hòa: the new communes' short names (from the unit list) written on the map, each once, at the
    centre of its old communes' points; no basemap is fetched (an inline empty topojson)."""
    at = _open("map", province="56@2025-07-01")
    spec = _figures(at)[0]
    written = next(d for d in spec["data"] if d["type"] == "scattergeo" and d.get("mode") == "text")
    units = store.units_as_of(con, "56@2025-07-01", "2025-07-01", "commune")
    assert len(written["text"]) >= 40 and len(set(written["text"])) == len(written["text"])
    assert set(written["text"]) <= set(units["name"]) and {"Bác Ái", "Ba Ngòi", "Tây Ninh Hòa"} <= set(written["text"])
    config = json.loads(at.get("bidi_component")[0].proto.json)["config"]
    assert config["topojsonURL"].startswith("data:") and "cdn.plot.ly" not in str(spec)


def test_before_the_merger_the_old_units_apply(db_path):
    at = _open("criteria_by_district", province="56@2025-07-01", units_date="2024-06-01")
    table = at.dataframe[0].value
    assert len(table) == 139 + 65  # the GSO lists of 2024-09-01: nothing had merged yet in mid-2024
    assert set(table["Tỉnh"]) == {"Khánh Hòa", "Ninh Thuận"}
    assert "Phường Bảo An (toàn bộ)" in set(table["Đơn vị mới"])


def test_an_old_province_as_a_historic_part(db_path):
    at = _open("criteria_by_district", province="56@2025-07-01", part="58")
    assert at.title[0].value == "Kết quả thực hiện Bộ tiêu chí xã NTM theo huyện"
    assert "Ninh Thuận cũ — từ 01/07/2025 là một phần của tỉnh Khánh Hòa mới" in at.info[0].value
    assert "16,47" in " ".join(str(v) for t in at.table for v in t.value.to_numpy().ravel())


def test_facts_of_new_khanh_hoa_hold_both_old_provinces_documents(db_path):
    at = _open("facts", province="56@2025-07-01")
    assert {"000", "002", "003"} <= {o.split(" ")[0] for o in at.selectbox(key="facts_doc").options}


def test_an_old_provinces_own_boundaries_colour_the_new_provinces_map(db_path, tmp_path, monkeypatch):
    import geopandas as gpd
    from shapely.geometry import box

    from ntm import boundaries

    monkeypatch.setenv("NTM_BOUNDARIES", str(tmp_path / "b"))
    frame = gpd.GeoDataFrame(geometry=[box(109.1, 12.0, 109.2, 12.1)], crs="EPSG:4326")
    boundaries.save("56", boundaries.prepare(frame, {"rows": {"22435": 0}}), "Sở NN&MT", "CC BY 4.0", {})
    at = _open("map", province="56@2025-07-01")
    assert not at.exception
    spec = _figures(at)[0]
    polygons = [d for d in spec["data"] if d["type"] == "choropleth" and d.get("name") == "Ranh giới xã của tỉnh"]
    assert polygons and polygons[0]["locations"] == ["22435"] and polygons[0]["z"] == [1]  # Cam Tân: NTM
