"""Targets against what was achieved, with a progress status and a transparent projection.

The method (docs/methods.md explains it for planners):
- achieved: the value at the as-of year already meets the target;
- otherwise the required yearly pace (what is left / years left) is compared with the recent pace (the change
  per year over the last up to three years with data): on track when the recent pace is at least the required
  one, at risk when it is at least half of it, off track below that or when the target year has passed;
- no data: no value at the as-of year, or no earlier value to measure a pace against.
Projection: the as-of value continued at the recent pace (counts of communes capped at the programme total),
and the year the target would be reached at that pace. Every result carries these assumptions.
"""

import math
from typing import TypedDict

import pandas as pd

from ntm import period, roadmap, store
from ntm.criteria import DECLARED_COLUMNS, SET_NANG_CAO, SET_NTM, Rulebook, complete_declared, evaluate
from ntm.i18n import LANGS, both, t
from ntm.sources import citation
from ntm.summary import summary
from ntm.unit import Unit, UnitRef


class Progress(TypedDict):
    """`progress`: every target of a year beside the value reached, with a status."""

    province: UnitRef
    district: UnitRef | None
    target_year: int
    as_of: int
    targets: list[dict]
    status_counts: dict[str, int]
    method: str
    at_risk_ratio: float
    pace_years: int


class RoadmapView(TypedDict):
    """`roadmap_view`: a level's trajectory (actual, planned, projected) with its target lines and risks."""

    province: UnitRef
    district: UnitRef | None
    level: str
    programme_communes: int | None
    as_of: int | None
    years: list[dict]
    stock: dict | None
    stocks: list[dict]
    cumulative_known: bool
    stock_conflicts: list[dict]
    district_stocks: list[dict]
    target_lines: list[dict]
    at_risk: list[dict]
    slippage: list[dict]
    sources: list[dict]
    assumptions: dict[str, str]


PACE_YEARS = 3
AT_RISK_RATIO = 0.5
STATUSES = ("achieved", "on_track", "at_risk", "off_track", "ambiguous", "no_data")
LEVEL_OF = {"communes_ntm": "ntm", "communes_nang_cao": "nang_cao", "communes_kieu_mau": "kieu_mau"}


def assess(series: dict[int, float], as_of: int, target: float, target_year: int, better: str = "higher") -> dict:
    """Status of one target from a series {year: value} (years up to as_of are used)."""
    known = {y: v for y, v in series.items() if y <= as_of and v is not None}
    sign = 1 if better == "higher" else -1
    if as_of not in known:
        return {"status": "no_data", "actual": None, "gap": None, "achieved_pct": None, "pace": None,
                "required_pace": None, "projection": None, "year_reached": None}
    actual = known[as_of]
    gap = target - actual
    achieved_pct = round(100 * actual / target, 1) if better == "higher" and target else None
    earlier = [y for y in known if as_of - PACE_YEARS <= y < as_of]
    pace = (actual - known[min(earlier)]) / (as_of - min(earlier)) if earlier else None
    result = {"actual": actual, "gap": gap, "achieved_pct": achieved_pct, "pace": pace, "required_pace": None}
    if sign * gap <= 0:
        return {**result, "status": "achieved", "projection": actual, "year_reached": as_of}
    if target_year <= as_of:
        return {**result, "status": "off_track", "projection": actual, "year_reached": None}
    required = gap / (target_year - as_of)
    result["required_pace"] = required
    if pace is None:
        return {**result, "status": "no_data", "projection": None, "year_reached": None}
    progress = sign * pace
    status = "on_track" if progress >= sign * required else (
        "at_risk" if progress >= AT_RISK_RATIO * sign * required else "off_track")
    reached = as_of + math.ceil(gap / pace) if progress > 0 else None
    return {**result, "status": status, "projection": actual + pace * (target_year - as_of), "year_reached": reached}


_STATED = ["year", "value", "fact_kind", "doc_id", "line", "section"]


def _src(row: dict, docs, lang) -> dict:
    return {"doc_id": row["doc_id"], "line": int(row["line"]),
            "citation": citation(docs[row["doc_id"]], row.get("section"), [row["line"]], lang)}


