"""Reading indicator values from a province's own spreadsheet (CSV or Excel), long or wide.

Long: one row per commune, indicator and year — columns `ma_xa` (GSO code) or `xa` (name), `chi_tieu`
(indicator code), `nam` (year), `gia_tri` (value); English headers `code`/`commune`, `indicator`, `year`,
`value` work too. A whole criterion's result may be given as `chi_tieu` "TC10" with `gia_tri` Đạt / Chưa đạt
(a declared result, used where the indicators leave the criterion open); a `gioi_tinh` column (nam / nữ) gives
values per sex for the indicators that must hold for men and women. Wide: one row per commune, a column
per indicator code ("10", "12.1"), with `nam` or the year given on the command line. Values are read as
Vietnamese officials write them ("74,17", "74,17%", "1.018"); "Đạt" / "Chưa đạt" are 1 / 0. Names go through
the same matcher as the documents.
Every problem is collected and reported with file, sheet, row and column; nothing is partially read.
"""

import re
from pathlib import Path

import pandas as pd

from ntm.errors import DataError, Problem, excerpt
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


def _read(path: Path) -> dict[str, pd.DataFrame]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return pd.read_excel(path, sheet_name=None, dtype=object)
    return {"": pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)}


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
    if raw is None or (isinstance(raw, float) and pd.isna(raw)) or str(raw).strip() == "":
        return None
    flag = FLAGS.get(normalize(str(raw)))
    if flag is not None:
        return flag
    try:
        return parse_number(raw)
    except ValueError:
        quoted = excerpt(raw)
        problems.append(_problem(where, f"'{quoted}' không phải là số hay Đạt/Chưa đạt (viết số như 74,17 hoặc 1.018)",
                                 f"'{quoted}' is not a number or Đạt/Chưa đạt (write numbers like 74,17 or 1.018)"))
        return None


def is_illustrative(path: str | Path) -> bool:
    """A file written by `python -m ntm sample` says so in its `nguon` column."""
    frames = _read(Path(path)).values()
    return any(_role(c) == "source" and frame[c].astype(str).str.contains("minh họa").any()
               for frame in frames for c in frame.columns)


CRITERION = re.compile(r"^TC\s*(\d+)$", re.IGNORECASE)


