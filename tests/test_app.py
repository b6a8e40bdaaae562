"""Every page in Streamlit's AppTest, for every province: no exception, the key figures and their sources."""

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT, shown
from ntm import store
from ntm.i18n import LABELS

PAGES = ["overview", "criteria_by_district", "communes", "map", "roadmap", "funding", "quality", "facts", "report",
         "sources"]


def _open(page: str, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "overview":
        at.switch_page(f"views/{page}.py").run()
    return at


def _figures(at) -> list[dict]:
    """The plotly figures a page draws (ui_plot's component: the figure's JSON in the element's data)."""
    return [json.loads(json.loads(e.proto.json)["figure"]) for e in at.get("bidi_component")
            if e.proto.component_name == "ntm_plot"]


def _table_text(at) -> str:
    return " ".join(str(v) for t in at.table for v in t.value.to_numpy().ravel()) + " " + " ".join(
        " ".join(map(str, t.value.columns)) + " " + " ".join(map(str, t.value.index)) for t in at.table)


def _captions(at) -> str:
    return " ".join(shown(c.value) for c in at.caption)


@pytest.mark.parametrize("province", ["56", "58", "49", "84"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_every_province(db_path, con, page, province):
    """Every page renders, and its Vietnamese view shows no internal code (a measure, a criteria set, "empty" or a
    bare "chung") and no English label of the translation catalogue."""
    at = _open(page, province=province)
    assert not at.exception, at.exception
    assert at.title and at.title[0].value
    codes = set(store.measures(con)["measure"]) | {"XA_NTM_2021_2025", "XA_NTMNC_2021_2025", "XA_NTM_2026_2030",
                                                   "empty"}
    found = re.compile(r"(?<![\w./])(" + "|".join(map(re.escape, codes)) + r")(?![\w])")
    english = {en for vi, en in LABELS.values() if en != vi and "{" not in en and len(en.split()) >= 2}
    for text in _visible(at):
        assert not found.search(text) and text.strip() != "chung", text
        assert not [e for e in english if e in text], text


def _visible(at) -> list[str]:
    """The text a reader sees: headings, markdown, notices, metrics, table cells and headers, widget labels."""
    out = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        out += [shown(str(e.value)) for e in getattr(at, kind)]
    out += [str(x) for m in at.metric for x in (m.label, m.value)]
    for element in list(at.dataframe) + list(at.table):
        frame = getattr(element.value, "data", element.value)  # a Styler holds its frame
        out += [str(x) for x in [*frame.columns, *frame.index, *frame.to_numpy().ravel()]]
    for widget in at.get("selectbox") + at.get("radio") + at.get("download_button") + at.get("button"):
        out += [str(widget.proto.label), *map(str, getattr(widget.proto, "options", []))]
    return out


def test_criteria_by_district_ninh_thuan(db_path):
    at = _open("criteria_by_district", province="58")
    assert at.title[0].value == "Kết quả thực hiện Bộ tiêu chí xã NTM theo huyện"
    text = _table_text(at)
    for expected in ("Toàn tỉnh", "Bác Ái", "Phan Rang-Tháp Chàm", "16,47", "774", "13,67", "17,63", "47"):
        assert expected in text
    assert "Nguồn: Báo cáo số /BC-VPĐP" in _captions(at)
    assert at.query_params["year"] in (["2023"], "2023")


def test_english_switch(db_path):
    at = _open("criteria_by_district", province="58", lang="en")
    assert at.title[0].value == "Commune NTM criteria results by district"
    assert "Whole province" in _table_text(at) and "16.47" in _table_text(at)
    assert "Source: Report" in _captions(at)


def test_partial_commune_data_is_labelled(db_path):
    at = _open("criteria_by_district", province="56")
    assert "Cam Lâm (2/12 xã)" in list(at.table[0].value.columns)
    assert any("chưa phải toàn huyện" in w.value for w in at.warning)


def test_overview_khanh_hoa(db_path):
    at = _open("overview", province="56", as_of="2023")
    values = [m.value for m in at.metric]
    assert "65" in values and "19" in values  # NTM and advanced communes by end 2023 (appendices 07-08)
    assert "70,7 %" in _captions(at) and "Có nguy cơ" in " ".join(m.value for m in at.markdown)


def test_overview_at_a_glance_khanh_hoa(db_path):
    """65 of the 74 communes the plan sets for 2025 (003 Phụ lục 07), 9 still to go; Ninh Hòa lags most."""
    at = _open("overview", province="56", as_of="2023")
    assert "65/74 xã (2023) — còn 9 xã cho mục tiêu 2025" in [p.proto.text for p in at.get("progress")]
    ranked = next(d.value for d in at.table if "Còn thiếu (xã)" in d.value.columns)
    assert ranked.index[0] == "Ninh Hòa" and list(ranked.iloc[0][:3]) == ["16", "19", "3"]
    assert "Chậm tiến độ" in ranked.iloc[0, 3]


def test_report_page_offers_each_old_province_of_a_merged_one(db_path):
    at = _open("report", province="56@2025-07-01")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Tải báo cáo (.docx) — Khánh Hòa" in labels and "Tải báo cáo (.docx) — Ninh Thuận" in labels
    at = _open("report", province="58", as_of="2023")
    assert next(b.proto.label for b in at.get("download_button")) == "Tải báo cáo (.docx) — Ninh Thuận"
    assert at.selectbox(key="report_target_year").options == ["2022", "2023", "2024", "2025"]


def test_overview_ninh_thuan_funding_and_disbursement(db_path):
    at = _open("overview", province="58", as_of="2023")
    values = [m.value for m in at.metric]
    assert "3.706,7 tỷ đồng" in values and "75 %" in values and "16,47" in values


def test_roadmap_khanh_hoa(db_path):
    at = _open("roadmap", province="56", as_of="2023")
    frames = [d.value for d in at.dataframe]
    targets = next(f for f in frames if "Tiến độ" in f.columns)
    assert "Chậm tiến độ" in targets.to_string() and "Khánh Hòa" in targets.to_string()
    assert any("Sơn Bình" in f.to_string() for f in frames)
    assert at.get("download_button")


def test_roadmap_states_the_stock_once_and_its_conflict_with_both_figures(db_path):
    """Khánh Hòa: 1355/KH (003 l.9) states 64 communes by 2024; the yearly recognitions add up to 65 by then. The
    stock is one line; the conflict is another, naming both figures, in either language."""
    captions = _captions(_open("roadmap", province="56"))
    assert captions.count("Số đã đạt chuẩn văn bản nêu: 64 xã đến năm 2024") == 1
    assert "văn bản nêu 64 xã đến năm 2024, cộng số xã được công nhận từng năm đến năm 2024 được 65 xã" in captions
    captions = _captions(_open("roadmap", province="56", lang="en"))
    assert captions.count("Stated stock: 64 communes by 2024") == 1
    assert "the document states 64 communes by 2024, the communes recognised year by year add up to 65" in captions


def test_a_range_target_reads_as_the_document_writes_it(db_path):
    """Ninh Thuận 2023: "từ 8-10 HTX mới" (000 l.101) reads 8-10 on screen (judged on its lower bound), not 8."""
    at = _open("roadmap", province="58", as_of="2023")
    at.selectbox(key="roadmap_target_year").set_value(2023).run()
    table = next(d.value for d in at.dataframe if "Mục tiêu (HTX)" in d.value.columns)
    assert list(table["Mục tiêu (HTX)"]) == ["8-10"] and "Mục tiêu, cận trên (HTX)" not in table.columns


def test_communes_detail_cam_tan(db_path):
    at = _open("communes", province="56", as_of="2024", commune="22435")
    checklist = at.dataframe[1].value.to_string()
    assert "Thu nhập" in checklist and "Cục Thống kê" in checklist and "-10" in checklist


def test_funding_tra_cu(db_path):
    at = _open("funding", province="84")
    text = " ".join(d.value.to_string() for d in at.dataframe)
    assert "Ngân sách trung ương" in text and "28,47" in text and "99,25" in text
    assert any("93.376" in w.value for w in at.warning)


def test_quality_and_sources(db_path):
    at = _open("quality", province="56")
    assert "64" in at.dataframe[0].value.to_string()
    at = _open("sources", province="56")
    assert "1355/KH-UBND" in at.dataframe[0].value.to_string()


def test_map_page_counts_and_attributions(db_path):
    at = _open("map", province="56", as_of="2023")
    lines = " ".join(m.value for m in at.markdown)
    assert "Xã NTM: 65 đã đạt" in lines and "Xã NTM nâng cao: 19 đã đạt" in lines
    assert "GeoNames (CC BY 4.0)" in _captions(at) and "dvhcvn (GPL-3.0)" in _captions(at)
    assert any("Trường Sa" in i.value for i in at.info)  # the archipelago is a note, not a reason to zoom out
    tra_vinh = _open("map", province="84", as_of="2023").dataframe[0].value.to_string()
    assert "Chưa rõ" in tra_vinh and "Chưa đạt chuẩn" not in tra_vinh  # Trà Vinh's lists are incomplete


def test_overview_cards_show_the_stated_stock(db_path):
    """Quảng Nam: 112 communes already NTM (004 l.35, 2016-2020 criteria), not "–"; Trà Vinh: Trà Cú's 15/15
    (001 l.119); Ninh Thuận: no recognised count, its 13 communes at 19 criteria (000 l.139) labelled as such."""
    at = _open("overview", province="49", as_of="2023")
    assert "112" in [m.value for m in at.metric] and "2016-2020" in _captions(at)
    at = _open("overview", province="84", as_of="2023")
    assert "15/15" in [m.value for m in at.metric] and "Trà Cú: 15/15 xã (2023)" in _captions(at)
    at = _open("overview", province="58", as_of="2023")
    assert "13" in [m.value for m in at.metric] and "chưa phải số xã được công nhận" in _captions(at)
    assert "không nêu mục tiêu năm 2025" in " ".join(m.value for m in at.markdown)
    at = _open("overview", province="49", as_of="2023")
    attention = " ".join(m.value for m in at.markdown)
    assert "mục tiêu chưa đánh giá được" in attention and "0 mục tiêu chậm tiến độ" not in attention


def test_roadmap_starts_from_the_stock(db_path):
    at = _open("roadmap", province="49", as_of="2023")
    table = next(d.value for d in at.dataframe if "Lũy kế" in d.value.columns)
    assert list(table["Lũy kế"][:4]) == ["112", "118", "126", "140"]  # 112 (2020) + 6, 8, 14 planned
    assert "Số đã đạt chuẩn văn bản nêu: 112 xã đến năm 2020" in _captions(at)
    at = _open("roadmap", province="58", as_of="2023")
    assert any("không nêu số xã đã đạt chuẩn" in i.value for i in at.info)


def test_funding_need_parts_and_models_total(db_path):
    at = _open("funding", province="56")
    text = " ".join(d.value.to_string() for d in at.dataframe)
    assert "547.071" in text and "225.290" in text and "131.550" in text and "1.358.317" in text
    assert "Cộng các phần: 572.071" in _captions(at)
    at = _open("funding", province="84")
    text = " ".join(d.value.to_string() for d in at.dataframe)
    assert "Tổng 5 hạng mục" in text and "3.547" in text and "2.333" in text and "65,77" in text


def test_commune_threshold_beside_the_documents(db_path):
    at = _open("communes", province="56", as_of="2024", commune="22726")
    checklist = next(d.value for d in at.dataframe if "Ngưỡng văn bản nêu cho xã" in d.value.columns)
    assert "45 triệu đồng/người/năm" in checklist.to_string() and "dưới 13%" in checklist.to_string()
    assert at.warning and "10: 50 / 45 triệu đồng/người/năm" in _captions(at)


def test_quality_page_filters_and_reviewed(db_path):
    at = _open("quality", province="56")
    text = at.dataframe[0].value.to_string()
    assert "đã rà soát" in text and "86,5 %" in text  # the reviewed finding (003 l.9 vs l.655)
    assert "mẫu số 94" in text and "Mâu thuẫn" in text and "Lưu ý" in text
    at.multiselect(key="quality_severity").set_value(["info"]).run()
    shown = at.dataframe[0].value
    assert set(shown["Mức độ"]) == {"Lưu ý"} and "đã rà soát" not in shown.to_string()
    at.multiselect(key="quality_severity").set_value(["error", "warning", "info"]).run()
    at.multiselect(key="quality_checks").set_value(["name_in_wrong_district"]).run()
    assert len(at.dataframe[0].value) == 6


def test_tra_cu_communes_are_ntm_on_the_stated_15_of_15(db_path):
    """001 l.119: "15/15 xã đạt chuẩn nông thôn mới": each Trà Cú commune shows NTM, not "–"."""
    at = _open("communes", province="84", as_of="2023")
    table = at.dataframe[0].value
    tra_cu = table[table["Huyện"] == "Trà Cú"]
    assert len(tra_cu) == 15 and tra_cu["Mức đạt chuẩn"].str.contains("Xã NTM").all()


def test_english_roadmap_and_facts_have_no_vietnamese_labels(db_path):
    at = _open("roadmap", province="49", as_of="2023", lang="en")
    assert not [c.value for c in at.caption if c.value.startswith("Nguồn")]
    assert "Stated stock: 112 communes by 2020" in _captions(at)
    at = _open("facts", province="56", lang="en")
    columns = " ".join(at.dataframe[0].value.columns)
    assert "Section" in columns and "As written" in columns and "Dòng" not in columns


def test_urls_that_never_lie(db_path):
    """An unknown province, year or language in a link: a notice with the valid choices; a province name with or
    without diacritics is accepted as the CLI accepts it."""
    at = _open("overview", province="99", as_of="2030", lang="xx")
    notices = " ".join(shown(w.value) for w in at.warning)
    assert 'tỉnh "99" không có' in notices and "58 Ninh Thuận" in notices
    assert "as_of=2030 không hợp lệ; đang hiển thị 2023" in notices and "lang=xx" in notices
    at = _open("overview", province="ninh thuan")
    assert at.query_params["province"] == "58" and not at.warning
    assert "Ninh Thuận" in at.subheader[0].value
    at = _open("overview", province="Quảng Nam", as_of="2023")
    assert at.query_params["province"] == "49" and not at.warning
    at = _open("criteria_by_district", province="58", year="2019")
    assert "year=2019 không hợp lệ; đang hiển thị 2023. Giá trị hợp lệ: 2023" in shown(at.warning[0].value)


def test_roadmap_target_year_units_and_one_row_per_target(db_path):
    """Ninh Thuận's 2024 targets exist and show under 2024; every value column says its unit (one table per unit);
    a target stated in a section and an annex (Khánh Hòa 80 %, 003 l.25 and l.655) and its count (74 xã, l.655)
    are one row with both sources; the most urgent first."""
    at = _open("roadmap", province="58", as_of="2023")
    at.selectbox(key="roadmap_target_year").select(2024).run()
    at.toggle(key="roadmap_all").set_value(True).run()
    headers = [c for d in at.dataframe for c in d.value.columns]
    assert {"Mục tiêu (xã)", "Mục tiêu (thôn)"} <= set(headers) and "Mục tiêu" not in headers
    villages = next(d.value for d in at.dataframe if "Mục tiêu (thôn)" in d.value.columns)
    assert "78" in set(villages["Mục tiêu (thôn)"])  # 78 thôn (000 l.262): a count, no ",0"
    at = _open("roadmap", province="56", as_of="2023")
    table = next(d.value for d in at.dataframe if "Mục tiêu (xã; %)" in d.value.columns)
    ntm = table[(table["Đơn vị"] == "Khánh Hòa") & (table["Chỉ tiêu"] == "Xã NTM")]
    assert len(ntm) == 1 and ntm.iloc[0]["Nguồn"] == "003:655; 003:25"
    assert ntm.iloc[0]["Mục tiêu (xã; %)"] == "74 (80 %)" and ntm.iloc[0]["Thực hiện (xã; %)"] == "65 (70,65 %)"
    order = ["Chậm tiến độ", "Có nguy cơ", "Đúng tiến độ", "Đã đạt"]
    seen = [s for s in table["Tiến độ"] if s in order]
    assert seen == sorted(seen, key=order.index)


def test_english_roadmap_says_the_units_of_measure_in_english(db_path):
    """The English view heads each targets table with its unit in English (measures.unit_en), as the Vietnamese
    one says "Mục tiêu (xã)" and "Mục tiêu (thôn)"."""
    at = _open("roadmap", province="58", as_of="2023", lang="en")
    at.selectbox(key="roadmap_target_year").select(2024).run()
    at.toggle(key="roadmap_all").set_value(True).run()
    headers = {c for d in at.dataframe for c in d.value.columns}
    assert {"Target (communes)", "Target (villages)"} <= headers
    assert not [h for h in headers if "xã" in h or "thôn" in h or "number" in h]


def test_cam_lam_nang_cao_is_one_row_with_one_status(db_path):
    """Cam Lâm, advanced NTM, 2025: 07/12 xã (003 l.29) and "33,3 %" = 4 named communes (003 l.567, the annex's
    support plan) are two different figures for one target: one row, the count's status, and why in the row."""
    at = _open("roadmap", province="56", as_of="2023")
    table = next(d.value for d in at.dataframe if "Mục tiêu (xã; %)" in d.value.columns)
    row = table[(table["Đơn vị"] == "Cam Lâm") & (table["Chỉ tiêu"] == "Xã NTM nâng cao")]
    assert len(row) == 1
    row = row.iloc[0]
    assert row["Tiến độ"] == "Chậm tiến độ" and row["Mục tiêu (xã; %)"] == "7 (33,3 %)" and row["Còn thiếu (xã)"] == "5"
    assert row["Nguồn"] == "003:29; 003:567" and "= 4/12 xã, khác 7 xã" in row["Ghi chú"]
    assert "Cam Lâm: Tỷ lệ 33,3 % (003:567) = 4/12 xã, khác 7 xã (003:29): tiến độ theo số xã; theo tỷ lệ: Có nguy " \
           "cơ" in _captions(at)


def test_commune_checklist_titles_units_and_opening_commune(db_path):
    """The checklist opens on a commune the documents give results for (Khánh Hòa: Sơn Bình), a commune in the URL
    still wins; the two statuses have distinct titles; the unit of the value and gap is said."""
    at = _open("communes", province="56", as_of="2023")
    assert at.selectbox(key="commune_pick").value == "22726" and at.query_params["commune"] == "22726"
    checklist = next(d.value for d in at.dataframe if "Tình trạng tiêu chí" in d.value.columns)
    columns = list(checklist.columns)
    assert len(columns) == len(set(columns)) and "Tình trạng chỉ tiêu" in columns and "Tiến độ" not in columns
    poverty = checklist[checklist["Chỉ tiêu"] == "11"].iloc[0]  # 30 % poor households against under 5 %
    assert (poverty["Giá trị"], poverty["Còn thiếu"], poverty["Đơn vị tính"]) == ("30,00", "25,00", "%")
    assert at.markdown and "0/19" in " ".join(m.value for m in at.markdown)
    at = _open("communes", province="56", as_of="2024", commune="22435")
    assert at.selectbox(key="commune_pick").value == "22435"
    at = _open("communes", province="58", as_of="2023")  # Hòa Sơn: 19/19 in 2023, nothing left to list
    assert at.selectbox(key="commune_pick").value == "22825" and "19/19" in " ".join(m.value for m in at.markdown)