def _recognition_series(con, province: str, unit: str, level: str, as_of: int, cache: dict) -> dict[int, float]:
    out = {}
    years = list(range(as_of - PACE_YEARS, as_of + 1))
    if level not in cache:
        cache[level] = roadmap.recognised_counts(con, province, level, years)
    for year in years:
        count = cache[level][year].get(unit)
        if count is not None:
            out[year] = float(count)
    return out


def _communes_below(con, province: Unit, limit: int, as_of: int) -> dict[int, float]:
    """Communes under `limit` criteria, from the communes-by-group tables (whole province only)."""
    groups = store.commune_groups(con, SET_NTM)
    below = [str(g) for g, hi in zip(groups["group_no"], groups["max_met"], strict=True) if hi < limit]
    out = {}
    for year in range(as_of - PACE_YEARS, as_of + 1):
        total = summary(con, province, year)["total"]
        if total and all(total["groups"][g] is not None for g in below):
            out[year] = float(sum(total["groups"][g] for g in below))
    return out


def _actual_series(con, province: Unit, target: dict, as_of: int, programme: dict, cache: dict) -> dict[int, float]:
    unit, measure = target["unit_code"], target["measure"]
    base = measure.removesuffix("_share").removesuffix("_new")
    if base in LEVEL_OF and target["category"] is None:
        counts = _recognition_series(con, province.code, unit, LEVEL_OF[base], as_of, cache)
        if measure.endswith("_share"):
            total = programme.get(unit)
            return {y: round(100 * c / total, 2) for y, c in counts.items()} if total else {}
        if measure.endswith("_new"):
            return {}  # new in the target year: known only once that year is over
        return counts
    if measure in ("min_criteria_per_commune", "communes_under_15_criteria") and unit == province.code:
        limit = int(target["value"]) if measure == "min_criteria_per_commune" else 15
        if ("below", limit) not in cache:
            cache[("below", limit)] = _communes_below(con, province, limit, as_of)
        return cache[("below", limit)]
    rows = _stated(cache["stated"], unit, measure, target["category"])
    return {int(r["year"]): float(r["value"]) for r in rows if r["fact_kind"] == "actual"}


def _stated_by_key(con, province_code: str) -> dict[tuple, list[dict]]:
    """The province's stated figures with a year, as records grouped once by unit, measure and category."""
    rows = store.facts(con, "reported_aggregates", province_code)
    rows = rows[rows["year"].notna()]
    out: dict[tuple, list[dict]] = {}
    for key, r in zip(zip(rows["unit_code"], rows["measure"], rows["category"].fillna(""), strict=True),
                      rows[_STATED].to_dict("records"), strict=True):
        out.setdefault(key, []).append(r)
    return out


def _stated(stated: dict[tuple, list[dict]], unit: str, measure: str, category: str | None) -> list[dict]:
    """The figures stated for one unit and measure (from `_stated_by_key`)."""
    return stated.get((unit, measure, category or ""), [])


def _expected(stated: dict[tuple, list[dict]], row: dict, as_of: int, docs, lang) -> list[dict]:
    """Figures the documents only expect (or aim at) for the same unit and measure, up to the as-of year:
    shown beside the status, never used for it."""
    return [{"year": int(r["year"]), "value": r["value"], "kind": r["fact_kind"], **_src(r, docs, lang)}
            for r in _stated(stated, row["unit_code"], row["measure"], row["category"])
            if r["fact_kind"] != "actual" and r["year"] <= as_of]


def reading(measure: str, target: float, series: dict[int, float], target_year: int, better: str) -> str:
    """How a target is read: an increment ("_new"), a share, or a cumulative count — ambiguous when a count
    target is below a figure already achieved before its year (it may be meant as an increment)."""
    if measure.endswith("_new"):
        return "increment"
    if measure.endswith(("_share", "_rate", "_pct")):
        return "share"
    before = [v for y, v in series.items() if y < target_year]
    if better == "higher" and before and target < max(before):
        return "ambiguous"
    return "cumulative"


