"""The criteria engine: indicator values (or declared criterion results) -> criteria met, group, eligibility.

Rules are data (data/rules/criteria/, loaded into the rulebook tables); this module applies them. Rules it
follows:
- an indicator is met / not met against the threshold that applies to the commune: the province's own value,
  else the region's (especially difficult communes use the northern-mountain region's), else the national one;
  a threshold that is unknown, uncertain or only described in words is never a pass ("unknown_threshold");
- a criterion is met when all its indicators are met, not met when any is not met, otherwise incomplete;
- a declared result (a document or an import says "criterion 6 chưa đạt") fills an incomplete criterion; where
  the indicators settle it and the declaration disagrees, the computed result stands and the disagreement is
  reported;
- "đạt 14/19, chưa đạt 1, 6, 13, 15, 17" declares the other 14 criteria met: a declared count plus the declared
  unmet list that together cover the set settle every criterion;
- the group counts met criteria only: unknown is never counted as met, and a commune whose incomplete criteria
  could still move it to another group has no group yet.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ntm import store
from ntm.i18n import t

SET_NTM, SET_NANG_CAO, SET_KIEU_MAU = "XA_NTM_2021_2025", "XA_NTMNC_2021_2025", "XA_NTMKM_2021_2025"
SET_DISTRICT = "HUYEN_NTM_2021_2025"
GENERAL_CONDITIONS = store.GENERAL_CONDITIONS  # the criterion number of a set's general conditions (not counted)
MODEL_INCOME_FACTOR = 1.10  # Decision 319/QĐ-TTg: income >= 110 % of the advanced-NTM threshold (rulebook KM.2)


_RULEBOOKS: dict[tuple, "Rulebook"] = {}


@dataclass
class Rulebook:
    tables: dict[str, pd.DataFrame]

    @classmethod
    def from_db(cls, con) -> "Rulebook":
        """The database's rulebook, read once per build (it never changes between builds; do not modify it)."""
        return store.per_build(con, _RULEBOOKS, (), lambda: cls(store.rulebook_tables(con)), limit=4)

    def __post_init__(self):
        self._cache: dict[tuple[str, str], pd.DataFrame] = {}

    def of_set(self, name: str, set_code: str) -> pd.DataFrame:
        """The rows of one rulebook table for one set (computed once; do not modify the frame)."""
        if (name, set_code) not in self._cache:
            frame = self.tables[name]
            self._cache[(name, set_code)] = frame[frame["set_code"] == set_code].reset_index(drop=True)
        return self._cache[(name, set_code)]

    def n_criteria(self, set_code: str) -> int:
        """The number of criteria of a set (its general conditions are not a criterion)."""
        return len(self.criterion_numbers(set_code))

    def criterion_numbers(self, set_code: str) -> list[str]:
        numbers = self.of_set("criteria", set_code)["criterion_no"]
        return [c for c in numbers if c != GENERAL_CONDITIONS]

    def criterion_names(self, set_code: str, lang: str = "vi") -> dict[str, str]:
        """criterion number -> name; in English the rulebook's English name, else "Criterion N" (a Vietnamese name
        is never shown in the English view)."""
        rows = self.of_set("criteria", set_code)
        if lang == "vi":
            return dict(zip(rows["criterion_no"], rows["name_vi"], strict=True))
        return {no: en if isinstance(en, str) and en else f"{t('criterion_short', lang)} {no}"
                for no, en in zip(rows["criterion_no"], rows["name_en"], strict=True)}

    def groups(self, set_code: str = SET_NTM) -> dict[int, int]:
        """criteria met -> group number, for every count a group covers."""
        return {met: int(g["group_no"]) for g in self.of_set("groups", set_code).to_dict("records")
                for met in range(int(g["min_met"]), int(g["max_met"]) + 1)}


def declared_statuses(con, rules: Rulebook, set_code: str, province: str | None = None,
                      unit_codes: list[str] | None = None, year: int | None = None) -> pd.DataFrame:
    """Declared criterion results of the documents (and imports), with the complement a count settles."""
    status = store.facts(con, "criteria_status", province, unit_codes, set_code=set_code, year=year,
                         columns=DECLARED_COLUMNS)
    counts = store.facts(con, "reported_aggregates", province, unit_codes, set_code=set_code, year=year)
    counts = counts[counts["measure"] == "criteria_met"]
    return complete_declared(status, counts, rules.n_criteria(set_code), rules.criterion_numbers(set_code))


def complete_declared(status: pd.DataFrame, counts: pd.DataFrame, n: int, criteria: list[str]) -> pd.DataFrame:
    """Add the criteria a declared count settles: m met + the k declared unmet = n -> the others are met.
    Set-based: unmet criteria counted per unit and year, the settled counts crossed with the criteria list, the
    declared unmet ones taken out."""
    keys = ["unit_code", "year"]
    unmet = status.loc[status["status"] == "not_met", [*keys, "criterion_no"]]
    n_unmet = unmet.groupby(keys).size().rename("n_unmet").reset_index()
    settled = counts[[*keys, "value", "doc_id", "line"]].merge(n_unmet, on=keys, how="left")
    settled = settled[settled["value"].astype(int) + settled["n_unmet"].fillna(0).astype(int) == n]
    extra = settled[[*keys, "doc_id", "line"]].merge(pd.DataFrame({"criterion_no": criteria}), how="cross")
    extra = extra.merge(unmet.assign(_unmet=True), on=[*keys, "criterion_no"], how="left")
    extra = extra[extra["_unmet"].isna()].assign(status="met")[status.columns]
    out = pd.concat([status, extra], ignore_index=True) if len(extra) else status.reset_index(drop=True)
    return out.drop_duplicates(["unit_code", "year", "criterion_no"], keep="first")


