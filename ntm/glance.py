"""The headline a leader reads first: per level, communes at the level against the target in communes ("65 of
74, 9 still to go"), and the districts ranked by what they still lack.

Every figure comes from `progress` / `roadmap_view`: the actual count is the last actual point of the trajectory
up to the as-of year (a stated stock counts as a point), else the stock a document states; the target is the
count a document states, else its share of the programme's communes, rounded up to whole communes (80 % of 92 =
73,6 -> 74), said as computed. Nothing is estimated: an unknown count leaves the gap unknown.
"""

import math

from ntm import period, roadmap, store
from ntm.progress import progress, roadmap_view

STATUS_ORDER = ("off_track", "at_risk", "on_track", "achieved", "ambiguous", "no_data")


def _actual(view: dict, as_of: int, rows: list[dict]) -> dict | None:
    points = [y for y in view["years"] if y["kind"] == "actual" and y["year"] is not None and y["year"] <= as_of
              and y["cumulative"] is not None]
    if points:
        last = points[-1]
        return {"count": int(last["cumulative"]), "year": last["year"], "basis": last.get("basis") or "series",
                "sources": [s["citation"] for s in view["sources"]][:1]}
    stocks = [r["stock"] for r in rows if r.get("stock")]
    if stocks:
        s = stocks[0]
        return {"count": int(s["value"]), "year": s["year"], "basis": "stock", "sources": [s["citation"]]}
    return None


def _target(rows: list[dict], level: str, programme: int | None) -> dict | None:
    count = [r for r in rows if r["indicator"] == f"communes_{level}"]
    share = [r for r in rows if r["indicator"] == f"communes_{level}_share"]
    if count:
        r = count[0]
        return {"count": int(r["target"]), "share": share[0]["target"] if share else None, "computed": False,
                "sources": list(dict.fromkeys(s["citation"] for x in count + share for s in x["sources"]))}
    if share and programme:
        r = share[0]
        return {"count": math.ceil(round(r["target"] * programme / 100, 6)), "share": r["target"], "computed": True,
                "programme": programme,
                "sources": list(dict.fromkeys(s["citation"] for x in share for s in x["sources"]))}
    return None


def _status(rows: list[dict]) -> str:
    """One status per level: the count target's when it is evaluable, else the share's, else not evaluable."""
    judged = [r["status"] for r in sorted(rows, key=lambda r: not r["indicator"].endswith(("_ntm", "_cao", "_mau")))
              if r["status"] not in ("no_data", "ambiguous")]
    return judged[0] if judged else "no_data"


def headline(con, province: dict, as_of: int, target_year: int | None = None, lang: str = "vi") -> dict:
    """Per level: actual, target, what is still needed and a status; the districts ranked by their gap. The target
    year is the period's (of `as_of`) unless given."""
    target_year = target_year or period.target_year(con, as_of)
    result = progress(con, province, target_year, as_of, None, lang)
    code = province["code"]
    levels = []
    for level in roadmap.LEVELS:
        view = roadmap_view(con, province, level, None, as_of, lang)
        rows = [r for r in result["targets"] if r["unit_code"] == code and r["category"] is None
                and r["indicator"] in (f"communes_{level}", f"communes_{level}_share")]
        actual = _actual(view, as_of, rows)
        target = _target(rows, level, view["programme_communes"])
        remaining = max(target["count"] - actual["count"], 0) if actual and target else None
        levels.append({"level": level, "actual": actual, "target": target, "remaining": remaining,
                       "programme_communes": view["programme_communes"],
                       "status": _status(rows) if rows else "no_data", "view": view})
    return {"province": {"code": code, "name": province["name"]}, "as_of": as_of, "target_year": target_year,
            "levels": levels, "districts": districts(result, code), "progress": result}


def districts(result: dict, province_code: str, level: str = "ntm") -> list[dict]:
    """The districts' own targets for the level, ranked: the largest gap in communes first, then the lowest
    share of the target reached; unknown actuals last."""
    rows = [r for r in result["targets"] if r["unit_code"] != province_code and r["indicator"] == f"communes_{level}"
            and r["category"] is None]
    out = [{"code": r["unit_code"], "name": r["unit"], "target": int(r["target"]),
            "actual": None if r["actual"] is None else int(r["actual"]),
            "gap": None if r["actual"] is None else max(int(r["target"] - r["actual"]), 0),
            "achieved_pct": r["achieved_pct"], "status": r["status"], "judged_at": r["judged_at"],
            "source": r["sources"][0]["citation"]} for r in rows]
    return sorted(out, key=lambda d: (d["gap"] is None, -(d["gap"] or 0), d["achieved_pct"] or 0, d["name"]))


def target_years(con, province: dict) -> list[int]:
    """The years the documents set targets for in this province (2024, 2025, and 2026-2030 once stated)."""
    years = store.facts(con, "targets", province["code"])["target_year"].dropna().astype(int)
    return sorted(set(years))


def merged_targets(rows: list[dict]) -> list[dict]:
    """One row per unit, indicator, category and target value: the same target stated in two places of the
    documents (a section and an annex) is one target with both citations."""
    out: dict[tuple, dict] = {}
    for r in rows:
        key = (r["unit_code"], r["indicator"], r["category"], r["target"], r["target_range_max"])
        if key in out:
            known = {s["citation"] for s in out[key]["sources"]}
            out[key]["sources"] += [s for s in r["sources"] if s["citation"] not in known]
        else:
            out[key] = {**r, "sources": list(r["sources"])}
    return list(out.values())
