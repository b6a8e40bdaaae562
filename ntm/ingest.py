"""Reading indicator values from a province's own spreadsheet (CSV or Excel), long or wide.

Long: one row per commune, indicator and year — columns `ma_xa` (GSO code) or `xa` (name), `chi_tieu`
(indicator code), `nam` (year), `gia_tri` (value); English headers `code`/`commune`, `indicator`, `year`,
`value` work too. A whole criterion's result may be given as `chi_tieu` "TC10" with `gia_tri` Đạt / Chưa đạt
(a declared result, used where the indicators leave the criterion open); a `gioi_tinh` column (nam / nữ) gives
values per sex for the indicators that must hold for men and women. Wide: one row per commune, a column
per indicator code ("10", "12.1"), with `nam` or the year given on the command line. Values are read as
Vietnamese officials write them ("74,17", "74,17%", "1.018"); "Đạt" / "Chưa đạt" are 1 / 0. Names go through
the same matcher as the documents.
The file is read by `ntm.reader` (encoding, separator, Excel formats, limits); here the table is validated:
known commune and indicator, year inside the period, percentages within 0-100 and no negative value, one
value column, and a repeated row either identical (read once) or an error naming both rows.
Every problem is collected and reported with file, sheet, row and column; nothing is partially read.
"""

import re
from pathlib import Path

import pandas as pd

from ntm import reader
from ntm.errors import DataError, Problem, excerpt
from ntm.fmt import number as fmt_number
from ntm.fmt import parse_number
from ntm.matching import MAX_NAME_CHARS, UnitMatcher
from ntm.names import normalize

ALIASES = {"code": ("ma_xa", "ma", "code", "commune_code", "ma xa"), "name": ("xa", "ten_xa", "commune", "name",
                                                                              "ten xa"),
           "indicator": ("chi_tieu", "indicator", "indicator_code", "ma_chi_tieu", "chi tieu"),
           "year": ("nam", "year"), "value": ("gia_tri", "value", "gia tri"), "district": ("huyen", "district"),
           "set": ("bo_tieu_chi", "set", "set_code"), "source": ("nguon", "source"), "sex": ("gioi_tinh", "sex")}
SEXES = {"nam": "nam", "nu": "nu", "male": "nam", "female": "nu"}
FLAGS = {"dat": 1.0, "chua dat": 0.0, "khong dat": 0.0, "x": 1.0}


def _problem(where: tuple, vi: str, en: str) -> Problem:
    """where = (file, row, column, sheet)."""
    file, row, column, sheet = where
    return Problem(file, row, column, vi, en, sheet=sheet)


def _role(header: str) -> str | None:
    key = normalize(str(header)).replace("_", " ")
    for role, names in ALIASES.items():
        if key in {n.replace("_", " ") for n in names}:
            return role
    return None


def _value(raw, problems, where) -> float | None:
    """A cell's number, or 1 / 0 for Đạt / Chưa đạt; None when blank. No number is ever written as a flag, so a
    cell is read as a number first (most cells: the name normalisation only for the others)."""
    if raw is None or (isinstance(raw, float) and pd.isna(raw)) or str(raw).strip() == "":
        return None
    try:
        return parse_number(raw)
    except ValueError:
        flag = FLAGS.get(normalize(str(raw)))
    if flag is not None:
        return flag
    quoted = excerpt(raw)
    problems.append(_problem(where, f"'{quoted}' không phải là số hay Đạt/Chưa đạt (viết số như 74,17 hoặc 1.018)",
                             f"'{quoted}' is not a number or Đạt/Chưa đạt (write numbers like 74,17 or 1.018)"))
    return None


def is_illustrative(path: str | Path) -> bool:
    """A file written by `python -m ntm sample` says so in its `nguon` column."""
    sheet = reader.read(path)
    return any(_role(c) == "source" and any("minh họa" in str(row[j] or "") for row in sheet.rows)
               for j, c in enumerate(sheet.columns))


def _code_text(cell) -> str:
    """A code as the sheet shows it: "17.10" stays "17.10" (never the float 17.1)."""
    return cell.shown if isinstance(cell, reader.Shown) else str(cell or "").strip()


CRITERION = re.compile(r"^TC\s*(\d+)$", re.IGNORECASE)


