"""One reader for the files an office brings (CSV or Excel): cells as they are shown, or a clear refusal.

Every file goes through `read`: its size is checked before anything is parsed; a CSV's encoding (UTF-8 with
or without BOM; anything else is refused with the reason, since cp1258 and latin-1 cannot be told apart with
certainty) and separator (`,` `;` or tab, as Excel writes it on a Vietnamese Windows) are detected; an XLSX
must be a real workbook (not a renamed text file, an old .xls or a password-protected one), within the row,
column and unzipped-size limits read from its own dimension before the cells are loaded. A cell is read as
shown: text stays text (codes are never turned into floats), a number comes as a `Shown` float that also keeps
the text Excel displays ("17.10" for a code formatted with two decimals), and a percent-formatted cell is the
percentage shown (85 %, not 0,85). A formula without a cached value, a merged cell, or a data sheet beside the
data sheet are errors that say so; a sheet of instructions ("Hướng dẫn") is recognised and skipped.
Every problem is collected and raised at once (DataError, vi/en, file, sheet, row, column, value excerpt).
"""

import csv
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ntm.errors import DataError, Problem, excerpt
from ntm.names import normalize

MAX_BYTES = 20 * 2**20
MAX_UNZIPPED = 100 * 2**20
MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 1_000
INSTRUCTION_SHEETS = ("huong dan", "instructions", "instruction", "readme", "ghi chu", "danh muc")
SEPARATORS = (",", ";", "\t")
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted (password) .xlsx


class Shown(float):
    """A numeric cell: its value, and the text the spreadsheet shows (for codes typed as numbers)."""

    shown: str

    def __new__(cls, value: float, shown: str):
        number = super().__new__(cls, value)
        number.shown = shown
        return number


@dataclass
class Sheet:
    """A table read from a file: column names and rows of cells (str, Shown or None), each row with its number
    in the file (the header is row 1)."""

    file: str
    name: str | None
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)


def read(path: str | Path, name: str | None = None) -> Sheet:
    """The file's one data sheet. Raises DataError with every problem found."""
    path = Path(path)
    name = excerpt(name or path.name, 120)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise _fail(name, f"tệp lớn hơn {MAX_BYTES // 2**20} MB", f"the file is larger than {MAX_BYTES // 2**20} MB")
    if size == 0:
        raise _fail(name, "tệp rỗng", "the file is empty")
    data = path.read_bytes()
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        sheet = _xlsx(data, name)
    elif path.suffix.lower() in (".csv", ".txt"):
        sheet = _csv(data, name)
    else:
        raise _fail(name, "chỉ nhận tệp .csv hoặc .xlsx", "only .csv or .xlsx files are accepted")
    if not sheet.rows:
        raise DataError([Problem(name, 2, None, "tệp chỉ có dòng tiêu đề, không có số liệu",
                                 "the file has a header but no data rows", sheet=sheet.name)])
    return sheet


def _fail(name: str, vi: str, en: str, row: int | None = None, column: str | None = None,
          sheet: str | None = None) -> DataError:
    return DataError([Problem(name, row, column, vi, en, sheet=sheet)])


def _text(value: str) -> str | None:
    text = unicodedata.normalize("NFC", value).strip()
    return text or None


# ---- CSV ---------------------------------------------------------------------------------------------------------

