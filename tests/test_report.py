"""The Word report and the headline behind it: figures from the documents, each table and figure with a source
footnote, the administrative page format."""

import io
import json
import re

import pytest
from docx import Document

from ntm import charts, cli, glance, report
from ntm.funding import funding
from ntm.units import resolve_province


def footnotes(document) -> list[str]:
    """The text of each real footnote (ids 0 and 1 are Word's separators)."""
    part = next(p for p in document.part.package.iter_parts() if str(p.partname) == "/word/footnotes.xml")
    xml = part.blob.decode("utf-8")
    return [re.sub(r"<[^>]+>", "", body).strip()
            for body in re.findall(r'<w:footnote w:id="(?:[2-9]|\d\d+)">(.*?)</w:footnote>', xml)]


def references(document) -> int:
    return len(document.element.body.xpath(".//w:footnoteReference"))


@pytest.fixture(scope="module")
def ninh_thuan(con):
    return Document(io.BytesIO(report.build(con, resolve_province(con, "58"), 2023)))


def table_text(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def test_group_table_in_the_report_layout(ninh_thuan):
    groups = next(t for t in ninh_thuan.tables if "Tổng số xã" in table_text(t)[0])
    total = table_text(groups)[-1]
    assert total[1:] == ["Toàn tỉnh", "47", "13", "22", "12", "0", "0", "774", "16,47"]
    assert table_text(groups)[1][:3] == ["1", "Bác Ái", "9"]


def test_every_table_and_figure_has_a_source_footnote(ninh_thuan):
    notes = footnotes(ninh_thuan)
    assert len(notes) == references(ninh_thuan)
    captions = [p for p in ninh_thuan.paragraphs if p.text.startswith(("Bảng ", "Hình "))]
    data_tables = len(ninh_thuan.tables) - 1  # the first one is the header (agency, motto, number, date)
    assert sum(p.text.startswith("Bảng ") for p in captions) == data_tables
    assert len(ninh_thuan.inline_shapes) >= 2 and sum(p.text.startswith("Hình ") for p in captions) == len(
        ninh_thuan.inline_shapes)
    for caption in captions:  # each caption carries a footnote that names a document and a line
        assert caption._p.xpath(".//w:footnoteReference")
    assert all(n.startswith("Nguồn:") and "dòng" in n for n in notes)
    assert "Báo cáo số /BC-VPĐP" in notes[0] and "dòng 139-146" in notes[0]


def test_administrative_format(ninh_thuan):
    section = ninh_thuan.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
             section.left_margin, section.right_margin)
    assert [round(s.mm) for s in sizes] == [210, 297, 20, 20, 30, 15]  # stored in twips
    normal = ninh_thuan.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size.pt == 13
    assert ninh_thuan.styles["Heading 1"].font.size.pt == 14
    text = "\n".join(p.text for p in ninh_thuan.paragraphs)
    assert "BÁO CÁO" in text and "Ninh Thuận (số liệu đến năm 2023)" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in ninh_thuan.tables[0].rows[0].cells[1].text


def test_khanh_hoa_headline_and_districts(con):
    head = glance.headline(con, resolve_province(con, "56"), 2023)
    ntm = next(x for x in head["levels"] if x["level"] == "ntm")
    assert (ntm["actual"]["count"], ntm["actual"]["year"]) == (65, 2023)
    assert (ntm["target"]["count"], ntm["remaining"]) == (74, 9)
    assert not ntm["target"]["computed"] and ntm["status"] == "at_risk"
    first = head["districts"][0]
    assert (first["name"], first["actual"], first["target"], first["gap"]) == ("Ninh Hòa", 16, 19, 3)
    kieu_mau = next(x for x in head["levels"] if x["level"] == "kieu_mau")
    assert kieu_mau["actual"] is None and kieu_mau["remaining"] is None and kieu_mau["status"] == "no_data"


def test_quang_nam_headline_uses_the_stated_stock(con):
    ntm = glance.headline(con, resolve_province(con, "49"), 2023)["levels"][0]
    assert (ntm["actual"]["count"], ntm["actual"]["year"], ntm["actual"]["basis"]) == (112, 2020, "stock")
    assert (ntm["target"]["count"], ntm["remaining"]) == (154, 42)


def test_a_share_target_becomes_whole_communes(con):
    rows = [{"indicator": "communes_ntm_share", "target": 80.0, "sources": [{"citation": "Nguồn: x, dòng 1"}]}]
    target = glance._target(rows, "ntm", 92)
    assert (target["count"], target["computed"], target["programme"]) == (74, True, 92)  # 73,6 -> 74 communes


def test_one_target_stated_twice_is_one_row_with_both_sources():
    row = {"unit_code": "56", "indicator": "communes_ntm_share", "category": None, "target": 80.0,
           "target_range_max": None, "status": "at_risk"}
    merged = glance.merged_targets([{**row, "sources": [{"citation": "A, dòng 25"}]},
                                    {**row, "sources": [{"citation": "B, dòng 655"}]},
                                    {**row, "target": 74.0, "sources": [{"citation": "B, dòng 655"}]}])
    assert [(m["target"], [s["citation"] for s in m["sources"]]) for m in merged] == [
        (80.0, ["A, dòng 25", "B, dòng 655"]), (74.0, ["B, dòng 655"])]


