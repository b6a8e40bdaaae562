"""Communes by criteria group, per district and for the province ("Kết quả thực hiện Bộ tiêu chí xã NTM").

Two bases: the figures a document reports (reported aggregates) and figures computed from commune-level
results. Where only one exists it is used and labelled; where both exist both are returned and every
difference is listed.
"""

from typing import TypedDict

from ntm import store
from ntm.criteria import SET_NTM
from ntm.fmt import round_half_up
from ntm.sources import citation
from ntm.unit import Unit, UnitRef

GROUP_KEYS = ("1", "2", "3", "4", "5")
KEYS = ("communes", "groups", "total_criteria", "avg_criteria")


def _empty():
    return {"communes": None, "groups": {g: None for g in GROUP_KEYS}, "total_criteria": None,
            "avg_criteria": None}


def _reported(rows) -> dict[str, dict]:
    """unit_code -> figures as stated, from the reported-aggregate rows."""
    out: dict[str, dict] = {}
    for r in rows.itertuples():
        fig = out.setdefault(r.unit_code, {**_empty(), "unit_name": r.unit_name, "level": r.level,
                                           "unit_type": r.unit_type,
                                           "lines": set(), "doc_ids": set(), "sections": set(),
                                           "set_stated": True})
        fig["set_stated"] = fig["set_stated"] and r.set_code == r.set_code and r.set_code is not None
        fig["lines"].add(r.line)
        fig["doc_ids"].add(r.doc_id)
        fig["sections"].add(r.section)
        value = None if r.value != r.value else r.value
        count = None if value is None else int(value)  # a stated count without its figure stays unknown
        if r.measure == "communes_in_group":
            fig["groups"][str(r.category)] = count
        elif r.measure == "communes_total":
            fig["communes"] = count
        elif r.measure == "criteria_total":
            fig["total_criteria"] = count
        elif r.measure == "criteria_avg":
            fig["avg_criteria"] = value
    return out


def _group_of(met: float, groups) -> str:
    for g in groups.itertuples():
        if g.min_met <= met <= g.max_met:
            return str(g.group_no)
    raise ValueError(f"{met} criteria met fits no group")


def _computed(communes, groups) -> dict[str, dict]:
    """district_code -> figures computed from commune-level criteria counts."""
    out: dict[str, dict] = {}
    for c in communes.itertuples():
        fig = out.setdefault(c.district_code, {**_empty(), "unit_name": c.district_name, "level": "district",
                                               "unit_type": c.district_type,
                                               "communes": 0, "total_criteria": 0,
                                               "groups": {g: 0 for g in GROUP_KEYS},
                                               "lines": set(), "doc_ids": set(), "sections": set()})
        fig["communes"] += 1
        fig["total_criteria"] += int(c.criteria_met)
        fig["groups"][_group_of(c.criteria_met, groups)] += 1
        fig["lines"].add(c.line)
        fig["doc_ids"].add(c.doc_id)
    for fig in out.values():
        fig["avg_criteria"] = round_half_up(fig["total_criteria"] / fig["communes"])
    return out


def _sum(figs: list[dict]) -> dict:
    total = _empty()
    total["communes"] = sum(f["communes"] or 0 for f in figs)
    total["total_criteria"] = sum(f["total_criteria"] or 0 for f in figs)
    total["groups"] = {g: sum(f["groups"][g] or 0 for f in figs) for g in GROUP_KEYS}
    total["avg_criteria"] = round_half_up(total["total_criteria"] / total["communes"]) if total["communes"] else None
    return total


def _differences(a: dict, b: dict, label_a: str, label_b: str) -> list[dict]:
    """Figures that differ between two bases (averages compared at the document's two decimals)."""
    def pairs(key: str) -> list[tuple[str, object, object]]:
        if key == "groups":
            return [(f"groups.{g}", a["groups"][g], b["groups"][g]) for g in GROUP_KEYS]
        if key == "avg_criteria" and a[key] is not None and b[key] is not None:  # compared as the documents round
            return [(key, a[key], b[key])] if round_half_up(a[key]) != round_half_up(b[key]) else []
        return [(key, a[key], b[key])]

    return [{"field": field, label_a: x, label_b: y} for key in KEYS for field, x, y in pairs(key)
            if x is not None and y is not None and x != y]


