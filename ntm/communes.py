"""The communes of a province at a glance, and one commune in detail (for the Communes page and the map)."""

import pandas as pd

from ntm import period, roadmap, store
from ntm.assessment import assess, explain
from ntm.criteria import SET_NANG_CAO, SET_NTM, Rulebook
from ntm.sources import citation


def _results_years(con, province: str, as_of: int) -> list[int]:
    values = store.facts(con, "indicator_values", province)
    declared = store.facts(con, "criteria_status", province)
    years = set(values["year"].dropna().astype(int)) | set(declared["year"].dropna().astype(int))
    return sorted((y for y in years if y <= as_of), reverse=True)


def overview(con, province: dict, as_of: int) -> pd.DataFrame:
    """One row per rural commune (xã): the highest level reached by `as_of` and its year, the next planned level
    and year, and the latest criteria results the documents give (with the year of those results)."""
    code = province["code"]
    units = store.unit_attributes(con, province_code=code, xa_only=True)
    frame = units[["unit_code", "name", "district", "district_code"]].copy()
    frame["reached"], frame["reached_year"], frame["planned"], frame["planned_year"] = None, None, None, None
    for level in roadmap.LEVELS:
        status = roadmap.commune_status(con, code, roadmap.LEVELS[level])
        for r in status.to_dict("records"):
            idx = frame.index[frame["unit_code"] == r["unit_code"]]
            year = r["status_year"]
            if r["status"] == "actual" and (year is None or year <= as_of):
                frame.loc[idx, ["reached", "reached_year"]] = [level, year]
            elif frame.loc[idx, "planned"].isna().all() or r["status"] == "planned":
                frame.loc[idx, ["planned", "planned_year"]] = [level, year]
    whole = roadmap.whole_districts(con, code, as_of)  # Trà Cú 15/15: its communes are NTM, unnamed
    in_whole = frame["district_code"].isin(list(whole)) & frame["reached"].isna()
    frame.loc[in_whole, "reached"] = "ntm"
    frame = frame.drop(columns="district_code")
    frame["criteria_met"], frame["criteria_not_met"], frame["group"], frame["results_year"] = None, None, None, None
    values = store.facts(con, "indicator_values", code)
    rules = Rulebook.from_db(con)
    for year in _results_years(con, code, as_of):
        todo = units[frame["results_year"].isna().to_numpy()]
        if todo.empty:
            break
        for c in assess(con, todo, values, year, rules)["communes"]:
            if c["criteria_met"] + c["criteria_not_met"] == 0:
                continue
            idx = frame.index[frame["unit_code"] == c["code"]]
            frame.loc[idx, ["criteria_met", "criteria_not_met", "group", "results_year"]] = [
                c["criteria_met"], c["criteria_not_met"], c["group"], year]
    return frame.rename(columns={"unit_code": "code"})


def detail(con, unit_code: str, as_of: int, lang: str = "vi") -> dict:
    """A commune's criteria checklist (latest results up to `as_of`), its recognitions and plans with their
    sources, and its progress toward the advanced level."""
    units = store.unit_attributes(con, codes=[unit_code])
    province = units["province_code"].iloc[0]
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    rec = store.facts(con, "recognitions", unit_codes=[unit_code]).sort_values(["year", "doc_id"], na_position="first")
    history = [{"level": r["level"], "year": None if pd.isna(r["year"]) else int(r["year"]), "kind": r["kind"],
                "note": None if pd.isna(r["note"]) else r["note"],
                "citation": citation(docs[r["doc_id"]], r["section"], [r["line"]], lang)}
               for r in rec.to_dict("records")]
    years = [y for y in _results_years(con, province, as_of)]
    checklist, nang_cao = None, None
    for year in years:
        result = explain(con, unit_code, year, SET_NTM, lang=lang)
        if result["criteria_met"] + result["criteria_not_met"] > 0:
            checklist = {**result, "n_criteria": period.n_criteria(con, SET_NTM)}
            nc = explain(con, unit_code, year, SET_NANG_CAO, lang=lang)
            nang_cao = {k: nc[k] for k in ("criteria_met", "criteria_not_met", "criteria_incomplete", "year")}
            nang_cao["missing"] = [i["criterion"] for i in nc["items"]]
            nang_cao["n_criteria"] = period.n_criteria(con, SET_NANG_CAO)
            break
    return {"code": unit_code, "name": units["name"].iloc[0], "district": units["district"].iloc[0],
            "history": history, "checklist": checklist, "nang_cao": nang_cao}


def criteria_shares(con, province: dict, year: int, set_code: str = SET_NTM, lang: str = "vi") -> dict:
    """Share of communes meeting each criterion, by district, among the communes the documents give results for
    in `year`, beside the province's target share per criterion for the period's target year (Khánh Hòa appendix
    01)."""
    code, target_year = province["code"], period.target_year(con, year)
    if set_code not in (SET_NTM, SET_NANG_CAO):  # the documents hold results on the 2021-2025 sets only
        return {"shares": pd.DataFrame(), "targets": {}, "communes": 0, "names": {}, "coverage": {},
                "target_year": target_year}
    units = store.unit_attributes(con, province_code=code, xa_only=True)
    result = assess(con, units, store.facts(con, "indicator_values", code), year)
    rows, counted = [], 0
    for c in result["communes"]:
        block = c if set_code == SET_NTM else c["nang_cao"]
        if block["criteria_met"] + block["criteria_not_met"] == 0:
            continue
        counted += 1
        rows += [{"district": c["district"], "criterion": k["criterion"],
                  "met": k["status"] == "met", "code": c["code"]} for k in block["criteria"] if k["criterion"] != "0"]
    targets = store.facts(con, "targets", code, [code])
    targets = targets[(targets["measure"] == "share_units_meeting_criterion") & (targets["set_code"] == set_code)
                      & (targets["target_year"] == target_year)]
    target = {r["category"]: r["value"] for r in targets.sort_values("line").to_dict("records")}
    if not rows:
        return {"shares": pd.DataFrame(), "targets": target, "communes": 0, "names": {}, "coverage": {},
                "target_year": target_year}
    frame = pd.DataFrame(rows)
    names = Rulebook.from_db(con).criterion_names(set_code, lang)
    programme = store.programme_communes_per_district(con, code)
    district_code = dict(zip(units["district"], units["district_code"], strict=False))
    coverage = {d: (int(n), programme.get(district_code.get(d))) for d, n in frame.groupby("district")["code"].nunique()
                .items()}  # each column is computed from n of the district's N communes
    shares = frame.pivot_table(index="criterion", columns="district", values="met", aggfunc="mean") * 100
    shares = shares.loc[sorted(shares.index, key=lambda c: (len(c), c))]
    return {"shares": shares.round(1), "targets": target, "communes": counted,
            "names": {c: names.get(c) for c in frame["criterion"].unique()}, "coverage": coverage,
            "target_year": target_year}
