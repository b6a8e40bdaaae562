"""Excel templates for the kinds of file an office imports (ntm.kinds): a data sheet with the Vietnamese headers
(units in the header), lists for the coded columns (Excel data validation), the province's units (code + name)
and the lists on a 'Danh mục' sheet, and a 'Hướng dẫn' sheet of instructions. The reader skips both extra sheets,
so a filled template uploads as it is."""

import io

from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ntm import exports, kinds, store

DATA_ROWS = 2000


def workbook(con, kind_name: str, province_code: str, wide: bool = False) -> bytes:
    """The template of `kind_name` for a province, as XLSX bytes. `wide` (indicators only): one row per commune
    and year, one column per indicator code (ntm.ingest reads both shapes)."""
    kind = kinds.KINDS[kind_name]
    if wide and kind.name == "indicators":
        by_key = {c.key: c for c in kind.columns}
        codes = _indicator_codes(con)
        kind = kinds.Kind(kind.name, kind.table, kind.title + " (dạng bảng ngang)", (
            by_key["unit_code"], by_key["unit_name_original"], by_key["year"],
            *(kinds.Column(f"value_{c}", c, "number", required=False, help=f"giá trị chỉ tiêu {c}") for c in codes)),
            kind.key, kind.value)
    province = store.units(con, level="province", province_code=province_code)
    level = "commune" if kind.name == "indicators" else None
    units = store.units(con, level=level, province_code=province_code)
    units = units.sort_values(["level", "code"], key=lambda s: s.map({"province": 0, "district": 1, "commune": 2})
                              if s.name == "level" else s)
    wb, data = exports.workbook("Số liệu")
    lists = wb.create_sheet("Danh mục")
    guide = wb.create_sheet("Hướng dẫn")
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")

    lists.append(["Mã đơn vị", "Tên đơn vị", "Cấp"])
    for u in units.itertuples():
        lists.append([u.code, u.full_name, {"province": "tỉnh", "district": "huyện", "commune": "xã"}[u.level]])
    for cell in lists[1]:
        cell.font = bold
    for row in lists.iter_rows(min_row=2, max_col=1):
        row[0].number_format = "@"
    extra_lists = [("unit", "A", len(units))]
    col = 5
    for column in kind.columns:
        values = list(column.choices) if column.type == "choice" else \
            list(store.measures(con)["measure"]) if column.type == "measure" else \
            _indicator_codes(con) if column.key == "indicator_code" else None
        if values is None:
            continue
        letter = get_column_letter(col)
        lists.cell(row=1, column=col, value=column.header).font = bold
        for i, v in enumerate(values, start=2):
            lists.cell(row=i, column=col, value=v).number_format = "@"
        extra_lists.append((column.key, letter, len(values)))
        col += 1

    data.append([c.header for c in kind.columns])
    for j, column in enumerate(kind.columns, start=1):
        cell = data.cell(row=1, column=j)
        cell.font, cell.fill = bold, fill
        data.column_dimensions[get_column_letter(j)].width = max(14, len(column.header) + 2)
        letter = get_column_letter(j)
        source = next(((lt, n) for key, lt, n in extra_lists if key == column.key or
                       (column.type == "unit" and key == "unit")), None)
        if source:
            letter_list, n = source
            dv = DataValidation(type="list", formula1=f"'Danh mục'!${letter_list}$2:${letter_list}${n + 1}",
                                allow_blank=not column.required, showErrorMessage=column.type != "unit")
            dv.error, dv.errorTitle = "Chọn một giá trị trong danh sách", "Giá trị không hợp lệ"
            data.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{DATA_ROWS + 1}")
    data.freeze_panes = "A2"

    name = province["name"].iloc[0] if len(province) else province_code
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["B"].width = 90
    for row in [["Mẫu nhập số liệu", f"{kind.title} — tỉnh {name} (mã {province_code})"],
                ["Cách dùng", "Điền từ dòng 2 của trang 'Số liệu', mỗi dòng một số liệu. Không đổi tên hay thứ tự "
                 "cột, không gộp ô, không thêm trang số liệu khác. Lưu dạng .xlsx (hoặc CSV UTF-8) rồi tải lên "
                 "trang 'Nhập số liệu' hoặc dùng lệnh: python -m ntm import TỆP --province "
                 f"{province_code} --kind {kind.name}"],
                ["Số", "Viết như văn bản hành chính: 1.234,5; tiền theo triệu đồng; tỷ lệ % viết 74,17"],
                ["Mã", "Mã đơn vị theo danh mục GSO (trang 'Danh mục'), gõ dạng văn bản để giữ số 0 đầu"],
                ["Kiểm tra", "Tệp được kiểm tra toàn bộ trước khi nhập; mọi lỗi được báo kèm dòng, cột. Trước khi "
                 "áp dụng có bản xem trước so với số liệu đang có; có thể hoàn tác."],
                [], ["Cột", "Ý nghĩa"]]:
        guide.append(row)
    for column in kind.columns:
        need = "bắt buộc" if column.required else "không bắt buộc"
        choices = f"; chọn: {', '.join(column.choices)}" if column.choices else ""
        guide.append([column.header, f"{need}{choices}" + (f"; {column.help}" if column.help else "")])
    for row in guide.iter_rows(max_col=1):
        row[0].font = bold
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _indicator_codes(con) -> list[str]:
    from ntm.criteria import SET_NTM, Rulebook

    return list(Rulebook.from_db(con).of_set("indicators", SET_NTM)["indicator_code"])
