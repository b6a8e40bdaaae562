"""Assessment of communes on the three commune levels (NTM, advanced, model), of districts on the district set,
and the explanation of a commune.

Built on the engine in ntm.criteria: evaluates the NTM and advanced sets, then decides eligibility with the
reason for every missing condition (model level: advanced + income >= 110 % of the advanced threshold + a smart
village + an outstanding field, Decision 319/QĐ-TTg).
"""

import threading
from dataclasses import dataclass, field
from typing import Any, NotRequired, TypedDict

import pandas as pd

from ntm import fmt, roadmap, store
from ntm.criteria import (
    GENERAL_CONDITIONS,
    MODEL_INCOME_FACTOR,
    SET_DISTRICT,
    SET_KIEU_MAU,
    SET_NANG_CAO,
    SET_NTM,
    Evaluation,
    Rulebook,
    declared_statuses,
    evaluate,
)
from ntm.i18n import LANGS, both, t
from ntm.sources import citation
from ntm.unit import Unit

INCOME = "10"


def _none(value: Any) -> Any:
    """A cell as Python: NaN is None."""
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _values_of(values: pd.DataFrame, set_code: str) -> pd.DataFrame:
    return values[values["set_code"] == set_code]


def assess(con, units: pd.DataFrame, values: pd.DataFrame, year: int, rules: Rulebook | None = None,
           declared: pd.DataFrame | None = None, illustrative: bool = False) -> dict:
    """Evaluate `units` in `year` on the NTM, advanced and model levels. `values` has unit_code, set_code,
    indicator_code, year, value; `declared` (unit_code, set_code, year, criterion_no, status, doc_id, line)
    defaults to the documents' declared results. Returns {"evaluations": {set: Evaluation}, "communes": [...]}."""
    rules = rules or Rulebook.from_db(con)
    province = units["province_code"].iloc[0] if len(units) and units["province_code"].nunique() == 1 else None
    evaluations = {}
    for set_code in (SET_NTM, SET_NANG_CAO):
        if declared is None:
            of_set = declared_statuses(con, rules, set_code, province)
        else:
            of_set = declared[declared["set_code"] == set_code]
        of_set = of_set[of_set["unit_code"].isin(units["unit_code"]) & (of_set["year"] == year)]
        evaluations[set_code] = evaluate(_values_of(values, set_code), units, rules, set_code, of_set, [year])
    model = _values_of(values, SET_KIEU_MAU)
    # detail records built in one pass per set (records of the whole frame, then grouped by commune): no pandas
    # filtering per commune
    details = {s: _records_by_unit(s, ev.criteria, ev.indicators, rules) for s, ev in evaluations.items()}
    counts = {s: ev.units.set_index("unit_code").to_dict("index") for s, ev in evaluations.items()}
    counts["n"] = (rules.n_criteria(SET_NTM), rules.n_criteria(SET_NANG_CAO))
    income = _income_by_unit(evaluations[SET_NANG_CAO].indicators)
    smart = _model_flags(model)
    communes = [_record(u, year, counts, details, income, smart, rules, illustrative) for u in units.itertuples()]
    return {"evaluations": evaluations, "communes": communes}


def _records_by_unit(set_code: str, crit: pd.DataFrame, ind: pd.DataFrame, rules: Rulebook,
                     lang: str = "vi") -> dict[str, list]:
    """Every unit's criteria with their indicators, as records: each column converted once, as a whole (Arrow text
    and numbers become Python objects in C, missing ones None), then zipped; no pandas access per row."""
    names = rules.criterion_names(set_code, lang)
    columns = ["unit_code", "criterion_no", "indicator_code", "value", "threshold", "threshold_text", "comparator",
               "status", "gap", "threshold_source"]
    indicators: dict[tuple, list[dict]] = {}
    for u, no, code, value, threshold, text, comparator, status, gap, source in zip(*_lists(ind, columns),
                                                                                     strict=True):
        indicators.setdefault((u, no), []).append(
            {"code": code, "value": value, "threshold": threshold, "threshold_text": text, "comparator": comparator,
             "status": status, "gap": gap, "source": source})
    rows = list(zip(*_lists(crit, ["unit_code", "criterion_no", "status", "basis", "declared", "disagrees", "doc_id",
                                   "line"]), strict=True))
    out: dict[str, list] = {}
    for u, no, status, basis, declared, disagrees, doc_id, line in sorted(rows, key=lambda r: (r[0], len(r[1]), r[1])):
        out.setdefault(u, []).append({
            "criterion": no, "name": names.get(no), "status": status, "basis": basis, "declared": declared,
            "disagrees": bool(disagrees), "declared_source": {"doc_id": doc_id, "line": int(line)} if doc_id else None,
            "indicators": indicators.get((u, no), [])})
    return out