def progress(con, province: Unit, target_year: int, as_of: int, district: Unit | None = None,
             lang: str = "vi") -> Progress:
    """Every target of `target_year` for the province (or one district) beside its value at `as_of`."""
    code = province.code
    targets = store.facts(con, "targets", code)
    targets = targets[(targets["target_year"] == target_year) & targets["value"].notna()]
    if district:
        targets = targets[targets["unit_code"] == district.code]
    measures = store.measures(con).set_index("measure")
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    programme = {**store.programme_communes_per_district(con, code)}
    scope = store.programme_scope(con, code)
    if not scope.empty:
        programme[code] = int(scope.iloc[0]["count"])
    out: list[dict] = []
    cache: dict = {"stated": _stated_by_key(con, code)}  # per request: stated values, stocks, counts below N
    for row in targets.astype(object).where(targets.notna(), None).to_dict("records"):
        better = measures.loc[row["measure"], "better"]
        target = row["value"]
        if row["measure"] in ("min_criteria_per_commune", "communes_under_15_criteria"):
            target, better = 0.0, "lower"  # "no commune under N criteria": the count of such communes -> 0
        judged = min(as_of, target_year)  # a target is judged on values up to its own year, never later ones
        series = _actual_series(con, province, row, judged, programme, cache)
        how = reading(row["measure"], target, series, target_year, better)
        result = assess(series, judged, target, target_year, better)
        if how == "ambiguous":
            result = {**result, "status": "ambiguous", "projection": None, "year_reached": None}
        base = row["measure"].removesuffix("_share").removesuffix("_new")
        stock = None
        if base in LEVEL_OF and row["category"] is None and not row["measure"].endswith("_new") \
                and result["actual"] is None:  # the stated stock, shown beside an unknown actual
            if ("stocks", base) not in cache:
                cache[("stocks", base)] = roadmap.stocks(con, code, LEVEL_OF[base], lang)
            known = [s for s in cache[("stocks", base)].get(row["unit_code"], []) if s["year"] <= judged]
            stock = known[-1] if known else None
        out.append({
            "unit_code": row["unit_code"], "unit": row["unit_name"], "indicator": row["measure"], "stock": stock,
            "indicator_name": measures.loc[row["measure"], "name_vi" if lang == "vi" else "name_en"],
            "unit_of_measure": measures.loc[row["measure"], "unit" if lang == "vi" else "unit_en"],
            "category": row["category"], "set_code": row["set_code"], "target": target,
            "target_range_max": row["value_max"],
            "base_total": programme.get(row["unit_code"]) if base in LEVEL_OF else None,  # a share's 100 %
            "target_year": target_year, "as_of": as_of, "judged_at": judged, **result, "series": series,
            "better": better, "reading": how, "expected": _expected(cache["stated"], row, as_of, docs, lang),
            "method": t("progress_method", lang, years=PACE_YEARS), "sources": [_src(row, docs, lang)],
        })
    counts = {s: sum(1 for r in out if r["status"] == s) for s in STATUSES}
    return {"province": province.ref(), "district": district.ref() if district else None,
            "target_year": target_year, "as_of": as_of, "targets": out, "status_counts": counts,
            "method": t("progress_method", lang, years=PACE_YEARS), "at_risk_ratio": AT_RISK_RATIO,
            "pace_years": PACE_YEARS}


