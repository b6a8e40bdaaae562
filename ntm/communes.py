"""The communes of a province at a glance, and one commune in detail (for the Communes page and the map)."""

import pandas as pd

from ntm import period, roadmap, store
from ntm.assessment import Explanation, explain
from ntm.criteria import SET_NANG_CAO, SET_NTM, Rulebook, declared_statuses, evaluate
from ntm.sources import citation, of_rows
from ntm.unit import Unit


def _results_years(con, province: str, as_of: int) -> list[int]:
    """The years up to `as_of` with indicator values or declared criteria of the province's units, latest first
    (in SQL: a province of the national database holds hundreds of thousands of values)."""
    rows = con.execute("""SELECT DISTINCT f.year FROM (SELECT unit_code, year FROM indicator_values
                                                     UNION ALL SELECT unit_code, year FROM criteria_status) f
                          JOIN units u ON u.code = f.unit_code WHERE u.province_code = ? AND f.year <= ?
                          ORDER BY f.year DESC""", [province, as_of]).fetchall()
    return [int(y) for (y,) in rows]


def _per_commune(frame: pd.DataFrame, by_code: pd.Series) -> pd.Series:
    """A column of `frame` from a series indexed by commune code (its values as they are: no type inferred)."""
    return pd.Series(by_code.reindex(frame["unit_code"]).to_numpy(dtype=object), index=frame.index)


def overview(con, province: Unit, as_of: int) -> pd.DataFrame:
    """One row per rural commune (xã): the highest level reached by `as_of` and its year, the next planned level
    and year, and the latest criteria results the documents give (with the year of those results). Set-based:
    the levels in order, each a column operation; the NTM set evaluated once over every results year."""
    code = province.code
    units = store.unit_attributes(con, province_code=code, xa_only=True)
    frame = units[["unit_code", "name", "district", "district_code"]].copy()
    frame["reached"], frame["reached_year"], frame["planned"], frame["planned_year"] = None, None, None, None
    for level in roadmap.LEVELS:  # one row per commune and level (roadmap.commune_status); a higher level overrides
        status = roadmap.commune_status(con, code, roadmap.LEVELS[level]).set_index("unit_code")
        kind, year = _per_commune(frame, status["status"]), _per_commune(frame, status["status_year"])
        known = year.notna()
        reached = (kind == "actual") & (~known | (year.where(known, 0) <= as_of))
        planned = ~reached & ((kind == "planned") | ((kind == "actual") & frame["planned"].isna()))
        frame.loc[reached, "reached"], frame.loc[reached, "reached_year"] = level, year[reached].where(known, None)
        frame.loc[planned, "planned"], frame.loc[planned, "planned_year"] = level, year[planned].where(known, None)
    whole = roadmap.whole_districts(con, code, as_of)  # Trà Cú 15/15: its communes are NTM, unnamed
    in_whole = frame["district_code"].isin(list(whole)) & frame["reached"].isna()
    frame.loc[in_whole, "reached"] = "ntm"
    frame = frame.drop(columns="district_code")
    frame["criteria_met"], frame["criteria_not_met"], frame["group"], frame["results_year"] = None, None, None, None
    years = _results_years(con, code, as_of)
    if years:
        rules = Rulebook.from_db(con)
        values = store.facts(con, "indicator_values", code, set_code=SET_NTM)
        declared = declared_statuses(con, rules, SET_NTM, code)
        ev = evaluate(values, units, rules, SET_NTM,
                      declared[declared["year"].isin(years) & declared["unit_code"].isin(units["unit_code"])], years)
        latest = ev.units[ev.units["criteria_met"] + ev.units["criteria_not_met"] > 0]  # the latest year with results
        latest = latest.sort_values("year", ascending=False).drop_duplicates("unit_code").set_index("unit_code")
        for column, source in (("criteria_met", "criteria_met"), ("criteria_not_met", "criteria_not_met"),
                               ("group", "group"), ("results_year", "year")):
            frame[column] = _per_commune(frame, latest[source].astype(object))
        frame = frame.where(frame.notna(), None)
    return frame.rename(columns={"unit_code": "code"})