def _csv(data: bytes, name: str) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(name, f"tệp không phải UTF-8 (byte lạ ở vị trí {exc.start}; có thể là cp1258 hay latin-1): "
                    "hãy lưu lại bằng 'CSV UTF-8'", f"the file is not UTF-8 (unexpected byte at position "
                    f"{exc.start}; perhaps cp1258 or latin-1): save it again as 'CSV UTF-8'") from exc
    if "\x00" in text:
        raise _fail(name, "tệp có ký tự nhị phân: không phải CSV", "the file holds binary characters: not a CSV")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise _fail(name, "tệp không có dòng tiêu đề", "the file has no header row", row=1)
    separator = max(SEPARATORS, key=lambda s: lines[0].count(s))
    csv.field_size_limit(MAX_BYTES)  # a long cell is refused below with its row and column, not by the parser
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    problems: list[Problem] = []
    try:
        header = [_text(c) or "" for c in next(reader)]
        _check_header(header, name, None, problems)
        sheet = Sheet(name, None, header)
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(sheet.rows) >= MAX_ROWS:
                raise _fail(name, f"tệp có hơn {MAX_ROWS:,} dòng".replace(",", "."), f"more than {MAX_ROWS:,} rows")
            if len(cells) != len(header):
                problems.append(Problem(name, number, None, f"dòng có {len(cells)} ô, tiêu đề có {len(header)} cột",
                                        f"the row has {len(cells)} cells, the header {len(header)} columns"))
                continue
            row = [_cell_text(c, name, number, header[j], None, problems) for j, c in enumerate(cells)]
            sheet.rows.append(row)
            sheet.numbers.append(number)
    except csv.Error as exc:
        raise _fail(name, f"CSV hỏng ({excerpt(exc)})", f"a broken CSV ({excerpt(exc)})") from exc
    if problems:
        raise DataError(problems[:200])
    return sheet


def _cell_text(value: str, name: str, row: int, column: str, sheet: str | None, problems: list) -> str | None:
    if len(value) > MAX_CELL_CHARS:
        problems.append(Problem(name, row, column, f"ô dài hơn {MAX_CELL_CHARS} ký tự: '{excerpt(value)}'",
                                f"a cell longer than {MAX_CELL_CHARS} characters: '{excerpt(value)}'", sheet=sheet))
        return None
    return _text(value)


def _check_header(header: list[str], name: str, sheet: str | None, problems: list) -> None:
    if len(header) > MAX_COLUMNS:
        raise _fail(name, f"có {len(header)} cột, quá {MAX_COLUMNS}", f"{len(header)} columns, over {MAX_COLUMNS}",
                    row=1, sheet=sheet)
    seen = set()
    for column in header:
        if column and normalize(column) in seen:
            problems.append(Problem(name, 1, column, "tên cột lặp lại", "a column name appears twice", sheet=sheet))
        seen.add(normalize(column))


# ---- XLSX --------------------------------------------------------------------------------------------------------

