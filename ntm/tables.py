"""Report-ready tables: the layout of the documents, Vietnamese number format, labels from i18n."""

import pandas as pd

from ntm import fmt
from ntm.i18n import t
from ntm.summary import GROUP_KEYS


def _district_label(entry: dict, lang: str) -> str:
    """A district computed from only some of its communes says how many: "Cam Lâm (2/12 xã)"."""
    if entry["basis"] != "computed_partial":
        return entry["district"]
    cov = entry["coverage"]
    return f"{entry['district']} ({cov['with_data']}/{cov['programme_communes']} {t('communes_unit', lang)})"


def summary_table(result: dict, lang: str = "vi", formatted: bool = True) -> pd.DataFrame:
    """The district table as the reports print it: one row per group and total, the province then each
    district as columns. Cells are formatted text ("16,47"); missing figures show "–"."""
    columns = []
    if result["total"]:
        columns.append((t("province_total", lang), result["total"]))
    columns += [(_district_label(d, lang), d) for d in result["districts"]]
    rows = {}
    for g in GROUP_KEYS:
        rows[t(f"group_{g}", lang)] = [c["groups"][g] for _, c in columns]
    rows[t("communes_total", lang)] = [c["communes"] for _, c in columns]
    rows[t("criteria_total", lang)] = [c["total_criteria"] for _, c in columns]
    rows[t("criteria_avg", lang)] = [c["avg_criteria"] for _, c in columns]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=[name for name, _ in columns])
    frame.index.name = t("row_group", lang)
    if not formatted:
        return frame
    avg_row = t("criteria_avg", lang)
    return frame.apply(lambda row: row.map(lambda v: fmt.number(v, 2 if row.name == avg_row else None, lang)),
                       axis=1)


CHAR_PX, CELL_PADDING_PX = 6.8, 20  # 14 px text in the browser's grid, and its cell padding
MIN_COLUMN_PX, MIN_CAPPED_PX = 56, 90  # the narrowest column; the narrowest a long column is cut to
WRAP_BELOW = 0.75  # a key column cut below this share of its width wraps its text (a few "…" do not)


def _capped(widths: dict[str, int], budget: float, floors: dict[str, int]) -> dict[str, int]:
    """The widths with the widest capped at one common width, none below its floor (its header) nor below
    MIN_CAPPED_PX, so that they sum to at most `budget`; when even the floors do not fit, the floors give way."""
    if sum(min(w, max(floors[c], MIN_CAPPED_PX)) for c, w in widths.items()) > budget:
        floors = dict.fromkeys(widths, 0)
    low, high = MIN_CAPPED_PX, max(widths.values())  # the largest cap whose total fits (or the smallest cap)
    while low < high:
        cap = (low + high + 1) // 2
        total = sum(min(w, max(cap, floors[c])) for c, w in widths.items())
        low, high = (cap, high) if total <= budget else (low, cap - 1)
    return {c: min(w, max(low, floors[c])) for c, w in widths.items()}


def fitted_widths(frame: pd.DataFrame, available_px: int, narrow: tuple[str, ...] = (),
                  narrow_px: int = 170) -> tuple[dict[str, int], bool]:
    """Column widths (px) that fit a table in `available_px`: each column as wide as its longest text or header;
    `narrow` columns (notes, source citations) at most `narrow_px`, and the first to give way (down to
    MIN_CAPPED_PX); then the widest of the others capped at one common width, not below their headers where
    possible, until the whole fits (the full text stays in the export). Also whether a key column (not `narrow`)
    had to be cut by more than a quarter: its text then wraps."""
    if frame.empty or not len(frame.columns):
        return {}, False
    longest = frame.astype(str).apply(lambda column: column.str.len().max())  # one pass per column, not per row
    natural = {str(c): max(round(CHAR_PX * max(n, len(str(c))) + CELL_PADDING_PX), MIN_COLUMN_PX)
               for c, n in longest.items()}
    natural.update({c: min(w, narrow_px) for c, w in natural.items() if c in narrow})
    if sum(natural.values()) <= available_px:
        return {c: w for c, w in natural.items() if c in narrow}, False
    key = {c: w for c, w in natural.items() if c not in narrow}
    side = {c: w for c, w in natural.items() if c in narrow}
    floors = {c: round(CHAR_PX * len(c) + CELL_PADDING_PX) for c in natural}  # headers do not wrap
    side = _capped(side, available_px - sum(key.values()), dict.fromkeys(side, 0)) if side else {}
    capped = _capped(key, available_px - sum(side.values()), floors)
    return {**capped, **side}, any(capped[c] < WRAP_BELOW * w for c, w in key.items())