def test_report_targets_one_row_per_target_with_units(con):
    """Khánh Hòa 2025 in the Word report: Cam Lâm's advanced-NTM target is one row (07/12 xã, l.29, beside the
    annex's 33,3 %, l.567) with one status and why under the table; figures carry their unit."""
    document = Document(io.BytesIO(report.build(con, resolve_province(con, "56"), 2023)))
    rows = [[c.text for c in r.cells] for tb in document.tables for r in tb.rows]
    cam_lam = [r for r in rows if r[:2] == ["Cam Lâm", "Số xã đạt chuẩn NTM nâng cao"]]
    assert cam_lam == [["Cam Lâm", "Số xã đạt chuẩn NTM nâng cao", "7 xã (33,3 %)", "2 xã (16,67 %)",
                        "Chậm tiến độ"]]
    assert ["Khánh Hòa", "Số xã đạt chuẩn NTM", "74 xã (80 %)", "65 xã (70,65 %)", "Có nguy cơ"] in rows
    assert any(p.text.startswith("Cam Lâm: Tỷ lệ 33,3 % (003:567) = 4/12 xã, khác 7 xã (003:29)")
               for p in document.paragraphs)


def test_english_report_says_the_units_in_english(con):
    """The English report writes each figure's unit of measure in English (measures.unit_en), as the Vietnamese
    one writes "7 xã (33,3 %)"."""
    document = Document(io.BytesIO(report.build(con, resolve_province(con, "56"), 2023, lang="en")))
    rows = [[c.text for c in r.cells] for tb in document.tables for r in tb.rows]
    assert ["Cam Lâm", "Communes meeting the advanced NTM standard (cumulative)", "7 communes (33.3 %)",
            "2 communes (16.67 %)", "Off track"] in rows


def test_target_years_come_from_the_documents(con):
    assert glance.target_years(con, resolve_province(con, "58")) == [2022, 2023, 2024]  # no 2025 target stated


def test_cli_writes_the_docx(db_path, tmp_path, capsys):
    out = tmp_path / "kh.docx"
    assert cli.main(["report", "--province", "khanh hoa", "--as-of", "2023", "--out", str(out),
                     "--db", str(db_path)]) == 0
    assert json.loads(capsys.readouterr().out)["province"] == "Khánh Hòa"
    document = Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Xã NTM: 65/74 xã, còn 9 xã để đạt mục tiêu năm 2025." in text
    ranked = next(t for t in document.tables if table_text(t)[0][0] == "Huyện")
    assert table_text(ranked)[1][:4] == ["Ninh Hòa", "16", "19", "3"]


def test_cli_refuses_a_merged_province_as_a_whole(db_path, tmp_path, capsys):
    assert cli.main(["report", "--province", "Khánh Hòa", "--as-of", "2026-01-01", "--out",
                     str(tmp_path / "x.docx"), "--db", str(db_path)]) == 2
    assert "tỉnh cũ" in capsys.readouterr().err and not (tmp_path / "x.docx").exists()


@pytest.mark.skipif(report.converter() is None, reason="LibreOffice (soffice) is not installed")
def test_pdf_through_libreoffice(con):
    data = report.pdf(report.build(con, resolve_province(con, "84"), 2023))
    assert data[:5] == b"%PDF-"


def test_funding_chart_titles_say_what_the_amounts_are(con):
    """Quảng Nam's are plans, Ninh Thuận's 2023 figures were mobilized: never "huy động" for a plan."""
    titles = [charts.funding_mix(g, "Nguồn: x").layout.title.text
              for p in ("49", "58") for g in funding(con, resolve_province(con, p))["groups"] if g["by_source"]]
    assert "Cơ cấu nguồn vốn theo kế hoạch, Quảng Nam năm 2024" in titles
    assert "Cơ cấu nguồn vốn theo kế hoạch, Quảng Nam cả giai đoạn" in titles
    assert "Cơ cấu nguồn vốn huy động, Ninh Thuận năm 2023" in titles


def test_heatmap_names_criteria_and_says_how_few_communes_a_column_holds(con):
    """Khánh Hòa 2024: the commune results cover 2 of Cam Lâm's 12 communes — the column says so."""
    from ntm.communes import criteria_shares

    heat = criteria_shares(con, resolve_province(con, "56"), 2024)
    fig = charts.heatmap(heat["shares"], heat["targets"], "Nguồn: x", "vi", heat["names"], heat["coverage"],
                         heat["target_year"])
    assert "Cam Lâm (2/12 xã)" in fig.data[0].x and fig.data[0].x[-1] == "Mục tiêu 2025"
    assert fig.data[0].y[:2] == ("1. Quy hoạch", "2. Giao thông") and fig.layout.yaxis.dtick == 1