def _lists(frame: pd.DataFrame, columns: list[str]) -> list[list]:
    """The columns as Python lists, missing values None."""
    return [frame[c].to_numpy(dtype=object, na_value=None).tolist() for c in columns]


def _criteria_records(set_code: str, crit: pd.DataFrame, ind: pd.DataFrame, rules: Rulebook,
                      lang: str = "vi") -> list[dict]:
    """One unit's criteria (crit) with their indicators (ind), as records."""
    return next(iter(_records_by_unit(set_code, crit, ind, rules, lang).values()), [])


def _income_by_unit(nc_indicators: pd.DataFrame) -> dict[str, tuple]:
    """Each commune's income per capita on the advanced set: (value, threshold or None when unknown)."""
    income = nc_indicators[nc_indicators["indicator_code"] == INCOME]
    known = income["status"] != "unknown_threshold"
    return {u: (_none(v), _none(th) if k else None)
            for u, v, th, k in zip(income["unit_code"], income["value"], income["threshold"], known, strict=True)}


def _model_flags(model: pd.DataFrame) -> dict[tuple, float]:
    return {(u, c): v for u, c, v in zip(model["unit_code"], model["indicator_code"], model["value"], strict=True)
            if _none(v) is not None}


def _record(u, year: int, counts: dict, details: dict, income: dict, smart: dict, rules: Rulebook,
            illustrative: bool) -> dict:
    row, nc_row = counts[SET_NTM][u.unit_code], counts[SET_NANG_CAO][u.unit_code]
    eligible = _eligibility(u.unit_code, row, nc_row, income.get(u.unit_code, (None, None)), smart, counts["n"])
    return {"code": u.unit_code, "name": u.name, "district": u.district, "set": SET_NTM, "year": year,
            "criteria_met": int(row["criteria_met"]), "criteria_not_met": int(row["criteria_not_met"]),
            "criteria_incomplete": int(row["criteria_incomplete"]), "group": _none(row["group"]),
            "eligible": eligible, "illustrative": illustrative,
            "criteria": details[SET_NTM].get(u.unit_code, []),
            "nang_cao": {"criteria_met": int(nc_row["criteria_met"]),
                         "criteria_not_met": int(nc_row["criteria_not_met"]),
                         "criteria_incomplete": int(nc_row["criteria_incomplete"]),
                         "criteria": details[SET_NANG_CAO].get(u.unit_code, [])}}


def _reasons(row, n: int, set_key: str) -> list[dict]:
    missing = row["missing"]
    missing = [] if missing is None or not hasattr(missing, "__iter__") else list(missing)  # NULL when none
    if int(row["criteria_met"]) == n:
        return []
    not_met = int(row["criteria_not_met"])
    incomplete = int(row["criteria_incomplete"])
    return [{lang: t("reason_set_count", lang, set=t(set_key, lang), met=int(row["criteria_met"]), n=n,
                     not_met=not_met, incomplete=incomplete, missing=", ".join(missing)) for lang in LANGS}]


def _eligibility(unit: str, row, nc_row, income: tuple, smart: dict, n: tuple[int, int]) -> dict:
    n_ntm, n_nc = n
    ntm_reasons = _reasons(row, n_ntm, "reason_set_ntm")
    nc_reasons = ([both("reason_not_ntm")] if ntm_reasons else []) + _reasons(nc_row, n_nc, "reason_set_nang_cao")
    km_reasons = [both("reason_not_nang_cao")] if nc_reasons else []
    km_reasons += _model_conditions(unit, income, smart)
    return {level: {"eligible": not reasons, "reasons": reasons}
            for level, reasons in (("ntm", ntm_reasons), ("nang_cao", nc_reasons), ("kieu_mau", km_reasons))}


