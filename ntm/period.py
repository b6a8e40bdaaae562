"""Periods of the programme (2021-2025, 2026-2030) as the rulebook states them, and evaluation on a set whose
thresholds depend on the commune group (nhóm xã) rather than the region — the 2026-2030 commune set.

Nothing about a period is written here: its dates, commune set, target year and targets come from
`data/rules/periods.csv` and `period_targets.csv`; the groups, their assignment to communes and the thresholds
by group from `commune_categories.csv`, `commune_category_assignments.csv` and
`criteria/thresholds_by_category.csv`. A commune without a group, or an indicator without a threshold row with a
source, is evaluated as unknown — never as a pass.
"""

import pandas as pd

from ntm import store
from ntm.criteria import Rulebook, evaluate
from ntm.timeline import as_of_date


def period_of(con, as_of: str) -> dict:
    """The period a date falls in (the last one that started, for a date after every period)."""
    periods = store.periods(con)
    started = periods[periods["date_from"].astype(str) <= as_of]
    row = (started if len(started) else periods).iloc[-1 if len(started) else 0]
    return {k: (str(v)[:10] if k.startswith("date") else v) for k, v in row.to_dict().items()}


def current(con, as_of: int | str) -> dict:
    """The period of an as-of year (its end) or date: period, dates, commune set, target year."""
    return period_of(con, as_of_date(as_of) or str(as_of))


def target_year(con, as_of: int | str) -> int:
    """The year the period of `as_of` sets its targets for (2025 for 2021-2025, 2030 for 2026-2030)."""
    return int(current(con, as_of)["target_year"])


def span(con, commune_set: str | None = None) -> tuple[int, int]:
    """First and last year of the programme's periods (2021, 2030), or of the period of one commune set."""
    periods = store.periods(con)
    if commune_set:
        periods = periods[periods["commune_set"] == commune_set]
    return int(str(periods["date_from"].min())[:4]), int(str(periods["date_to"].max())[:4])


def as_of_years(con) -> list[int]:
    """The years a view can be set to: from the stock the programme's first period starts from (the year of
    `stock_categories`, recognitions of 2016-2020) to the last year the programme sets a target for
    (`programme_targets`)."""
    first = store.stock_categories(con)["stock_year"].dropna().astype(int).min()
    last = store.programme_targets(con)["target_year"].astype(int).max()
    return list(range(int(first), int(last) + 1))


def latest_report_year(con) -> int:
    """The latest year a report (not a plan) gives results for: the view's default year."""
    docs = store.documents(con)
    reports = store.document_periods(con).merge(docs[docs["kind"] == "bao_cao"][["doc_id"]], on="doc_id")
    return int(reports["year_from"].max())


def first_recognition_year(con) -> int:
    """The earliest year a commune is recorded as recognised (the roadmap's first year on the map)."""
    return store.first_recognition_year(con)


def n_criteria(con, set_code: str) -> int | None:
    """How many criteria a set has (`criteria_sets.n_criteria`; None where the rulebook does not say)."""
    sets = store.criteria_sets(con).set_index("set_code")["n_criteria"]
    return None if set_code not in sets.index or pd.isna(sets[set_code]) else int(sets[set_code])


def selectable_sets(con) -> list[str]:
    """Commune criteria sets with a known structure (a number of criteria), in period order."""
    sets = store.criteria_sets(con)
    sets = sets[(sets["level"] == "commune") & sets["n_criteria"].notna()]
    main = set(store.periods(con)["commune_set"])  # each period's commune set first
    sets = sets.assign(main=~sets["set_code"].isin(main)).sort_values(["period", "main", "set_code"])
    return list(sets["set_code"])


def uses_categories(con, set_code: str) -> bool:
    return not store.commune_categories(con, set_code).empty


def _rules_by_category(con, rules: Rulebook, set_code: str) -> Rulebook:
    """The rulebook with the set's thresholds by group put where the engine looks for a zone (the region)."""
    by_group = store.category_thresholds(con, set_code).rename(columns={"category": "region_code"})
    thresholds = rules.tables["thresholds"]
    thresholds = pd.concat([thresholds[thresholds["set_code"] != set_code],
                            by_group.reindex(columns=thresholds.columns)], ignore_index=True)
    return Rulebook({**rules.tables, "thresholds": thresholds})


def evaluate_by_category(con, units: pd.DataFrame, values: pd.DataFrame, year: int, set_code: str,
                         rules: Rulebook | None = None) -> dict:
    """Evaluate `units` (unit_id, full_name, province) on a set with thresholds by commune group. `values`:
    unit_id, indicator_code, year, value. Returns the communes with their group (and its source), criteria
    met / not met / incomplete and every indicator's status."""
    rules = _rules_by_category(con, rules or Rulebook.from_db(con), set_code)
    groups = store.commune_categories(con, set_code, list(units["unit_id"]))
    frame = units.merge(groups, on="unit_id", how="left")
    engine_units = pd.DataFrame({"unit_code": frame["unit_id"], "province_code": frame["province_code"],
                                 "region_code": frame["category"], "especially_difficult": False})
    result = evaluate(values.rename(columns={"unit_id": "unit_code"}), engine_units, rules, set_code,
                      years=[year])
    indicators = result.indicators
    criteria = result.criteria
    communes = []
    for u in frame.to_dict("records"):
        crit = criteria[criteria["unit_code"] == u["unit_id"]]
        ind = indicators[indicators["unit_code"] == u["unit_id"]]
        communes.append({
            "unit_id": u["unit_id"], "name": u["full_name"], "year": year,
            "category": None if pd.isna(u["category"]) else u["category"],
            "category_source": None if pd.isna(u["source"]) else u["source"],
            "criteria_met": int((crit["status"] == "met").sum()),
            "criteria_not_met": int((crit["status"] == "not_met").sum()),
            "criteria_incomplete": int((crit["status"] == "incomplete").sum()),
            "indicators": [{"code": i["indicator_code"], "value": None if pd.isna(i["value"]) else i["value"],
                            "status": i["status"], "threshold": None if pd.isna(i["threshold"]) else i["threshold"],
                            "source": None if pd.isna(i["threshold_source"]) else i["threshold_source"]}
                           for i in ind.to_dict("records") if not pd.isna(i["value"])]})
    return {"set": set_code, "year": year, "communes": communes}
