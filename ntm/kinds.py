"""The kinds of file an office imports, each declared once: its columns (Vietnamese header with the unit, type,
required, choices), the fact table it fills and the key a row is compared on. The same declaration writes the
template (ntm.templates) and validates an upload (`validate`), collecting every problem at once.

`indicators` reuses the indicator-value reader (ntm.ingest, long or wide); the other kinds are validated here.
A row's `line` is its row number in the sheet, so an imported figure cites the file and row exactly as a seed
fact cites a document and line.
"""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from ntm import ingest, period, reader, store
from ntm.criteria import SET_NANG_CAO, SET_NTM, Rulebook
from ntm.errors import DataError, Problem, excerpt
from ntm.fmt import parse_number
from ntm.names import normalize

LEVELS = {"NTM": "xa_ntm", "NTM nâng cao": "xa_nang_cao", "NTM kiểu mẫu": "xa_kieu_mau"}
RECOGNITION_KINDS = {"Thực tế": "actual", "Kế hoạch": "planned"}
SOURCES = {"Ngân sách trung ương": "central_budget", "Ngân sách địa phương": "local_budget",
           "Ngân sách tỉnh": "provincial_budget", "Ngân sách huyện": "district_budget", "Lồng ghép": "integrated",
           "Tín dụng": "credit", "Doanh nghiệp": "enterprise", "Cộng đồng": "community", "Khác": "other",
           "Tổng": "total"}
CAPITAL = {"Đầu tư phát triển": "investment", "Sự nghiệp": "recurrent", "Tất cả": "all"}
FUNDING_KINDS = {"Kế hoạch": "planned", "Đã phân bổ": "allocated", "Đã huy động": "mobilized", "Nhu cầu": "need"}
DISBURSEMENT_KINDS = {"Đã phân bổ": "allocated", "Đã giải ngân": "disbursed"}
COMPARATORS = {">=": ">=", "<=": "<=", "=": "=="}


@dataclass(frozen=True)
class Column:
    key: str                 # the fact-table column it fills
    header: str              # the Vietnamese header, with the unit
    type: str                # unit | text | year | number | date | choice | measure
    required: bool = True
    choices: dict[str, str] = field(default_factory=dict)  # as written -> as stored
    help: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    table: str
    title: str               # Vietnamese title of the template
    columns: tuple[Column, ...]
    key: tuple[str, ...]     # a loaded row with the same key is the same figure
    value: str               # the column compared in the preview
    fixed: dict = field(default_factory=dict)


UNIT = Column("unit_code", "Mã đơn vị (mã GSO)", "unit", help="mã xã 5 chữ số, huyện 3, tỉnh 2 (xem 'Danh mục')")
NAME = Column("unit_name_original", "Tên đơn vị", "text", required=False, help="để đối chiếu, không bắt buộc")
NOTE = Column("note", "Ghi chú", "text", required=False)

KINDS = {k.name: k for k in (
    Kind("recognitions", "recognitions", "Công nhận đạt chuẩn", (
        UNIT, NAME,
        Column("level", "Mức đạt chuẩn", "choice", choices=LEVELS),
        Column("year", "Năm công nhận", "year"),
        Column("decision", "Số quyết định", "text", required=False),
        Column("decision_date", "Ngày quyết định (dd/mm/yyyy)", "date", required=False),
        Column("kind", "Thực tế / Kế hoạch", "choice", choices=RECOGNITION_KINDS,
               help="Thực tế: đã có quyết định công nhận; Kế hoạch: dự kiến"),
        NOTE), key=("unit_code", "level", "kind"), value="year"),
    Kind("targets", "targets", "Mục tiêu", (
        UNIT, NAME,
        Column("target_year", "Năm mục tiêu", "year"),
        Column("measure", "Chỉ tiêu đo (mã, xem 'Danh mục')", "measure"),
        Column("comparator", "So sánh (>=, <=, =)", "choice", required=False, choices=COMPARATORS),
        Column("value", "Giá trị mục tiêu (theo đơn vị của chỉ tiêu đo)", "number"),
        NOTE), key=("unit_code", "target_year", "measure"), value="value"),
    Kind("funding", "funding", "Nguồn vốn", (
        UNIT, NAME,
        Column("year", "Năm", "year"),
        Column("source", "Nguồn vốn", "choice", choices=SOURCES),
        Column("capital_type", "Loại vốn", "choice", choices=CAPITAL),
        Column("kind", "Loại số liệu", "choice", choices=FUNDING_KINDS),
        Column("item", "Hạng mục (để trống: toàn đơn vị)", "text", required=False),
        Column("amount_mvnd", "Số tiền (triệu đồng)", "number"),
        NOTE), key=("unit_code", "year", "source", "capital_type", "kind", "item"), value="amount_mvnd"),
    Kind("disbursement", "funding", "Giải ngân", (
        UNIT, NAME,
        Column("year", "Năm", "year"),
        Column("source", "Nguồn vốn", "choice", choices=SOURCES),
        Column("capital_type", "Loại vốn", "choice", choices=CAPITAL),
        Column("kind", "Đã phân bổ / Đã giải ngân", "choice", choices=DISBURSEMENT_KINDS),
        Column("amount_mvnd", "Số tiền (triệu đồng)", "number"),
        NOTE), key=("unit_code", "year", "source", "capital_type", "kind", "item"), value="amount_mvnd"),
    Kind("indicators", "indicator_values", "Giá trị chỉ tiêu", (
        Column("unit_code", "ma_xa", "unit", help="mã xã (hoặc cột xa: tên xã)"),
        Column("unit_name_original", "xa", "text", required=False, help="tên xã"),
        Column("indicator_code", "chi_tieu", "text", help="mã chỉ tiêu (xem 'Danh mục'), gõ dạng văn bản"),
        Column("year", "nam", "year"),
        Column("value", "gia_tri", "number", help="theo đơn vị của chỉ tiêu; % viết 74,17; Đạt / Chưa đạt")),
        key=("unit_code", "set_code", "indicator_code", "year"), value="value"),
)}


