"""Funding as the documents state it: by source and capital type, the stated total beside the computed sum.

Amounts are million VND. A "group" is one unit, year and kind (planned, mobilized, …) in one document: the
way a report lists its sources under a total. Shares are of the computed sum of the sources, so they add up
to 100 % even where the document's own total does not.
"""

import pandas as pd

from ntm import store
from ntm.sources import citation


def _row(r, docs, lang) -> dict:
    return {"source": r.source, "capital_type": r.capital_type, "item": None if pd.isna(r.item) else r.item,
            "amount": r.amount_mvnd, "doc_id": r.doc_id, "line": int(r.line), "original_text": r.original_text,
            "citation": citation(docs[r.doc_id], r.section, [r.line], lang)}


def funding(con, province: dict, year: int | None = None, lang: str = "vi") -> dict:
    f = store.facts(con, "funding", province["code"])
    if year is not None:
        f = f[f["year"] == year]
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    groups = []
    keys = ["unit_code", "year", "kind", "doc_id"]
    for key, g in f.groupby(keys, dropna=False, sort=True):
        whole = g[g["item"].isna()]
        sources = whole[(whole["source"] != "total") & (whole["capital_type"] == "all")]
        computed = float(sources["amount_mvnd"].sum()) if len(sources) >= 2 else None
        # A "total" row is the group's stated total when the group lists its sources (or it has no item);
        # otherwise (a programme item or production model) it is an item.
        is_total = (g["source"] == "total") & (g["capital_type"] == "all") & (g["item"].isna() | bool(computed))
        by_source = []
        for r in sources.itertuples():
            split = whole[(whole["source"] == r.source) & (whole["capital_type"] != "all")]
            by_source.append({**_row(r, docs, lang),
                              "share_pct": round(100 * r.amount_mvnd / computed, 2) if computed else None,
                              "by_capital_type": [_row(s, docs, lang) for s in split.itertuples()]})
        groups.append({
            "unit_code": key[0], "unit": g["unit_name"].iloc[0],
            "year": None if pd.isna(key[1]) else int(key[1]), "kind": key[2], "doc_id": key[3],
            "total_stated": [_row(r, docs, lang) for r in g[is_total].itertuples()],
            "total_computed": computed, "by_source": by_source,
            "items": [_row(r, docs, lang) for r in g[~is_total & g["item"].notna()].itertuples()],
        })
    return {"province": {"code": province["code"], "name": province["name"]}, "year": year, "groups": groups}