def read_values(path: str | Path, units: pd.DataFrame, sets: dict[str, set[str]], default_set: str,
                province: str | None = None, year: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, declared) from a file: values as unit_code, set_code, indicator_code, year, value; declared
    criterion results as unit_code, set_code, year, criterion_no, status, doc_id, line. `units`: the unit list
    (store.units); `sets`: the indicator codes of each criteria set; rows without a `bo_tieu_chi` column
    belong to `default_set`. Raises DataError with every problem found."""
    path = Path(path)
    problems: list[Problem] = []
    matcher = UnitMatcher(units)
    rows, declared = [], []
    for sheet, frame in _read(path).items():
        roles = {col: _role(col) for col in frame.columns}
        by_role = {r: c for c, r in roles.items() if r}
        wide_cols = [c for c in frame.columns if str(c).strip() in sets[default_set]]
        if "code" not in by_role and "name" not in by_role:
            problems.append(Problem(path.name, 1, None, "thiếu cột mã xã (ma_xa) hoặc tên xã (xa)",
                                    "missing a commune code (ma_xa) or name (xa) column", sheet=sheet or None))
            continue
        long = "indicator" in by_role and "value" in by_role
        if not long and not wide_cols:
            problems.append(Problem(path.name, 1, None, "không có cột chi_tieu/gia_tri, cũng không có cột mang mã "
                                    "chỉ tiêu (ví dụ 10, 12.1)", "no indicator/value columns and no column named "
                                    "by an indicator code (e.g. 10, 12.1)", sheet=sheet or None))
            continue
        for i, rec in enumerate(frame.to_dict("records"), start=2):
            def where(col, row=i, sheet=sheet):
                return (path.name, row, col, sheet or None)

            unit = _unit(rec, by_role, matcher, units, province, problems, where)
            y = year
            if "year" in by_role:
                try:
                    y = int(parse_number(rec[by_role["year"]]))
                except (TypeError, ValueError):
                    quoted = excerpt(rec[by_role["year"]])
                    problems.append(_problem(where(by_role["year"]), f"năm '{quoted}' không hợp lệ",
                                             f"year '{quoted}' is not valid"))
                    continue
            if y is None:
                problems.append(Problem(path.name, i, None, "thiếu năm (cột nam hoặc --year)",
                                        "missing year (column nam or --year)", sheet=sheet or None))
                continue
            set_code = str(rec[by_role["set"]]).strip() if "set" in by_role else default_set
            if set_code not in sets:
                problems.append(_problem(where(by_role["set"]), f"bộ tiêu chí '{excerpt(set_code)}' không có",
                                         f"criteria set '{excerpt(set_code)}' is not known"))
                continue
            pairs = [(str(rec[by_role["indicator"]]).strip(), by_role["value"])] if long else \
                [(str(c).strip(), c) for c in wide_cols]
            for code, col in pairs:
                criterion = CRITERION.match(code)
                if long and criterion:
                    flag = FLAGS.get(normalize(str(rec[col])))
                    if flag is None:
                        quoted = excerpt(rec[col])
                        problems.append(_problem(where(str(col)), f"kết quả tiêu chí phải là Đạt hoặc Chưa đạt, "
                                                 f"không phải '{quoted}'", f"a criterion result must be Đạt or "
                                                 f"Chưa đạt, not '{quoted}'"))
                    elif unit:
                        declared.append({"unit_code": unit, "set_code": set_code, "year": y,
                                         "criterion_no": criterion.group(1), "status": "met" if flag else "not_met",
                                         "doc_id": path.name, "line": i})
                    continue
                if long and code not in sets[set_code]:
                    quoted = excerpt(code)
                    problems.append(Problem(path.name, i, by_role["indicator"], f"mã chỉ tiêu '{quoted}' không có "
                                            "trong bộ tiêu chí", f"indicator code '{quoted}' is not in the criteria "
                                            "set", sheet=sheet or None))
                    continue
                value = _value(rec[col], problems, where(str(col)))
                if unit and value is not None:
                    sex = SEXES.get(normalize(str(rec[by_role["sex"]]))) if "sex" in by_role else None
                    rows.append({"unit_code": unit, "set_code": set_code, "indicator_code": code, "year": y,
                                 "value": value, "sex": sex})
    if problems:
        raise DataError(problems)
    return (pd.DataFrame(rows, columns=["unit_code", "set_code", "indicator_code", "year", "value", "sex"]),
            pd.DataFrame(declared, columns=["unit_code", "set_code", "year", "criterion_no", "status", "doc_id",
                                            "line"]))


def _unit(rec, by_role, matcher, units, province, problems, where) -> str | None:
    if "code" in by_role and str(rec[by_role["code"]]).strip():
        code = str(rec[by_role["code"]]).strip().split(".")[0].zfill(5)
        if code in set(units["code"]):
            return code
        problems.append(_problem(where(by_role["code"]), f"mã xã '{excerpt(code)}' không có trong danh mục",
                                 f"commune code '{excerpt(code)}' is not in the unit list"))
        return None
    written = str(rec[by_role["name"]]).strip()
    if province is None:
        problems.append(_problem(where(by_role["name"]), "cần --province để khớp tên xã",
                                 "--province is needed to match commune names"))
        return None
    match = matcher.match(written, province)
    if match.code:
        return match.code
    if match.method == "too_long":
        problems.append(_problem(where(by_role["name"]), f"tên xã dài hơn {MAX_NAME_CHARS} ký tự",
                                 f"the commune name is longer than {MAX_NAME_CHARS} characters"))
        return None
    why_vi = "trùng nhiều xã: " + ", ".join(match.candidates) if match.candidates else "không khớp xã nào"
    why_en = "matches several communes: " + ", ".join(match.candidates) if match.candidates else "matches no commune"
    problems.append(_problem(where(by_role["name"]), f"tên xã '{excerpt(written)}' {why_vi}",
                             f"commune name '{excerpt(written)}' {why_en}"))
    return None
