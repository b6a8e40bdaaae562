"""The straightforward per-commune Python loop applying the same rules as ntm.criteria (benchmark baseline).

Kept only to measure the set-based engine against, and to check that both give identical results."""

from collections import defaultdict

import pandas as pd

from ntm.criteria import Rulebook

KNOWN = ("confirmed", "as_quoted")
COMPARE = {">=": lambda v, t: v >= t, ">": lambda v, t: v > t, "<=": lambda v, t: v <= t,
           "<": lambda v, t: v < t, "==": lambda v, t: v == t}


def _threshold(candidates: list[dict], province: str, region: str, year: int) -> dict | None:
    best, best_key = None, None
    for t in candidates:
        if t["province_code"] is not None and t["province_code"] != province:
            continue
        if t["region_code"] is not None and t["region_code"] != region:
            continue
        if t["year_from"] is not None and not t["year_from"] <= year <= t["year_to"]:
            continue
        key = (t["certainty"] in KNOWN, t["province_code"] is not None, t["region_code"] is not None,
               -1 if t["year_from"] is None else t["year_from"])
        if best_key is None or key > best_key:
            best, best_key = t, key
    return best


def evaluate_loop(values: pd.DataFrame, units: pd.DataFrame, declared: pd.DataFrame, rules: Rulebook,
                  set_code: str, years: list[int]) -> pd.DataFrame:
    """criteria met / not met / incomplete per unit and year, one commune at a time."""
    indicators = rules.of_set("indicators", set_code).to_dict("records")
    thresholds = defaultdict(list)
    for t in rules.of_set("thresholds", set_code).astype(object).where(lambda d: d.notna(), None).to_dict("records"):
        thresholds[t["indicator_code"]].append(t)
    value_of = {(r.unit_code, r.indicator_code, r.year): r.value
                for r in values[["unit_code", "indicator_code", "year", "value"]].itertuples(index=False)}
    declared_of = {(r.unit_code, r.year, r.criterion_no): r.status
                   for r in declared[["unit_code", "year", "criterion_no", "status"]].itertuples(index=False)}
    out = []
    for u in units.to_dict("records"):
        region = "TDMNPB" if u["especially_difficult"] else (u["region_code"] or "")
        for year in years:
            statuses = defaultdict(list)
            for ind in indicators:
                value = value_of.get((u["unit_code"], ind["indicator_code"], year))
                t = _threshold(thresholds[ind["indicator_code"]], u["province_code"], region, year)
                if value is None or value != value:
                    status = "no_value"
                elif t is None or t["comparator"] is None or t["threshold"] is None or t["certainty"] not in KNOWN:
                    status = "unknown_threshold"
                else:
                    status = "met" if COMPARE[t["comparator"]](value, t["threshold"]) else "not_met"
                statuses[ind["criterion_no"]].append(status)
            met = not_met = incomplete = 0
            for criterion, s in statuses.items():
                result = "not_met" if "not_met" in s else "met" if all(x == "met" for x in s) else "incomplete"
                if result == "incomplete":
                    result = declared_of.get((u["unit_code"], year, criterion), "incomplete")
                met += result == "met"
                not_met += result == "not_met"
                incomplete += result == "incomplete"
            out.append({"unit_code": u["unit_code"], "year": year, "criteria_met": met,
                        "criteria_not_met": not_met, "criteria_incomplete": incomplete})
    return pd.DataFrame(out)