def roadmap_view(con, province: Unit, level: str, district: Unit | None = None, as_of: int | None = None,
                 lang: str = "vi") -> RoadmapView:
    """The trajectory (actual, then planned), the pace projection and the target lines, the communes at risk
    among those planned, and the slippage of earlier plans."""
    result = roadmap.by_year(con, province, level, lang)
    unit = result if district is None else next(
        (d for d in result["districts"] if d["district_code"] == district.code),
        {"years": [], "stock": None, "stocks": [], "cumulative_known": False})
    series = unit["years"]
    programme = result["programme_communes"] if district is None else \
        store.programme_communes_per_district(con, province.code).get(district.code)
    actual = {y["year"]: y["cumulative"] for y in series
              if y["kind"] == "actual" and y["year"] is not None and y["cumulative"] is not None}
    as_of = as_of or (max(actual) if actual else None)
    years = [{**y, "share_pct": round(100 * y["cumulative"] / programme, 1)
              if programme and y["cumulative"] is not None else None} for y in series]
    projection = []
    if as_of is not None and as_of in actual:
        earlier = [y for y in actual if as_of - PACE_YEARS <= y < as_of]
        if earlier:
            pace = (actual[as_of] - actual[min(earlier)]) / (as_of - min(earlier))
            for year in range(as_of + 1, max(as_of + 2, period.target_year(con, as_of) + 1)):
                value = min(actual[as_of] + pace * (year - as_of), programme or math.inf)
                projection.append({"year": year, "cumulative": round(value, 1), "kind": "projected",
                                   "share_pct": round(100 * value / programme, 1) if programme else None})
    stated_share = store.facts(con, "reported_aggregates", province.code,
                               [district.code if district else province.code])
    stated_share = stated_share[(stated_share["measure"] == f"communes_{level}_share")
                                & stated_share["category"].isna() & stated_share["year"].notna()]
    stated_share = {int(r["year"]): r for r in stated_share.to_dict("records")}
    for y in years:  # the document's own share beside the computed one (Khánh Hòa 2014-2018: base 94, not 92)
        r = stated_share.get(y["year"]) if y["year"] is not None else None
        y["stated_share_pct"] = r["value"] if r else None
        y["stated_share_source"] = f"{r['doc_id']}:{int(r['line'])}" if r else None
    def on_series(year):
        done = [y["cumulative"] for y in years if y["kind"] == "actual" and y["cumulative"] is not None
                and (y["year"] is None or y["year"] <= year)]
        return done[-1] if done else None
    conflicts = [{**s, "series_value": on_series(s["year"])} for s in unit["stocks"]
                 if on_series(s["year"]) not in (None, s["value"])]  # two figures for the same stock: both shown
    lines = _target_lines(con, province, level, district, programme, lang)
    return {"province": result["province"], "district": district.ref() if district else None,
            "level": level, "programme_communes": programme, "as_of": as_of, "years": years + projection,
            "stock": unit["stock"], "stocks": unit["stocks"], "cumulative_known": unit["cumulative_known"],
            "stock_conflicts": conflicts,
            "district_stocks": [{"district_code": d["district_code"], "district": d["district"],
                                 "programme_communes": d["programme_communes"], **d["stocks"][-1]}
                                for d in result["districts"] if d["stocks"]] if district is None else [],
            "target_lines": lines, "at_risk": at_risk(con, province, level, district, lang),
            "slippage": slippage(con, province, level, lang), "sources": result["sources"],
            "assumptions": both("projection_assumptions", years=PACE_YEARS, as_of=as_of)}


def _target_lines(con, province: Unit, level: str, district: Unit | None, programme: int | None,
                  lang: str = "vi") -> list[dict]:
    """The province's own target for the level (count or share), else the national programme's share."""
    unit = district.code if district else province.code
    t = store.facts(con, "targets", province.code, [unit])
    own = t[t["measure"].isin([f"communes_{level}", f"communes_{level}_share"]) & t["category"].isna()]
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    lines = []
    for r in own.to_dict("records"):
        count = r["value"] if not r["measure"].endswith("_share") else (
            r["value"] * programme / 100 if programme else None)
        lines.append({"year": int(r["target_year"]), "count": count, "kind": "own",
                      "share_pct": r["value"] if r["measure"].endswith("_share") else (
                          round(100 * r["value"] / programme, 1) if programme else None),
                      "source": citation(docs[r["doc_id"]], r["section"], [r["line"]], lang)})
    if not lines:
        lines = [{"year": int(r["target_year"]), "share_pct": r["share_pct"], "kind": "national",
                  "count": r["share_pct"] * programme / 100 if programme else None, "source": r["legal_source"]}
                 for r in store.programme_targets(con).query("level == @level").to_dict("records")]
    return lines