def read_values(path: str | Path, units: pd.DataFrame, sets: dict[str, set[str]], default_set: str,
                province: str | None = None, year: int | None = None, percent: frozenset[str] = frozenset(),
                years: tuple[int, int] | None = None, name: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, declared) from a file: values as unit_code, set_code, indicator_code, year, value; declared
    criterion results as unit_code, set_code, year, criterion_no, status, doc_id, line. `units`: the unit list
    (store.units); `sets`: the indicator codes of each criteria set; rows without a `bo_tieu_chi` column
    belong to `default_set`; `percent`: indicator codes measured in % (0-100); `years`: the period's first and
    last year; `name`: the file's name in messages (an upload's own name). Each value keeps its row number
    (`line`). Raises DataError with every problem found; a row repeated with the same value is read once, with
    another value it is an error."""
    path = Path(path)
    sheet = reader.read(path, name)
    name, sheet_name = sheet.file, sheet.name
    problems: list[Problem] = []
    matcher = UnitMatcher(units)
    known_units = set(units["code"])
    roles = {col: _role(col) for col in sheet.columns}
    for role in ("value", "indicator", "code", "name", "year"):
        twice = [c for c, r in roles.items() if r == role]
        if len(twice) > 1:
            problems.append(Problem(name, 1, twice[1], f"hai cột cùng nghĩa '{role}' ({', '.join(twice)}): chỉ "
                                    "được một", f"two '{role}' columns ({', '.join(twice)}): only one is allowed",
                                    sheet=sheet_name))
    by_role = {r: sheet.columns.index(c) for c, r in reversed(list(roles.items())) if r}
    wide = [(j, c) for j, c in enumerate(sheet.columns) if c in sets[default_set]]
    if "code" not in by_role and "name" not in by_role:
        problems.append(Problem(name, 1, None, "thiếu cột mã xã (ma_xa) hoặc tên xã (xa)",
                                "missing a commune code (ma_xa) or name (xa) column", sheet=sheet_name))
    long = "indicator" in by_role and "value" in by_role
    if not long and not wide:
        problems.append(Problem(name, 1, None, "không có cột chi_tieu/gia_tri, cũng không có cột mang mã "
                                "chỉ tiêu (ví dụ 10, 12.1)", "no indicator/value columns and no column named "
                                "by an indicator code (e.g. 10, 12.1)", sheet=sheet_name))
    if long and wide:
        problems.append(Problem(name, 1, wide[0][1], "vừa có cột gia_tri vừa có cột mang mã chỉ tiêu: hai cột "
                                "giá trị", "both a value column and columns named by indicator codes: two value "
                                "columns", sheet=sheet_name))
    if problems:
        raise DataError(problems)
    rows, declared, seen = [], [], {}
    for i, rec in zip(sheet.numbers, sheet.rows, strict=True):
        def where(col, row=i):
            return (name, row, col, sheet_name)

        def cell(role, rec=rec):
            return rec[by_role[role]] if role in by_role else None

        unit = _unit(rec, by_role, sheet.columns, matcher, known_units, province, problems, where)
        y = year
        if "year" in by_role:
            try:
                y = int(parse_number(cell("year")))  # pyright: ignore[reportArgumentType]  # blank: TypeError
            except (TypeError, ValueError):
                problems.append(_problem(where(sheet.columns[by_role["year"]]), f"năm '{excerpt(cell('year'))}' "
                                         "không hợp lệ", f"year '{excerpt(cell('year'))}' is not valid"))
                continue
        if y is None:
            problems.append(Problem(name, i, None, "thiếu năm (cột nam hoặc --year)",
                                    "missing year (column nam or --year)", sheet=sheet_name))
            continue
        if years and not years[0] <= y <= years[1]:
            problems.append(_problem(where(sheet.columns[by_role["year"]] if "year" in by_role else None),
                                     f"năm {y} ngoài giai đoạn {years[0]}-{years[1]}",
                                     f"year {y} is outside the period {years[0]}-{years[1]}"))
            continue
        set_code = _code_text(cell("set")) if "set" in by_role else default_set
        if set_code not in sets:
            problems.append(_problem(where(sheet.columns[by_role["set"]]), f"bộ tiêu chí '{excerpt(set_code)}' "
                                     "không có", f"criteria set '{excerpt(set_code)}' is not known"))
            continue
        pairs = [(cell("indicator"), sheet.columns[by_role["value"]], cell("value"))] if long else \
            [(c, c, rec[j]) for j, c in wide]
        for raw_code, col, raw in pairs:
            code = _code_text(raw_code)
            criterion = CRITERION.match(code) if long else None  # a wide sheet's columns are indicators
            if criterion:
                flag = FLAGS.get(normalize(str(raw or "")))
                if flag is None:
                    quoted = excerpt(raw)
                    problems.append(_problem(where(col), f"kết quả tiêu chí phải là Đạt hoặc Chưa đạt, "
                                             f"không phải '{quoted}'", f"a criterion result must be Đạt or "
                                             f"Chưa đạt, not '{quoted}'"))
                elif unit:
                    declared.append({"unit_code": unit, "set_code": set_code, "year": y,
                                     "criterion_no": criterion.group(1), "status": "met" if flag else "not_met",
                                     "doc_id": path.name, "line": i})
                continue
            indicator_col = sheet.columns[by_role["indicator"]] if long else col
            if long and code not in sets[set_code]:
                problems.append(_problem(where(indicator_col), f"mã chỉ tiêu '{excerpt(code)}' không có trong bộ "
                                         "tiêu chí", f"indicator code '{excerpt(code)}' is not in the criteria set"))
                continue
            if isinstance(raw_code, reader.Shown) and code + "0" in sets[set_code]:
                problems.append(_problem(where(indicator_col), f"mã chỉ tiêu {code} gõ dạng số có thể là {code}0: "
                                         "hãy gõ mã dạng văn bản", f"indicator code {code} typed as a number may "
                                         f"be {code}0: type codes as text"))
                continue
            value = _value(raw, problems, where(col))
            if value is None or unit is None:
                continue
            if value < 0 or (code in percent and value > 100):
                problems.append(_problem(where(col), f"{code}: {_shown(raw)} ngoài khoảng cho phép "
                                         f"({'0-100 %' if code in percent else '≥ 0'})", f"{code}: {_shown(raw)} is "
                                         f"out of range ({'0-100 %' if code in percent else '≥ 0'})"))
                continue
            sex = SEXES.get(normalize(str(cell("sex") or ""))) if "sex" in by_role else None
            key = (unit, set_code, code, y, sex)
            if key in seen:
                if seen[key][0] != value:
                    problems.append(_problem(where(col), f"{code} năm {y} đã có giá trị khác ở dòng {seen[key][1]} "
                                             f"({fmt_number(seen[key][0])} ≠ {fmt_number(value)})", f"{code} {y} "
                                             f"already has another value at row {seen[key][1]} "
                                             f"({seen[key][0]:g} ≠ {value:g})"))
                continue
            seen[key] = (value, i)
            rows.append({"unit_code": unit, "set_code": set_code, "indicator_code": code, "year": y,
                         "value": value, "sex": sex, "line": i})
    if problems:
        raise DataError(problems)
    return (pd.DataFrame(rows, columns=["unit_code", "set_code", "indicator_code", "year", "value", "sex", "line"]),
            pd.DataFrame(declared, columns=["unit_code", "set_code", "year", "criterion_no", "status", "doc_id",
                                            "line"]))


def _shown(raw) -> str:
    return raw.shown if isinstance(raw, reader.Shown) else excerpt(raw)


def _unit(rec, by_role, columns, matcher, known_units, province, problems, where) -> str | None:
    if "code" in by_role and rec[by_role["code"]] is not None:
        column = columns[by_role["code"]]
        written = _code_text(rec[by_role["code"]])
        code = written.split(".")[0].zfill(5) if written.replace(".", "", 1).isdigit() else written
        if code in known_units:
            return code
        problems.append(_problem(where(column), f"mã xã '{excerpt(code)}' không có trong danh mục",
                                 f"commune code '{excerpt(code)}' is not in the unit list"))
        return None
    if "name" not in by_role or rec[by_role["name"]] is None:
        problems.append(_problem(where(columns[by_role.get("name", by_role.get("code"))]), "thiếu mã hay tên xã",
                                 "the commune code or name is missing"))
        return None
    column = columns[by_role["name"]]
    written = " ".join(str(rec[by_role["name"]]).split())
    if province is None:
        problems.append(_problem(where(column), "cần --province để khớp tên xã",
                                 "--province is needed to match commune names"))
        return None
    match = matcher.match(written, province)
    if match.code:
        return match.code
    if match.method == "too_long":
        problems.append(_problem(where(column), f"tên xã dài hơn {MAX_NAME_CHARS} ký tự",
                                 f"the commune name is longer than {MAX_NAME_CHARS} characters"))
        return None
    why_vi = "trùng nhiều xã: " + ", ".join(match.candidates) if match.candidates else "không khớp xã nào"
    why_en = "matches several communes: " + ", ".join(match.candidates) if match.candidates else "matches no commune"
    problems.append(_problem(where(column), f"tên xã '{excerpt(written)}' {why_vi}",
                             f"commune name '{excerpt(written)}' {why_en}"))
    return None
