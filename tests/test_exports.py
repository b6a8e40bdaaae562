"""Exports for reports: CSV that Excel opens in Vietnamese and that cannot run formulas; XLSX with numbers."""

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from openpyxl import load_workbook

from ntm import exports
from ntm.tables import MIN_CAPPED_PX, fitted_widths


def test_csv_has_a_bom_and_neutralises_formulas():
    frame = pd.DataFrame({"Xã": ["Cam Tân", "=HYPERLINK(\"x\")", "+1", "@SUM(A1)", "-2+3"],
                          "Giá trị": [1.5, 2, 3, 4, -5]})
    data = exports.table_csv(frame, "machine")
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Cam Tân" in text and "'=HYPERLINK" in text and "'+1" in text and "'@SUM" in text and "'-2+3" in text
    assert ",-5\r\n" in text and ",1.5\r\n" in text and ",2\r\n" in text  # numbers stay numbers, no 2.0


def test_csv_for_vietnamese_excel_and_for_machines():
    frame = pd.DataFrame({"Năm": [2023.0, 2024.0], "Số xã": [13.0, float("nan")], "Bình quân": [16.47, 9.349999999]})
    vi = exports.table_csv(frame, "vi", {"Bình quân": 2}).decode("utf-8-sig").splitlines()
    assert vi == ["Năm;Số xã;Bình quân", "2023;13;16,47", "2024;;9,35"]
    machine = exports.table_csv(frame, "machine", {"Bình quân": 2}).decode("utf-8-sig").splitlines()
    assert machine == ["Năm,Số xã,Bình quân", "2023,13,16.47", "2024,,9.35"]


def test_xlsx_formats_per_column_and_values_as_shown():
    frame = pd.DataFrame({"Năm": [2023, 2024], "Số xã": [13.0, 1250.0], "Bình quân": [16.47, 9.349999999]})
    sheet = load_workbook(io.BytesIO(exports.table_xlsx(frame, "T", "F", "S", {"Bình quân": 1}))).active
    assert (sheet["A5"].value, sheet["A5"].number_format) == (2023, "0")
    assert (sheet["B6"].value, sheet["B6"].number_format) == (1250, "#,##0")
    assert (sheet["C6"].value, sheet["C6"].number_format) == (9.3, "#,##0.0")


def test_xlsx_keeps_numbers_with_a_format_a_source_and_a_frozen_header():
    frame = pd.DataFrame({"Huyện": ["Bác Ái", "Ninh Sơn"], "Tiêu chí bình quân/xã": [13.67, 17.43],
                          "Tổng số tiêu chí": [123, 122]})
    data = exports.table_xlsx(frame, "Bảng", "Bộ lọc: Tỉnh: Ninh Thuận", "Nguồn: Báo cáo …",
                              {"Tổng số tiêu chí": 0})
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "Bảng" and sheet["A2"].value.startswith("Bộ lọc")
    assert [c.value for c in sheet[4]] == list(frame.columns) and sheet.freeze_panes == "A5"
    assert sheet["B5"].value == 13.67 and sheet["B5"].number_format == "#,##0.00"
    assert sheet["C5"].value == 123 and sheet["C5"].number_format == "#,##0"
    assert sheet.cell(row=sheet.max_row, column=1).value == "Nguồn: Báo cáo …"


def test_table_widths_fit_the_page_and_give_way_in_order():
    """A table that fits keeps its widths (only the source column is held narrow); one that does not first
    narrows its notes and sources, then caps the longest of the others (their text wraps), never the short ones."""
    small = pd.DataFrame({"Tiến độ": ["Chậm tiến độ"], "Nguồn": ["Kế hoạch số 1355/KH-UBND, dòng 29; " * 4]})
    assert fitted_widths(small, 970, ("Nguồn",)) == ({"Nguồn": 170}, False)
    wide = pd.DataFrame({"Tiến độ": ["Chậm tiến độ"] * 3, "Đơn vị": ["Cam Lâm"] * 3, "Chỉ tiêu": ["x" * 80] * 3,
                         "Ngưỡng": ["y" * 60] * 3, "Mục tiêu (xã)": ["7"] * 3, "Ghi chú": ["z" * 200] * 3,
                         "Nguồn": ["003:29; 003:567"] * 3})
    widths, wrapped = fitted_widths(wide, 970, ("Ghi chú", "Nguồn"))
    assert sum(widths.values()) <= 970 and widths["Ghi chú"] == MIN_CAPPED_PX
    assert widths["Tiến độ"] == 102 and widths["Mục tiêu (xã)"] == 108  # short columns whole, header included
    assert widths["Chỉ tiêu"] == widths["Ngưỡng"] < 80 * 6.8 and wrapped  # the long ones share what is left


def test_a_page_offering_downloads_does_not_load_the_image_browser():
    """kaleido (and its browser) load on the first image export, not when a page imports the exports."""
    code = "import sys, ntm.exports; print('kaleido' in sys.modules, 'ntm.imaging' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_exports_go_on_after_the_browser_dies_and_it_ends_with_stop():
    """A crashed image browser is replaced at the next export (not a broken download for the server's life); `stop`
    ends it and removes its temporary page."""
    from ntm import imaging

    fig = go.Figure(go.Bar(x=["Xã A", "Xã B"], y=[3, 4]))
    assert exports.image(fig, "png", "Năm: 2024").startswith(b"\x89PNG")
    browser = imaging._SESSION[0][2].subprocess
    browser.kill()
    browser.wait()
    images = []
    for _ in range(2):  # the first may fail (the browser died under it); the next has a new browser
        with contextlib.suppress(Exception):
            images.append(exports.image(fig, "png", "Năm: 2024"))
    assert images and images[-1].startswith(b"\x89PNG")
    assert imaging._SESSION[0][2].subprocess.poll() is None
    page = Path(imaging._SESSION[0][2]._index.removeprefix("file://"))
    exports.stop()
    assert not imaging._SESSION and not page.exists()