class Evaluation:
    """One criteria set evaluated: `units` (counts, group, missing criteria per unit and year) at once;
    `indicators` and `criteria` rows on demand, for all units or some (`for_units`)."""

    def __init__(self, set_code: str, results: store.EvaluationStore, rules: Rulebook):
        self.set_code, self.results = set_code, results
        self.units = results.units
        # the group is known only when the incomplete criteria cannot change it (unknown is never "met")
        self.units["group"] = _groups(rules.groups(set_code), self.units) if set_code == SET_NTM else None

    def indicators_for(self, unit_codes: list[str] | None = None) -> pd.DataFrame:
        return self.results.rows("indicator", unit_codes)

    def criteria_for(self, unit_codes: list[str] | None = None) -> pd.DataFrame:
        return self.results.rows("criterion", unit_codes)

    @property
    def indicators(self) -> pd.DataFrame:
        return self.indicators_for()

    @property
    def criteria(self) -> pd.DataFrame:
        return self.criteria_for()


def _groups(groups: dict[int, int], units: pd.DataFrame) -> pd.Series:
    """The group of each unit and year: the same at its criteria met and at met + incomplete, else None."""
    met = units["criteria_met"].to_numpy(dtype=int)
    most = met + units["criteria_incomplete"].to_numpy(dtype=int)
    table = np.full(max([*groups, int(most.max(initial=0))]) + 1, -1)
    table[list(groups)] = list(groups.values())
    low, known = table[met], table[met] == table[most]
    return pd.Series(low.tolist(), index=units.index, dtype=object).where(known & (low >= 0), None)


DECLARED_COLUMNS = ["unit_code", "year", "criterion_no", "status", "doc_id", "line"]


def _worse_of_sexes(values: pd.DataFrame, rules: Rulebook, set_code: str) -> pd.DataFrame:
    """Indicators that must hold for men and women separately ("áp dụng đạt cho cả nam và nữ"): where values
    are given per sex (`sex` = nam / nu), the indicator is judged on the worse of the two — the lower for a
    "≥" threshold, the higher for a "<" one — so it is met only when both are. A total without a split is
    used as it is."""
    thresholds = rules.of_set("thresholds", set_code)
    lower_is_worse = {code: not group["comparator"].isin(["<", "<="]).any()
                      for code, group in thresholds.groupby("indicator_code")}
    split = values[values["sex"].notna()]
    if split.empty:
        return values.drop(columns="sex")
    keys = ["unit_code", "indicator_code", "year"]
    worse = split.groupby(keys, as_index=False)["value"].agg(["min", "max"])
    worse["value"] = [lo if lower_is_worse.get(code, True) else hi
                      for code, lo, hi in zip(worse["indicator_code"], worse["min"], worse["max"], strict=True)]
    totals = values[values["sex"].isna()].merge(worse[keys], on=keys, how="left", indicator=True)
    totals = totals[totals["_merge"] == "left_only"]
    return pd.concat([totals[[*keys, "value"]], worse[[*keys, "value"]]], ignore_index=True)


def evaluate(values: pd.DataFrame, units: pd.DataFrame, rules: Rulebook, set_code: str,
             declared: pd.DataFrame | None = None, years: list[int] | None = None) -> Evaluation:
    """Evaluate `units` (unit_code, province_code, region_code, especially_difficult) on one criteria set.

    `values`: unit_code, indicator_code, year, value (flags: 1 = đạt, 0 = chưa đạt), for this set; an optional
    `sex` column (nam / nu) splits an indicator that must hold for men and women.
    `declared`: declared criterion results (unit_code, year, criterion_no, status, doc_id, line).
    `years`: the years to evaluate (default: those in `values` and `declared`)."""
    stated = (declared if declared is not None else pd.DataFrame(columns=DECLARED_COLUMNS))[DECLARED_COLUMNS]
    if years is None:
        years = sorted(set(values["year"].dropna().astype(int)) | set(stated["year"].dropna().astype(int)))
    thresholds = rules.of_set("thresholds", set_code)
    if "sex" in values:
        values = _worse_of_sexes(values, rules, set_code)
    values = values[["unit_code", "indicator_code", "year", "value"]]
    if values["year"].dtype != "int64" or values["value"].dtype != "float64":
        values = values.astype({"year": "int64", "value": "float64"})
    frames = {
        "_values": values,
        "_years": pd.DataFrame({"year": pd.Series(years, dtype="int64")}),
        "_units": units[["unit_code", "province_code", "region_code", "especially_difficult"]],
        "_indicators": rules.of_set("indicators", set_code)[["criterion_no", "indicator_code"]],
        "_thresholds": thresholds.assign(threshold_id=range(len(thresholds))),  # a copy: of_set's frame is shared
        "_declared": stated if stated["year"].dtype == "int64" else stated.astype({"year": "int64"}),
    }
    return Evaluation(set_code, store.EvaluationStore(frames), rules)
