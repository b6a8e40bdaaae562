"""The goals the documents set, for a province and its districts and communes, each with its source."""

import pandas as pd

from ntm import store
from ntm.sources import citation
from ntm.unit import Unit


def _clean(value):
    return None if pd.isna(value) else value


def targets(con, province: Unit, year: int | None = None, lang: str = "vi") -> dict:
    t = store.facts(con, "targets", province.code)
    if year is not None:
        t = t[t["target_year"] == year]
    names = store.measures(con).set_index("measure")
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    rows = [{
            "unit_code": r.unit_code, "unit": r.unit_name, "target_year": _clean(r.target_year),
            "measure": r.measure, "measure_name": names.loc[r.measure, "name_vi" if lang == "vi" else "name_en"],
            "category": _clean(r.category), "set_code": _clean(r.set_code), "comparator": _clean(r.comparator),
            "value": _clean(r.value), "value_max": _clean(r.value_max), "denominator": _clean(r.denominator),
            "unit_of_measure": _clean(r.unit), "doc_id": r.doc_id, "line": int(r.line),
            "original_text": r.original_text, "note": _clean(r.note),
            "citation": citation(docs[r.doc_id], r.section, [r.line], lang)}
        for r in t.sort_values(["target_year", "unit_code", "measure"], na_position="last").itertuples()]
    for r in rows:
        if r["target_year"] is not None:
            r["target_year"] = int(r["target_year"])
    return {"province": province.ref(), "year": year, "targets": rows}