def _model_conditions(unit: str, income: tuple, smart: dict) -> list[dict]:
    """Decision 319: income >= 110 % of the advanced income threshold; >= 1 smart village; >= 1 field.
    `income`: (value, threshold) of the commune; `smart`: (unit, KM code) -> value."""
    reasons = []
    value, threshold = income
    if value is None:
        reasons.append(both("reason_no_income"))
    elif threshold is None:
        reasons.append(both("reason_income_threshold_unknown"))
    elif value < MODEL_INCOME_FACTOR * threshold:
        reasons.append(both("reason_income_below", value=f"{value:g}", threshold=f"{threshold:g}",
                            needed=f"{MODEL_INCOME_FACTOR * threshold:g}"))
    for code, key in (("KM.3", "reason_no_smart_village"), ("KM.4", "reason_no_outstanding_field")):
        if smart.get((unit, code), 0) < 1:
            reasons.append(both(key))
    return reasons


FIRST_NUMBER = r"(\d[\d.,]*\d|\d)"


def stated_thresholds(con, rules: Rulebook, set_code: str = SET_NTM, unit_codes: list[str] | None = None,
                      province: str | None = None) -> pd.DataFrame:
    """The thresholds a document itself states for a commune's unmet indicator ("chưa đạt 45 triệu
    đồng/người/năm", "yêu cầu dưới 13%"): indicator, year, value and source. A criterion with one indicator
    stands for it ("Tiêu chí số 10: Thu nhập" = indicator 10)."""
    gaps = store.facts(con, "criteria_gaps", province, unit_codes)
    gaps = gaps[(gaps["set_code"] == set_code) & (gaps["unit_level"] == "commune") & gaps["threshold_text"].notna()]
    indicators = rules.of_set("indicators", set_code)
    single = indicators.groupby("criterion_no")["indicator_code"].agg(lambda x: x.iloc[0] if len(x) == 1 else None)
    gaps = gaps.assign(indicator=gaps["indicator_code"].fillna(gaps["criterion_no"].map(single)),
                       stated=gaps["threshold_text"].str.extract(FIRST_NUMBER, expand=False).map(
                           lambda x: None if pd.isna(x) else _number(x)))
    return gaps[gaps["indicator"].notna() & gaps["stated"].notna()]


def _number(text: str) -> float | None:
    try:
        return fmt.parse_number(text)
    except ValueError:
        return None


class Explanation(TypedDict):
    """`explain`: a commune's counts and every criterion it does not meet (or is not known to meet), with what is
    missing, who is responsible and what the documents say."""

    code: str
    name: str
    district: str | None
    set: str
    year: int
    criteria_met: int
    criteria_not_met: int
    criteria_incomplete: int
    group: int | None
    items: list[dict]
    n_criteria: NotRequired[int | None]  # the set's criteria count (None: not stated), where a page shows "n/N"


@dataclass
class _Prepared:
    """One province's communes, set and year made ready for `explain` once per build: evaluated together (the
    database does not change between builds), the agencies, documents, the documents' gaps and stated thresholds
    as lookups, so a call only reads one commune's rows."""

    rules: Rulebook
    evaluation: Evaluation
    units: dict[str, dict]  # unit_code -> attributes and counts
    agencies: dict[tuple, tuple]  # (criterion, None) or (None, indicator) -> (agency, doc_id, section, line)
    docs: dict[str, dict]
    gaps: dict[tuple, list[tuple]]  # (unit, criterion) -> the document's statements about its gaps
    stated: dict[tuple, list[tuple]]  # (unit, indicator) -> thresholds the documents state
    lock: threading.Lock = field(default_factory=threading.Lock)  # one engine cursor, one reader at a time


_PREPARED: dict[tuple, _Prepared] = {}
PREPARED_MAX = 8  # provinces × sets × years kept (each a few hundred communes' evaluation)


def _first(rows: pd.DataFrame, key: str) -> dict[Any, tuple]:
    """key -> (agency, doc_id, section, line) of the first row (the documents' order) with that key."""
    out: dict[Any, tuple] = {}
    for k, *rest in rows[[key, "agency", "doc_id", "section", "line"]].itertuples(index=False):
        out.setdefault(k, tuple(rest))
    return out


def _grouped(frame: pd.DataFrame, keys: list[str], columns: list[str]) -> dict[tuple, list[tuple]]:
    out: dict[tuple, list[tuple]] = {}
    frame = frame[keys + columns].astype(object)
    for row in frame.where(frame.notna(), None).itertuples(index=False):
        out.setdefault(tuple(row[:len(keys)]), []).append(tuple(row[len(keys):]))
    return out


