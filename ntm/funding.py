"""Funding as the documents state it: the mix by source and capital type, the stated total beside the computed
sum, plan or need beside what was mobilised, and disbursement — stated and computed side by side.

Amounts are million VND. A "group" is one unit, year and kind (planned, mobilized, …) in one document: the
way a report lists its sources under a total. Shares are of the computed sum of the sources, so they add up
to 100 % even where the document's own total does not (that contradiction is a quality finding).
"""

from typing import TypedDict

import numpy as np
import pandas as pd

from ntm import store
from ntm.sources import citation
from ntm.unit import Unit, UnitRef

STATE_BUDGET = ("central_budget", "local_budget", "provincial_budget", "district_budget")
OTHER_MOBILIZED = ("credit", "enterprise", "community", "other")  # "integrated" is counted apart: other programmes


def _none(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _row(r: dict, docs, lang) -> dict:
    return {"source": r["source"], "capital_type": r["capital_type"], "item": _none(r["item"]),
            "amount": r["amount_mvnd"], "doc_id": r["doc_id"], "line": int(r["line"]),
            "original_text": r["original_text"],
            "citation": citation(docs[r["doc_id"]], r["section"], [r["line"]], lang)}


def _sum(rows: list[dict]) -> float:
    """The amounts of some rows summed as pandas sums a column (NaN skipped, numpy's pairwise order)."""
    return float(np.nansum(np.array([r["amount_mvnd"] for r in rows], dtype=float)))


def _group(g: list[dict], docs, lang) -> dict:
    """One group from its rows as records: a handful of rows, every one shown (a frame operation per filter would
    cost more than the rows)."""
    whole = [r for r in g if _none(r["item"]) is None]
    sources = [r for r in whole if r["source"] != "total" and r["capital_type"] == "all"]
    computed = _sum(sources) if len(sources) >= 2 else None
    # A "total" row is the group's stated total when the group lists its sources (or it has no item);
    # otherwise (a programme item, a production model) it is an item.
    is_total = [r["source"] == "total" and r["capital_type"] == "all" and (_none(r["item"]) is None or bool(computed))
                for r in g]
    by_source = []
    for r in sources:
        split = [s for s in whole if s["source"] == r["source"] and s["capital_type"] != "all"]
        by_source.append({**_row(r, docs, lang),
                          "share_pct": round(100 * r["amount_mvnd"] / computed, 2) if computed else None,
                          "by_capital_type": [_row(s, docs, lang) for s in split],
                          "split_sum": _sum(split) if len(split) >= 2 else None})
    # the stated total's own split (Khánh Hòa's need: 131.550 recurrent + 1.358.317 investment, 003 l.211-214):
    # every source × capital type × kind row stays, with its sum beside the stated figure
    split = [r for r in whole if r["source"] == "total" and r["capital_type"] != "all"]
    first = g[0]
    state = sum(b["amount"] for b in by_source if b["source"] in STATE_BUDGET)
    other = sum(b["amount"] for b in by_source if b["source"] in OTHER_MOBILIZED)
    integrated = sum(b["amount"] for b in by_source if b["source"] == "integrated")
    return {
        "unit_code": first["unit_code"], "unit": first["unit_name"],
        "year": None if pd.isna(first["year"]) else int(first["year"]), "kind": first["kind"],
        "doc_id": first["doc_id"],
        "total_stated": [_row(r, docs, lang) for r, total in zip(g, is_total, strict=True) if total],
        "total_computed": computed, "by_source": by_source,
        "total_split": [_row(r, docs, lang) for r in split],
        "total_split_sum": _sum(split) if len(split) >= 2 else None,
        "state_budget": state if computed else None, "integrated": integrated if computed else None,
        "other_mobilized": other if computed else None,
        "items": [_row(r, docs, lang) for r, total in zip(g, is_total, strict=True)
                  if not total and _none(r["item"]) is not None],
    }


def _disbursement(con, province: str, f: pd.DataFrame, year: int | None, docs, lang) -> list[dict]:
    """Disbursement rates: the stated rate (overall, by capital type or by item) beside the rate computed from
    the allocated and disbursed amounts of the same item, where both exist."""
    stated = store.facts(con, "reported_aggregates", province)
    stated = stated[(stated["measure"] == "disbursement_rate") & ((stated["year"] == year) if year else True)]
    out = {}
    for r in stated.to_dict("records"):
        key = (r["unit_code"], _none(r["year"]), r["category"])
        out[key] = {"unit_code": r["unit_code"], "unit": r["unit_name"], "year": _none(r["year"]),
                    "item": r["category"], "stated_pct": r["value"], "computed_pct": None, "allocated": None,
                    "disbursed": None, "sources": [_row_src(r, docs, lang)]}
    items = f[f["item"].notna() & f["kind"].isin(["allocated", "disbursed"])]
    for (unit, yr, item), g in items.groupby(["unit_code", "year", "item"], dropna=False):
        amounts = dict(zip(g["kind"], g["amount_mvnd"], strict=True))
        key = (unit, _none(yr), item)
        entry = out.setdefault(key, {"unit_code": unit, "unit": g["unit_name"].iloc[0], "year": _none(yr),
                                     "item": item, "stated_pct": None, "sources": []})
        entry["allocated"], entry["disbursed"] = amounts.get("allocated"), amounts.get("disbursed")
        entry["computed_pct"] = round(100 * entry["disbursed"] / entry["allocated"], 2) \
            if entry["allocated"] and entry["disbursed"] is not None else None
        entry["sources"] += [_row_src(r, docs, lang) for r in g.to_dict("records")]
    # the items of one source together (Trà Cú's five production models: 2.333 / 3.547 = 65,8 %), computed from the
    # items that give both amounts, beside the items
    for (unit, yr, source), g in items.groupby(["unit_code", "year", "source"], dropna=False):
        both = g.groupby("item").filter(lambda x: set(x["kind"]) >= {"allocated", "disbursed"})
        if both["item"].nunique() < 2:
            continue
        allocated = float(both.loc[both["kind"] == "allocated", "amount_mvnd"].sum())
        disbursed = float(both.loc[both["kind"] == "disbursed", "amount_mvnd"].sum())
        out[(unit, _none(yr), f"items_total:{source}")] = {
            "unit_code": unit, "unit": g["unit_name"].iloc[0], "year": _none(yr), "item": "items_total",
            "source": source, "n_items": int(both["item"].nunique()), "stated_pct": None,
            "allocated": allocated, "disbursed": disbursed,
            "computed_pct": round(100 * disbursed / allocated, 2) if allocated else None,
            "sources": [_row_src(r, docs, lang) for r in both.to_dict("records")]}
    out = {k: e for k, e in out.items() if e["stated_pct"] is not None or e.get("computed_pct") is not None}
    for e in out.values():
        e["year"] = int(e["year"]) if e["year"] is not None else None
        e["agree"] = None if e["stated_pct"] is None or e["computed_pct"] is None else \
            abs(e["stated_pct"] - e["computed_pct"]) < 0.5
    return sorted(out.values(), key=lambda e: (e["unit_code"], e["year"] or 0, e["item"] == "items_total",
                                               str(e["item"])))


def _row_src(r: dict, docs, lang) -> dict:
    return {"doc_id": r["doc_id"], "line": int(r["line"]), "original_text": r["original_text"],
            "citation": citation(docs[r["doc_id"]], r["section"], [r["line"]], lang)}


class PlanRow(TypedDict):
    """A planned (or needed) amount beside what was mobilized for the same unit and year."""

    unit_code: str
    year: int | None
    kind: str
    amount: float
    mobilized: float | None


class Funding(TypedDict):
    """`funding`: groups of stated amounts with their computed sums, by source, disbursement, plan vs mobilized."""

    province: UnitRef
    year: int | None
    groups: list[dict]
    by_source: list[dict]
    disbursement: list[dict]
    plan_vs_mobilized: list[PlanRow]


def funding(con, province: Unit, year: int | None = None, lang: str = "vi") -> Funding:
    f = store.facts(con, "funding", province.code)
    if year is not None:
        f = f[f["year"] == year]
    docs = {d["doc_id"]: d for d in store.documents(con).to_dict("records")}
    number = f.groupby(["unit_code", "year", "kind", "doc_id"], dropna=False, sort=True).ngroup()
    rows: dict[int, list[dict]] = {}
    for n, r in zip(number, f.to_dict("records"), strict=True):  # the province's rows, each one shown
        rows.setdefault(n, []).append(r)
    groups = [_group(rows[n], docs, lang) for n in sorted(rows)]
    plan_vs_mobilized: list[PlanRow] = []
    for unit in sorted({g["unit_code"] for g in groups}):
        by_kind = {}
        for g in (g for g in groups if g["unit_code"] == unit):
            total = g["total_computed"] if g["total_computed"] is not None else (
                g["total_stated"][0]["amount"] if g["total_stated"] else g["total_split_sum"])
            if total is not None:
                by_kind.setdefault((g["year"], g["kind"]), total)
        for (yr, kind), total in sorted(by_kind.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1])):
            if kind in ("planned", "need"):
                plan_vs_mobilized.append({"unit_code": unit, "year": yr, "kind": kind, "amount": total,
                                          "mobilized": by_kind.get((yr, "mobilized"))})
    return {"province": province.ref(), "year": year, "groups": groups,
            "by_source": [{**b, "unit": g["unit"], "year": g["year"], "kind": g["kind"],
                           "total_stated": [t["amount"] for t in g["total_stated"]],
                           "total_computed": g["total_computed"]} for g in groups for b in g["by_source"]],
            "disbursement": _disbursement(con, province.code, f, year, docs, lang),
            "plan_vs_mobilized": plan_vs_mobilized}
