"""The headline a leader reads first: per level, communes at the level against the target in communes ("65 of
74, 9 still to go"), and the districts ranked by what they still lack.

Every figure comes from `progress` / `roadmap_view`: the actual count is the last actual point of the trajectory
up to the as-of year (a stated stock counts as a point), else the stock a document states; the target is the
count a document states, else its share of the programme's communes, rounded up to whole communes (80 % of 92 =
73,6 -> 74), said as computed. Nothing is estimated: an unknown count leaves the gap unknown.
"""

import math
from typing import TypedDict

from ntm import fmt, period, roadmap, store
from ntm.i18n import t
from ntm.progress import Progress, RoadmapView, progress, roadmap_view
from ntm.unit import Unit, UnitRef

STATUS_ORDER = ("off_track", "at_risk", "on_track", "achieved", "ambiguous", "no_data")


def _actual(view: RoadmapView, as_of: int, rows: list[dict]) -> dict | None:
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


class LevelGlance(TypedDict):
    """One recognition level at a glance: reached, targeted, still needed, and its status."""

    level: str
    actual: dict | None
    target: dict | None
    remaining: float | None
    programme_communes: int | None
    status: str
    view: RoadmapView


class Headline(TypedDict):
    """`headline`: where the province stands against its targets, and the districts ranked by their gap."""

    province: UnitRef
    as_of: int
    target_year: int
    levels: list[LevelGlance]
    districts: list[dict]
    progress: Progress


def headline(con, province: Unit, as_of: int, target_year: int | None = None, lang: str = "vi") -> Headline:
    """Per level: actual, target, what is still needed and a status; the districts ranked by their gap. The target
    year is the period's (of `as_of`) unless given."""
    target_year = target_year or period.target_year(con, as_of)
    result = progress(con, province, target_year, as_of, None, lang)
    code = province.code
    levels: list[LevelGlance] = []
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
    return {"province": province.ref(), "as_of": as_of, "target_year": target_year,
            "levels": levels, "districts": districts(result, code), "progress": result}


def districts(result: Progress, province_code: str, level: str = "ntm") -> list[dict]:
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


def target_years(con, province: Unit) -> list[int]:
    """The years the documents set targets for in this province (2024, 2025, and 2026-2030 once stated)."""
    years = store.facts(con, "targets", province.code)["target_year"].dropna().astype(int)
    return sorted(set(years))


def merged_targets(rows: list[dict]) -> list[dict]:
    """One row per unit, indicator, category and target value: the same target stated in two places of the
    documents (a section and an annex) is one target with both citations."""
    out: dict[tuple, dict] = {}
    for r in rows:
        key = (r["unit_code"], r["indicator"], r["category"], r.get("set_code"), r["target"], r["target_range_max"])
        if key in out:
            known = {s["citation"] for s in out[key]["sources"]}
            out[key]["sources"] += [s for s in r["sources"] if s["citation"] not in known]
        else:
            out[key] = {**r, "sources": list(r["sources"])}
    return list(out.values())


def _agree(count: dict, share: dict) -> bool | None:
    """Whether a count target and a share target of the same level say the same (37 xã = 40 % of 92, "at least
    10 %" of 92 = 10 xã); None when the programme's communes are unknown."""
    total = count.get("base_total") or share.get("base_total")
    if not total:
        return None
    return abs(100 * count["target"] / total - share["target"]) < 0.5 or \
        count["target"] == math.ceil(round(share["target"] * total / 100, 6))


def planner_rows(rows: list[dict]) -> list[dict]:
    """One row per unit and target, with one status: the same target stated in two places is one row with both
    citations, and a count target beside the share target of the same level ("37 xã" and "40 %") is one row with
    both figures. When the two disagree (Cam Lâm: 7/12 xã in the plan's section I.2.a, 33,3 % = 4/12 in its
    annex) the row keeps the count's status and says so in `differs`; sorted by status, most urgent first."""
    groups: dict[tuple, list[dict]] = {}
    for r in merged_targets(rows):
        key = (r["unit_code"], r["indicator"].removesuffix("_share"), r["category"], r.get("set_code"))
        groups.setdefault(key, []).append(r)
    out = []
    for group in groups.values():
        counts = [r for r in group if not r["indicator"].endswith("_share")]
        shares = [r for r in group if r["indicator"].endswith("_share")]
        if len(counts) != 1 or len(shares) != 1:
            out += [{**r, "target_share": None, "actual_share": None, "differs": None} for r in group]
            continue
        count, share = counts[0], shares[0]
        agree = _agree(count, share)
        lead, other = (count, share) if count["status"] not in ("no_data", "ambiguous") or \
            share["status"] in ("no_data", "ambiguous") else (share, count)
        out.append({**count, "status": lead["status"], "target_share": share["target"],
                    "actual_share": share["actual"], "differs": None if agree is not False else {
                        "share": share["target"], "total": count["base_total"] or share["base_total"],
                        "share_sources": share["sources"], "count_sources": count["sources"],
                        "status_by": "count" if lead is count else "share", "other_status": other["status"]},
                    "sources": count["sources"] + [s for s in share["sources"] if s not in count["sources"]]})
    order = {s: i for i, s in enumerate(STATUS_ORDER)}
    return sorted(out, key=lambda r: (order[r["status"]], r["unit"], r["indicator_name"]))


def _refs(sources: list[dict]) -> str:
    return ", ".join(f"{s['doc_id']}:{s['line']}" for s in sources)


def differs_text(differs: dict, count: float, lang: str) -> str:
    """Why a count target and a share target of one row disagree, with both places and both statuses."""
    other = "share" if differs["status_by"] == "count" else "count"
    return t("target_differs", lang, share=fmt.number(differs["share"], None, lang),
             share_source=_refs(differs["share_sources"]), total=differs["total"],
             equivalent=math.ceil(round(differs["share"] * differs["total"] / 100, 6)),
             count=fmt.number(count, None, lang), count_source=_refs(differs["count_sources"]),
             by=t(f"by_{differs['status_by']}", lang), other_by=t(f"by_{other}", lang),
             other_status=t(f"status_{differs['other_status']}", lang))