def _prepare(con, province: str, set_code: str, year: int, rules: Rulebook) -> _Prepared:
    units = store.unit_attributes(con, province_code=province)
    values = store.facts(con, "indicator_values", province, set_code=set_code, year=year)
    declared = declared_statuses(con, rules, set_code, province, year=year)
    ev = evaluate(values, units, rules, set_code, declared, [year])
    counts = ev.units.set_index("unit_code")[["criteria_met", "criteria_not_met", "criteria_incomplete", "group"]]
    attributes = units.set_index("unit_code")[["name", "district"]].join(counts)
    agencies = store.facts(con, "criterion_agencies", unit_codes=[province])  # appendix 06: the province's
    agencies = agencies[agencies["set_code"] == set_code]
    gaps = store.facts(con, "criteria_gaps", province)
    stated = stated_thresholds(con, rules, set_code, province=province)
    return _Prepared(
        rules, ev, attributes.astype(object).where(attributes.notna(), None).to_dict("index"),
        {**{(c, None): a for c, a in _first(agencies[agencies["indicator_code"].isna()], "criterion_no").items()},
         **{(None, i): a for i, a in _first(agencies, "indicator_code").items()}},
        {d["doc_id"]: d for d in store.documents(con).to_dict("records")},
        _grouped(gaps[gaps["set_code"] == set_code], ["unit_code", "criterion_no"],
                 ["indicator_code", "value_text", "threshold_text", "agency", "expected_time", "doc_id", "section",
                  "line"]),
        _grouped(stated[stated["year"] == year], ["unit_code", "indicator"],
                 ["stated", "threshold_text", "doc_id", "section", "line"]))


def _prepared(con, province: str, set_code: str, year: int, rules: Rulebook | None) -> _Prepared:
    key = (*store.build_key(con), province, set_code, year, None if rules is None else id(rules))
    ready = _PREPARED.get(key)
    if ready is None or (rules is not None and ready.rules is not rules):
        ready = _prepare(con, province, set_code, year, rules or Rulebook.from_db(con))
        if len(_PREPARED) >= PREPARED_MAX:  # the oldest goes (its engine cursor closes when no call holds it)
            _PREPARED.pop(next(iter(_PREPARED)))
        _PREPARED[key] = ready
    return ready


def explain(con, unit_code: str, year: int, set_code: str = SET_NTM, lang: str = "vi",
            rules: Rulebook | None = None) -> Explanation:
    """Every unmet or unknown indicator and criterion of one commune with value, threshold, gap, the agency
    responsible (where a document names one) and the document's own statements about its gaps."""
    found = con.execute("SELECT province_code FROM units WHERE code = ? AND level = 'commune'", [unit_code]).fetchone()
    if found is None:
        raise LookupError(f"Không có xã mã {unit_code} / no commune with code {unit_code}")
    p = _prepared(con, found[0], set_code, year, rules)
    with p.lock:
        crit, ind = p.evaluation.criteria_for([unit_code]), p.evaluation.indicators_for([unit_code])
    docs = p.docs

    def cite(doc_id: str, section: str | None, line: int) -> str:
        return citation(docs[doc_id], section, [line], lang)

    items = []
    for c in _criteria_records(set_code, crit, ind, p.rules, lang):
        if c["status"] == "met":
            continue
        agency = p.agencies.get((c["criterion"], None))
        c["agency"] = agency[0] if agency else None
        c["agency_source"] = cite(*agency[1:]) if agency else None
        c["indicators"] = [i for i in c["indicators"] if i["status"] != "met"]
        for i in c["indicators"]:
            if i["comparator"] == "==" and i["threshold"] == 1:  # a flag (1 = đạt): its threshold is "met"
                i["threshold_text"] = t("crit_met", lang)
            own = p.agencies.get((None, i["code"]))
            i["agency"] = own[0] if own else c["agency"]
            i["document_threshold"] = [
                {"value": value, "text": text,
                 "differs": i["threshold"] is not None and abs(value - i["threshold"]) > 1e-9,
                 "citation": cite(doc_id, section, line)}
                for value, text, doc_id, section, line in p.stated.get((unit_code, i["code"]), [])]
        c["document_says"] = [
            {"indicator": indicator, "value": value, "threshold": threshold, "agency": agency, "expected": expected,
             "citation": cite(doc_id, section, line)}
            for indicator, value, threshold, agency, expected, doc_id, section, line
            in p.gaps.get((unit_code, c["criterion"]), [])]
        if c["declared_source"]:
            s = c["declared_source"]
            c["declared_source"]["citation"] = cite(s["doc_id"], None, s["line"])
        items.append(c)
    u = p.units[unit_code]
    return {"code": unit_code, "name": u["name"], "district": u["district"], "set": set_code, "year": year,
            "criteria_met": int(u["criteria_met"]), "criteria_not_met": int(u["criteria_not_met"]),
            "criteria_incomplete": int(u["criteria_incomplete"]), "group": u["group"], "items": items}