def detail(con, commune: Unit, as_of: int, lang: str = "vi") -> dict:
    """A commune's criteria checklist (latest results up to `as_of`), its recognitions and plans with their
    sources, and its progress toward the advanced level."""
    unit_code = commune.code
    units = store.unit_attributes(con, codes=[unit_code])
    province = units["province_code"].iloc[0]
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    rec = store.facts(con, "recognitions", unit_codes=[unit_code]).sort_values(["year", "doc_id"], na_position="first")
    history = [{"level": r["level"], "year": None if pd.isna(r["year"]) else int(r["year"]), "kind": r["kind"],
                "note": None if pd.isna(r["note"]) else r["note"],
                "citation": citation(docs[r["doc_id"]], r["section"], [r["line"]], lang)}
               for r in rec.to_dict("records")]
    years = _results_years(con, province, as_of)
    checklist: Explanation | None = None
    nang_cao: dict[str, object] | None = None
    rules = Rulebook.from_db(con)
    units_of = rules.of_set("indicators", SET_NTM).set_index("indicator_code")["unit"].dropna().to_dict()
    for year in years:
        result = explain(con, unit_code, year, SET_NTM, lang=lang, rules=rules)
        if result["criteria_met"] + result["criteria_not_met"] > 0:
            for item in result["items"]:  # the indicator's unit of measure, for its value and gap
                for i in item["indicators"]:
                    i["unit"] = units_of.get(i["code"])
            result["n_criteria"] = period.n_criteria(con, SET_NTM)
            checklist = result
            nc = explain(con, unit_code, year, SET_NANG_CAO, lang=lang, rules=rules)
            nang_cao = {k: nc[k] for k in ("criteria_met", "criteria_not_met", "criteria_incomplete", "year")}
            nang_cao["missing"] = [i["criterion"] for i in nc["items"]]
            nang_cao["n_criteria"] = period.n_criteria(con, SET_NANG_CAO)
            break
    return {"code": unit_code, "name": units["name"].iloc[0], "district": units["district"].iloc[0],
            "history": history, "checklist": checklist, "nang_cao": nang_cao}


def criteria_shares(con, province: Unit, year: int, set_code: str = SET_NTM, lang: str = "vi") -> dict:
    """Share of communes meeting each criterion, by district, among the communes the documents give results for
    in `year`, beside the province's target share per criterion for the period's target year (Khánh Hòa appendix
    01)."""
    code, target_year = province.code, period.target_year(con, year)
    if set_code not in (SET_NTM, SET_NANG_CAO):  # the documents hold results on the 2021-2025 sets only
        return {"shares": pd.DataFrame(), "targets": {}, "communes": 0, "names": {}, "coverage": {},
                "target_year": target_year}
    units = store.unit_attributes(con, province_code=code, xa_only=True)
    rules = Rulebook.from_db(con)
    values = store.facts(con, "indicator_values", code)
    declared = declared_statuses(con, rules, set_code, code)
    ev = evaluate(values[values["set_code"] == set_code], units, rules, set_code,
                  declared[(declared["year"] == year) & declared["unit_code"].isin(units["unit_code"])], [year])
    with_results = ev.units.loc[ev.units["criteria_met"] + ev.units["criteria_not_met"] > 0, "unit_code"]
    counted = len(with_results)  # the communes the documents give results for, each criterion a row
    crit = ev.criteria_for(list(with_results)) if counted else pd.DataFrame(columns=["unit_code", "criterion_no",
                                                                                      "status"])
    crit = crit[crit["criterion_no"] != "0"]
    crit = crit.assign(_order=crit["criterion_no"].str.len()).sort_values(["unit_code", "_order", "criterion_no"])
    rows = pd.DataFrame({"district": crit["unit_code"].map(units.set_index("unit_code")["district"]),
                         "criterion": crit["criterion_no"],
                         "met": crit["status"] == "met", "code": crit["unit_code"]}).to_dict("records")
    targets = store.facts(con, "targets", code, [code])
    targets = targets[(targets["measure"] == "share_units_meeting_criterion") & (targets["set_code"] == set_code)
                      & (targets["target_year"] == target_year)]
    target = {r["category"]: r["value"] for r in targets.sort_values("line").to_dict("records")}
    if not rows:
        return {"shares": pd.DataFrame(), "targets": target, "communes": 0, "names": {}, "coverage": {},
                "target_year": target_year}
    frame = pd.DataFrame(rows)
    names = rules.criterion_names(set_code, lang)
    programme = store.programme_communes_per_district(con, code)
    district_code = dict(zip(units["district"], units["district_code"], strict=False))
    coverage = {d: (int(n), programme.get(district_code.get(d, "")))
                for d, n in frame.groupby("district")["code"].nunique().items()}  # from n of the district's N communes
    shares = frame.pivot_table(index="criterion", columns="district", values="met", aggfunc="mean") * 100
    shares = shares.loc[sorted(shares.index, key=lambda c: (len(c), c))]
    return {"shares": shares.round(1), "targets": target, "communes": counted,
            "names": {c: names.get(c) for c in frame["criterion"].unique()}, "coverage": coverage,
            "target_year": target_year}


def source_text(con, province: Unit, lang: str = "vi") -> str:
    """The documents (and lines) the list's recognitions, plans and criteria results come from, as citations."""
    rows = pd.concat([store.facts(con, table, province.code, columns=["doc_id", "line"])
                      for table in ("recognitions", "criteria_status")])
    return of_rows(store.documents(con), rows, lang)