@dataclass
class Validated:
    """The rows of a valid upload in the fact table's columns (without doc_id), and the sheet it came from."""

    kind: Kind
    sheet: reader.Sheet
    rows: pd.DataFrame


def validate(con, kind_name: str, path: str | Path, province_code: str, name: str | None = None,
             today: date | None = None) -> Validated:
    """Read and check an upload of `kind_name` for a province; DataError with every problem found."""
    kind = KINDS[kind_name]
    sheet = reader.read(path, name)
    if kind.name == "indicators":
        return Validated(kind, sheet, _indicators(con, path, name, province_code))
    units = store.units(con, province_code=province_code)
    known = dict(zip(units["code"], units["name"], strict=True))
    measures = set(store.measures(con)["measure"]) if any(c.type == "measure" for c in kind.columns) else set()
    years = period.span(con)  # a year within the programme's periods
    problems: list[Problem] = []
    index = _columns(kind, sheet, problems)
    rows = []
    today = today or date.today()
    for number, cells in zip(sheet.numbers, sheet.rows, strict=True):
        rec = {"line": number, **kind.fixed}
        for column in kind.columns:
            j = index.get(column.key)
            raw = cells[j] if j is not None else None
            rec[column.key] = _cell(column, raw, known, measures, years, (sheet.file, number, sheet.columns[j]
                                                                   if j is not None else column.header,
                                                                   sheet.name), problems)
        _domain(kind, rec, today, sheet, problems)
        rows.append(rec)
    seen: dict[tuple, int] = {}
    for rec in rows:
        key = tuple(rec.get(k) for k in kind.key)
        if None not in key[:1] and key in seen:
            problems.append(Problem(sheet.file, rec["line"], None, f"trùng với dòng {seen[key]}",
                                    f"the same figure as row {seen[key]}", sheet=sheet.name))
        seen.setdefault(key, rec["line"])
    if problems:
        raise DataError(problems[:200])
    frame = pd.DataFrame(rows)
    frame["original_text"] = [" | ".join(_shown(c) for c in cells if c is not None) for cells in sheet.rows]
    return Validated(kind, sheet, frame)


def _columns(kind: Kind, sheet: reader.Sheet, problems: list[Problem]) -> dict[str, int]:
    by_header = {normalize(c): j for j, c in enumerate(sheet.columns)}
    index = {}
    for column in kind.columns:
        j = by_header.get(normalize(column.header), by_header.get(normalize(column.key)))
        if j is not None:
            index[column.key] = j
        elif column.required:
            problems.append(Problem(sheet.file, 1, column.header, f"thiếu cột '{column.header}'",
                                    f"missing column '{column.header}'", sheet=sheet.name))
    if problems:
        raise DataError(problems)
    return index


def _shown(cell) -> str:
    return cell.shown if isinstance(cell, reader.Shown) else str(cell)