def view(record: dict, set_code: str) -> dict:
    """A commune's record with `set_code`'s criteria as the main ones (the advanced set's counts have no group)."""
    if set_code == SET_NTM:
        return record
    nc = record["nang_cao"]
    return {**record, "set": SET_NANG_CAO, "criteria_met": nc["criteria_met"],
            "criteria_not_met": nc["criteria_not_met"],
            "criteria_incomplete": nc["criteria_incomplete"], "group": None, "criteria": nc["criteria"],
            "nang_cao": None, "ntm": {k: record[k] for k in ("criteria_met", "criteria_not_met", "criteria_incomplete",
                                                              "group")}}


def _stated_count(stated: pd.DataFrame, unit: str) -> dict | None:
    """The criteria count a document states for a district ("Năm 2022 huyện đạt 4/9 tiêu chí"), even where it
    does not say which criteria: shown beside the engine's result, never mixed into it."""
    if unit not in stated.index:
        return None
    r = stated.loc[[unit]].iloc[0]
    return {"criteria_met": int(r["value"]), "of": _none(r["denominator"]), "doc_id": r["doc_id"],
            "line": int(r["line"]), "original_text": r["original_text"]}


def assess_districts(con, province: Unit, year: int, rules: Rulebook | None = None) -> list[dict]:
    """Districts on the district NTM set: the share of their programme communes recognised NTM and advanced by
    the end of `year` (general conditions A.1, A.2, from the documents' recognition lists), and the district
    criteria the documents declare."""
    rules, code = rules or Rulebook.from_db(con), province.code
    districts = store.unit_attributes(con, province_code=code, level="district")
    expected = store.programme_communes_per_district(con, code)
    districts = districts[districts["unit_code"].isin([d for d, n in expected.items() if n])]
    values = []
    for indicator, level in (("A.1", "ntm"), ("A.2", "nang_cao")):
        counts = roadmap.recognised_counts(con, code, level, [year])[year]
        values += [{"unit_code": d, "indicator_code": indicator, "year": year,
                    "value": round(100 * counts[d] / expected[d], 2)}
                   for d in districts["unit_code"] if counts.get(d) is not None]
    declared = declared_statuses(con, rules, SET_DISTRICT, code)
    values = pd.DataFrame(values, columns=["unit_code", "indicator_code", "year", "value"])
    stated = store.facts(con, "reported_aggregates", code)
    stated = stated[(stated["measure"] == "criteria_met") & (stated["set_code"] == SET_DISTRICT)
                    & (stated["year"] == year)].set_index("unit_code")
    ev = evaluate(values, districts, rules, SET_DISTRICT, declared[declared["year"] == year], [year])
    crit, ind = ev.criteria.groupby("unit_code"), ev.indicators.groupby("unit_code")
    out = []
    for d in districts.to_dict("records"):
        row = ev.units[ev.units["unit_code"] == d["unit_code"]].iloc[0]
        records = _criteria_records(SET_DISTRICT, crit.get_group(d["unit_code"]), ind.get_group(d["unit_code"]),
                                    rules)
        general = next((r for r in records if r["criterion"] == GENERAL_CONDITIONS), None)
        reasons = _reasons(row, rules.n_criteria(SET_DISTRICT), "reason_set_district")
        if general and general["status"] != "met":
            reasons.append(both("reason_general_conditions"))
        shares = {i["code"]: i["value"] for i in (general or {"indicators": []})["indicators"]}
        out.append({"code": d["unit_code"], "name": d["name"], "set": SET_DISTRICT, "year": year,
                    "programme_communes": expected[d["unit_code"]], "share_ntm_pct": shares.get("A.1"),
                    "share_nang_cao_pct": shares.get("A.2"), "criteria_met": int(row["criteria_met"]),
                    "criteria_not_met": int(row["criteria_not_met"]),
                    "criteria_incomplete": int(row["criteria_incomplete"]),
                    "eligible": {"huyen_ntm": {"eligible": not reasons, "reasons": reasons}},
                    "general_conditions": general, "criteria": [r for r in records if r is not general],
                    "stated": _stated_count(stated, d["unit_code"])})
    return out