def _xlsx(data: bytes, name: str) -> Sheet:
    """Streamed (openpyxl read-only): the sheet's own dimension is checked before its cells are read."""
    if data.startswith(OLE_SIGNATURE):
        raise _fail(name, "tệp có mật khẩu hoặc là định dạng .xls cũ: hãy bỏ mật khẩu và lưu dạng .xlsx",
                    "the workbook is password-protected or an old .xls: remove the password and save as .xlsx")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise _fail(name, "tệp không phải là sổ tính Excel (.xlsx)", "the file is not an Excel workbook (.xlsx)") \
            from exc
    if sum(m.file_size for m in members) > MAX_UNZIPPED:
        raise _fail(name, f"sổ tính giải nén lớn hơn {MAX_UNZIPPED // 2**20} MB",
                    f"the workbook unzips to more than {MAX_UNZIPPED // 2**20} MB")
    from openpyxl import load_workbook

    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        for ws in values.worksheets:
            if ws.max_row is None:  # a workbook without a dimension record: measured by streaming it once
                ws.calculate_dimension(force=True)  # pyright: ignore[reportCallIssue]  # read-only sheets take it
        sheets = [ws for ws in values.worksheets if normalize(ws.title) not in INSTRUCTION_SHEETS
                  and (ws.max_row or 0) * (ws.max_column or 0) > 0 and _has_values(ws)]
    except Exception as exc:  # openpyxl raises many kinds for damaged workbooks
        raise _fail(name, f"không mở được sổ tính ({type(exc).__name__})",
                    f"the workbook cannot be opened ({type(exc).__name__})") from exc
    if not sheets:
        raise _fail(name, "sổ tính không có trang số liệu", "the workbook has no data sheet")
    if len(sheets) > 1:
        raise _fail(name, f"sổ tính có {len(sheets)} trang số liệu ({', '.join(ws.title for ws in sheets)}): "
                    "chỉ nhận một (trang 'Hướng dẫn' được bỏ qua)", f"the workbook has {len(sheets)} data sheets "
                    f"({', '.join(ws.title for ws in sheets)}): only one is accepted (a 'Hướng dẫn' sheet is skipped)")
    ws = sheets[0]
    if ws.max_row > MAX_ROWS + 1 or ws.max_column > MAX_COLUMNS:
        raise _fail(name, f"trang tính dùng {ws.max_row} dòng × {ws.max_column} cột, quá giới hạn {MAX_ROWS} dòng × "
                    f"{MAX_COLUMNS} cột", f"the sheet spans {ws.max_row} rows × {ws.max_column} columns, over the "
                    f"limit of {MAX_ROWS} rows × {MAX_COLUMNS} columns", sheet=ws.title)
    part = ws._worksheet_path  # pyright: ignore[reportAttributeAccessIssue]  # a read-only sheet keeps its part name
    xml = archive.read(part.lstrip("/")).decode("utf-8", "replace")
    problems = [Problem(name, int(re.findall(r"\d+", ref)[0]), None, f"ô gộp {ref}: hãy bỏ gộp ô",
                        f"merged cells {ref}: unmerge them", sheet=ws.title)
                for ref in re.findall(r'<mergeCell ref="([A-Z]+\d+(?::[A-Z]+\d+)?)"', xml)[:50]]
    with_formula = {(c.row, c.column): c.value for row in formulas[ws.title].iter_rows() for c in row
                    if isinstance(c.value, str) and c.value.startswith("=")}
    rows = ws.iter_rows()
    header = [(_text(str(c.value)) or "") if c.value is not None else "" for c in next(rows, ())]  # as in a CSV
    while header and not header[-1]:
        header.pop()
    if not header:
        raise _fail(name, "trang tính không có dòng tiêu đề", "the sheet has no header row", row=1, sheet=ws.title)
    _check_header(header, name, ws.title, problems)
    sheet = Sheet(name, ws.title, header)
    for number, cells in enumerate(rows, start=2):
        row = [_xlsx_cell(cells[j], with_formula.get((number, j + 1)), name, number, column, ws.title, problems)
               if j < len(cells) else None for j, column in enumerate(header)]
        extra = [j for j, c in enumerate(cells[len(header):], start=len(header) + 1) if c.value is not None]
        if extra:
            problems.append(Problem(name, number, f"#{extra[0]}", "có số liệu ở cột không có tiêu đề",
                                    "a value in a column without a header", sheet=ws.title))
        if any(v is not None for v in row):
            sheet.rows.append(row)
            sheet.numbers.append(number)
    if problems:
        raise DataError(problems[:200])
    return sheet


def _has_values(ws) -> bool:
    return any(c.value is not None for row in ws.iter_rows(max_row=min(ws.max_row, 50)) for c in row)


def _xlsx_cell(cell, formula, name: str, row: int, column: str, sheet: str, problems: list):
    value = cell.value
    if value is None:
        if formula:
            problems.append(Problem(name, row, column, f"ô có công thức '{excerpt(formula)}' nhưng chưa có giá "
                                    "trị tính sẵn: mở tệp bằng Excel, lưu lại rồi tải lên", f"the cell holds the "
                                    f"formula '{excerpt(formula)}' without a computed value: open the file in Excel, "
                                    "save it, upload again", sheet=sheet))
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            problems.append(Problem(name, row, column, "ô không phải là số hữu hạn", "the cell is not a finite "
                                    "number", sheet=sheet))
            return None
        return _shown(float(value), getattr(cell, "number_format", None) or "General")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return _cell_text(str(value), name, row, column, sheet, problems)


def _shown(value: float, number_format: str) -> Shown:
    """The number as the sheet shows it: a percent format shows value × 100; decimals from the format."""
    fmt = number_format.split(";")[0]
    percent = "%" in fmt
    if percent:
        value = round(value * 100, 10)
    decimals = len(fmt.split(".", 1)[1].rstrip("%")) if "." in fmt and fmt != "General" else None
    if decimals is not None:
        text = f"{value:.{decimals}f}"
    else:
        text = str(int(value)) if float(value).is_integer() else repr(value)
    return Shown(value, text + ("%" if percent else ""))