def _cell(column: Column, raw, known: dict, measures: set, years: tuple[int, int], where: tuple,
          problems: list[Problem]):
    file, row, header, sheet = where

    def bad(vi: str, en: str) -> None:
        problems.append(Problem(file, row, header, vi, en, sheet=sheet))

    if raw is None or str(raw).strip() == "":
        if column.required:
            bad("ô bắt buộc đang trống", "a required cell is empty")
        return None
    text = _shown(raw).strip()
    if column.type == "unit":
        code = text.zfill(5) if text.isdigit() and len(text) > 3 else text.zfill(3) if text.isdigit() and \
            len(text) == 3 else text.zfill(2) if text.isdigit() else text
        if code not in known:
            bad(f"mã đơn vị '{excerpt(text)}' không thuộc tỉnh (xem trang 'Danh mục')",
                f"unit code '{excerpt(text)}' is not in the province (see the 'Danh mục' sheet)")
            return None
        return code
    if column.type == "choice":
        by_norm = {normalize(k): v for k, v in column.choices.items()} | {v: v for v in column.choices.values()}
        value = by_norm.get(normalize(text), by_norm.get(text))
        if value is None:
            bad(f"'{excerpt(text)}' không phải là một trong: {', '.join(column.choices)}",
                f"'{excerpt(text)}' is not one of: {', '.join(column.choices)}")
        return value
    if column.type == "measure":
        if text not in measures:
            bad(f"chỉ tiêu đo '{excerpt(text)}' không có trong danh mục", f"measure '{excerpt(text)}' is not known")
            return None
        return text
    if column.type == "year":
        try:
            year = int(parse_number(raw))  # pyright: ignore[reportArgumentType]  # blank: TypeError, caught
        except (TypeError, ValueError):
            year = None
        if year is None or not years[0] <= year <= years[1] or parse_number(raw) != year:
            bad(f"năm '{excerpt(text)}' không hợp lệ (cần {years[0]}-{years[1]})",
                f"year '{excerpt(text)}' is not valid (expected {years[0]}-{years[1]})")
            return None
        return year
    if column.type == "number":
        try:
            value = parse_number(raw)
        except (TypeError, ValueError):
            value = None
        if value is None or value != value or value in (float("inf"), float("-inf")):
            bad(f"'{excerpt(text)}' không phải là số (viết như 1.234,5)",
                f"'{excerpt(text)}' is not a number (write it like 1.234,5)")
            return None
        if value < 0:
            bad(f"{excerpt(text)}: không được âm", f"{excerpt(text)}: must not be negative")
            return None
        return value
    if column.type == "date":
        parsed = _date(text)
        if parsed is None:
            bad(f"ngày '{excerpt(text)}' không hợp lệ (cần dd/mm/yyyy)",
                f"date '{excerpt(text)}' is not valid (expected dd/mm/yyyy)")
        return parsed
    return " ".join(text.split())


def _date(text: str) -> str | None:
    match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text) or re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:T.*)?",
                                                                                text)
    if not match:
        return None
    a, b, c = match.groups()
    day, month, year = (int(c), int(b), int(a)) if len(a) == 4 else (int(a), int(b), int(c))
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _domain(kind: Kind, rec: dict, today: date, sheet: reader.Sheet, problems: list[Problem]) -> None:
    """Checks across cells of a row: expected is not achieved."""
    if kind.name != "recognitions" or rec.get("kind") != "actual":
        return
    when = rec.get("decision_date")
    if (when and when > today.isoformat()) or (rec.get("year") and rec["year"] > today.year):
        problems.append(Problem(sheet.file, rec["line"], "Thực tế / Kế hoạch",
                                f"đạt chuẩn 'Thực tế' nhưng ngày/năm ({when or rec['year']}) sau hôm nay: dự kiến "
                                "thì ghi 'Kế hoạch'", f"an 'actual' recognition dated after today "
                                f"({when or rec['year']}): write 'Kế hoạch' (planned) for what is expected",
                                sheet=sheet.name))
    if when and rec.get("year") and int(when[:4]) != rec["year"]:
        problems.append(Problem(sheet.file, rec["line"], "Năm công nhận",
                                f"năm {rec['year']} khác năm của ngày quyết định {when}",
                                f"the year {rec['year']} differs from the decision date {when}", sheet=sheet.name))


def _indicators(con, path, name, province_code) -> pd.DataFrame:
    rules = Rulebook.from_db(con)
    sets = {s: set(rules.of_set("indicators", s)["indicator_code"]) for s in (SET_NTM, SET_NANG_CAO)}
    indicators = pd.concat([rules.of_set("indicators", s) for s in sets])
    percent = frozenset(indicators.loc[indicators["unit"] == "%", "indicator_code"])
    units = store.units(con, level="commune", province_code=province_code)
    values, declared = ingest.read_values(path, units, sets, SET_NTM, province_code, percent=percent,
                                          years=period.span(con, SET_NTM), name=name)
    if len(declared):
        raise DataError([Problem(excerpt(name or Path(path).name, 120), int(declared["line"].iloc[0]), "chi_tieu",
                                 "kết quả cả tiêu chí (TC…) chưa nhập được, chỉ nhập giá trị chỉ tiêu",
                                 "a whole criterion's result (TC…) cannot be imported yet, only indicator values")])
    unit_of = indicators.drop_duplicates("indicator_code").set_index("indicator_code")["unit"]
    names = store.units(con, level="commune", province_code=province_code).set_index("code")["name"]
    return values.assign(unit=values["indicator_code"].map(unit_of), unit_name_original=values["unit_code"].map(
        names), value_text=values["value"].map(lambda v: f"{v:g}".replace(".", ",")),
        original_text=None, note=None).drop(columns=["sex"])
