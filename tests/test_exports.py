"""Exports for reports: CSV that Excel opens in Vietnamese and that cannot run formulas; XLSX with numbers."""

import io

import pandas as pd
from openpyxl import load_workbook

from ntm import exports


def test_csv_has_a_bom_and_neutralises_formulas():
    frame = pd.DataFrame({"Xã": ["Cam Tân", "=HYPERLINK(\"x\")", "+1", "@SUM(A1)", "-2+3"],
                          "Giá trị": [1.5, 2, 3, 4, -5]})
    data = exports.table_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Cam Tân" in text and "'=HYPERLINK" in text and "'+1" in text and "'@SUM" in text and "'-2+3" in text
    assert ",-5" in text  # numbers stay numbers


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