def at_risk(con, province: Unit, level: str, district: Unit | None = None, lang: str = "vi") -> list[dict]:
    """Communes planned for a year whose latest known results still miss criteria (criteria engine): the level's
    set evaluated once over every year with results for these communes; each commune judged on its latest year
    with a criterion settled either way."""
    status = roadmap.commune_status(con, province.code, roadmap.LEVELS[level])
    planned = status[status["status"] == "planned"] if not status.empty else status
    if district and not planned.empty:
        planned = planned[planned["parent_code"] == district.code]
    if planned.empty or level == "kieu_mau":
        return []
    codes = sorted(planned["unit_code"])
    set_code = SET_NTM if level == "ntm" else SET_NANG_CAO
    units = store.unit_attributes(con, codes=codes)
    values = store.facts(con, "indicator_values", unit_codes=codes,
                         columns=["unit_code", "set_code", "indicator_code", "year", "value"])
    declared_years = store.facts(con, "criteria_status", unit_codes=codes,
                                 columns=[*DECLARED_COLUMNS, "set_code"])  # every set: read once, filtered here
    counts = store.facts(con, "reported_aggregates", unit_codes=codes)
    counts = counts[counts["measure"] == "criteria_met"]
    years = sorted(set(values["year"].dropna().astype(int)) | set(declared_years["year"].dropna().astype(int))
                   | set(counts["year"].dropna().astype(int)))  # only the years with results for these communes
    rules = Rulebook.from_db(con)
    declared = complete_declared(declared_years.loc[declared_years["set_code"] == set_code, DECLARED_COLUMNS],
                                 counts[counts["set_code"] == set_code], rules.n_criteria(set_code),
                                 rules.criterion_numbers(set_code))  # = declared_statuses, without a second read
    ev = evaluate(values[values["set_code"] == set_code], units, rules, set_code,
                  declared[declared["year"].isin(years)], years)
    latest = ev.units[ev.units["criteria_met"] + ev.units["criteria_not_met"] > 0]
    latest = latest.sort_values(["year", "unit_code"], ascending=[False, True]).drop_duplicates("unit_code")
    if latest.empty:
        return []
    crit = ev.criteria_for(list(latest["unit_code"])).merge(latest[["unit_code", "year"]], on=["unit_code", "year"])
    crit = crit[crit["status"] == "not_met"]
    crit = crit.assign(_order=crit["criterion_no"].str.len()).sort_values(["unit_code", "_order", "criterion_no"])
    names = {lg: rules.criterion_names(set_code, lg) for lg in LANGS}
    unmet = crit.groupby("unit_code", sort=False)["criterion_no"].agg(list).to_dict()
    about = units.set_index("unit_code")
    plan_year = planned.drop_duplicates("unit_code").set_index("unit_code")["status_year"]
    out = []
    for code, year, met, not_met in latest[["unit_code", "year", "criteria_met", "criteria_not_met"]].itertuples(
            index=False):  # the communes at risk only (a handful), their rows already computed
        missing = unmet.get(code, [])
        plan = plan_year[code]
        out.append({"code": code, "name": about.at[code, "name"], "district": about.at[code, "district"],
                    "planned_year": int(plan) if not pd.isna(plan) else None,
                    "results_year": int(year), "criteria_met": int(met), "criteria_not_met": int(not_met),
                    "unmet": missing, "set": set_code,
                    "reason": {lg: t("at_risk_reason", lg, year=f"{plan:.0f}", n=len(missing), results=int(year),
                                     names=", ".join(f"{m} ({names[lg].get(m)})" for m in missing))
                               for lg in LANGS}})
    return sorted(out, key=lambda r: (r["planned_year"] or 0, -r["criteria_not_met"]))


def slippage(con, province: Unit, level: str, lang: str = "vi") -> list[dict]:
    """Communes a plan set for a year that a later statement moves to a later year, or that had not been
    recognised when a later document reported."""
    rec = store.facts(con, "recognitions", province.code)
    rec = rec[(rec["level"] == roadmap.LEVELS[level]) & rec["year"].notna()]
    planned = rec[(rec["kind"] == "planned") & ~rec["unit_code"].isin(rec.loc[rec["kind"] == "actual", "unit_code"])]
    years = planned.groupby("unit_code")["year"].nunique()
    planned = planned[planned["unit_code"].isin(years[years >= 2].index)].sort_values(["unit_code", "year"],
                                                                                      kind="stable")
    dates = store.documents(con).set_index("doc_id")["date"]
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    out = []
    for first, last in zip(planned.drop_duplicates("unit_code").to_dict("records"),
                           planned.drop_duplicates("unit_code", keep="last").to_dict("records"), strict=True):
        out.append({"code": first["unit_code"], "name": first["unit_name"], "planned_year": int(first["year"]),
                    "moved_to": int(last["year"]),
                    "first_plan": {"doc_id": first["doc_id"], "date": dates[first["doc_id"]],
                                   "citation": citation(docs[first["doc_id"]], first["section"], [first["line"]],
                                                        lang)},
                    "later": {"doc_id": last["doc_id"], "date": dates[last["doc_id"]],
                              "citation": citation(docs[last["doc_id"]], last["section"], [last["line"]], lang)}})
    return sorted(out, key=lambda r: (r["planned_year"], r["name"]))