def _public(fig: dict) -> dict:
    return {k: fig[k] for k in KEYS}


def _consistency(fig: dict) -> list[dict]:
    """A reported row checked against itself: groups add up to communes, average = total / communes."""
    derived = {**fig, "communes": sum(v for v in fig["groups"].values() if v is not None) if all(
        v is not None for v in fig["groups"].values()) else None}
    if fig["total_criteria"] is not None and fig["communes"]:
        derived["avg_criteria"] = round_half_up(fig["total_criteria"] / fig["communes"])
    return _differences(fig, derived, "reported", "derived")


class Summary(TypedDict):
    """`summary`: the communes-by-criteria table of a province and year, per district and in total."""

    province: UnitRef
    year: int
    set_code: str
    districts: list[dict]
    total: dict | None
    sources: list[dict]


def summary(con, province: Unit, year: int, set_code: str = SET_NTM, lang: str = "vi") -> Summary:
    """The district table for one province and year, with its sources."""
    code = province.code
    reported = _reported(store.district_aggregates(con, code, year, set_code))
    computed = _computed(store.commune_criteria_met(con, code, year, set_code), store.commune_groups(con, set_code))
    figures = {**computed, **reported}
    # As the reports print them: rural districts (huyện) first, then towns and cities, each by GSO code.
    district_codes = sorted({c for c, f in figures.items() if f["level"] == "district"},
                            key=lambda c: (figures[c]["unit_type"] != "Huyện", c))
    expected = store.programme_communes_per_district(con, code)
    districts, used = [], list(reported.values())
    for dc in district_codes:
        rep, comp = reported.get(dc), computed.get(dc)
        main = rep or computed[dc]
        entry = {"district_code": dc, "district": main["unit_name"], **_public(main),
                 "basis": "reported" if rep else "computed", "checks": _consistency(rep) if rep else [],
                 "set_stated": rep["set_stated"] if rep else True}
        if comp:
            # computed figures describe the district only when every programme commune has a result
            entry["coverage"] = {"with_data": comp["communes"], "programme_communes": expected.get(dc)}
            complete = comp["communes"] >= (expected.get(dc) or 0)
            if not rep and not complete:
                entry["basis"] = "computed_partial"
            if rep and complete:
                entry["computed"] = _public(comp)
                entry["differences"] = _differences(rep, comp, "reported", "computed")
            if not rep or complete:  # a partial computation beside a reported figure is not shown, nor cited
                used.append(comp)
        districts.append(entry)

    rep_total = reported.get(code)
    whole = (districts and len(districts) == len(expected) and all(d["basis"] != "computed_partial"
                                                                   for d in districts))
    sum_of_districts = _sum(districts) if whole else None
    if rep_total:
        total = {**_public(rep_total), "basis": "reported", "checks": _consistency(rep_total)}
        if sum_of_districts:
            total["sum_of_districts"] = sum_of_districts
            total["differences"] = _differences(rep_total, sum_of_districts, "reported", "sum_of_districts")
    elif sum_of_districts:
        total = {**sum_of_districts, "basis": "reported" if all(d["basis"] == "reported" for d in districts)
                 else "computed", "checks": []}
    else:
        total = None
    return {"province": province.ref(), "year": year, "set_code": set_code,
            "districts": districts, "total": total,
            "sources": _sources(con, used, lang)}


def _sources(con, figs: list[dict], lang: str) -> list[dict]:
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    by_doc: dict[str, dict] = {}
    for f in figs:
        for doc_id in f["doc_ids"]:
            entry = by_doc.setdefault(doc_id, {"lines": set(), "sections": set()})
            entry["lines"] |= f["lines"]
            entry["sections"] |= {s for s in f["sections"] if s}
    out = []
    for doc_id, e in sorted(by_doc.items()):
        section = ", ".join(sorted(e["sections"])) or None
        out.append({"doc_id": doc_id, "file": docs[doc_id]["file"], "issuer": docs[doc_id]["issuer"],
                    "date": docs[doc_id]["date"], "section": section,
                    "lines": sorted(int(x) for x in e["lines"]),
                    "citation": citation(docs[doc_id], section, e["lines"], lang)})
    return out
