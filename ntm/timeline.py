"""Units through time: which units apply on a date, what an old unit became and what a new unit was made of.

A province is named as a person types it ("Khánh Hòa", "khanh hoa", "56"); a date decides which one is meant
(old Khánh Hòa until 2025-07-01, the merged one after). Old figures roll up to a new unit only where every
component is whole: a unit made of parts of old units says so and never receives an apportioned figure.
"""

from datetime import date

import pandas as pd

from ntm import store
from ntm.names import normalize, strip_prefix
from ntm.unit import Unit
from ntm.unit_history import REFORM_YEAR
from ntm.units import UnknownUnit

USED = ("resolution_text", "manual", "corrected", "unconfirmed")  # `contradicted` rows are kept, never used
STRENGTH = {"unconfirmed": 0, "corrected": 1, "manual": 2, "resolution_text": 3}
LEVEL_RANK = {"xa_ntm": 1, "xa_nang_cao": 2, "xa_kieu_mau": 3}


def as_of_date(text: str | int | date | None) -> str | None:
    """'2026-01-01' or a year ('2023' = the end of that year) as an ISO date; None stays None."""
    if text is None or text == "":
        return None
    if isinstance(text, date):
        return text.isoformat()
    text = str(text).strip()
    if text.isdigit() and len(text) == 4:
        return f"{text}-12-31"
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise UnknownUnit(f"Ngày '{text}' không hợp lệ (YYYY-MM-DD hoặc năm) / "
                          f"date '{text}' is not valid (YYYY-MM-DD or a year)") from exc


def as_of_year(text: str | int | None) -> int | None:
    day = as_of_date(text)
    return int(day[:4]) if day else None


def resolve_province(con, text: str, as_of: str) -> Unit:
    """The province a name, GSO code or unit id means on a date, with the old provinces it holds (`parts`)."""
    versions = store.province_versions(con)
    wanted = str(text).strip()
    exact = versions[versions["unit_id"] == wanted]
    if exact.empty:
        valid = versions[(versions["valid_from"].isna() | (versions["valid_from"].astype(str) <= as_of))
                         & (versions["valid_to"].isna() | (versions["valid_to"].astype(str) > as_of))]
        key = wanted.zfill(2) if wanted.isdigit() else None
        exact = valid[valid["code"] == key] if key else valid[valid["name_norm"] == strip_prefix(normalize(wanted))]
    if exact.empty:
        raise UnknownUnit(f"Không có tỉnh '{text}' vào ngày {as_of} / no province '{text}' on {as_of}")
    return Unit.from_record(exact.iloc[0].to_dict())


def _listed(value) -> list:
    """A DuckDB list cell as a Python list (NULL -> [])."""
    return list(value) if hasattr(value, "__len__") and not isinstance(value, str) else []


def new_provinces_with_parts(con) -> list[Unit]:
    """Provinces made by a reform that the crosswalk describes, with the old provinces they hold."""
    frame = store.province_versions(con)
    frame = frame[frame["valid_from"].notna() & frame["parts"].map(lambda p: len(_listed(p)) > 0)]
    return [resolve_province(con, uid, str(vf)[:10]) for uid, vf in zip(frame["unit_id"], frame["valid_from"],
                                                                         strict=True)]


def components(con, new_ids: list[str], by_year: int = REFORM_YEAR) -> pd.DataFrame:
    """Old components of new units (contradicted rows left out) with the highest level each is recorded to have
    reached by `by_year` (only units of the 2024 list carry facts). Earlier changes are followed back: a component
    created by an earlier merger is replaced by the units it was made of, and units an old unit absorbed are
    added; `via` names the intermediate unit and the earlier date."""
    frame = store.unit_changes(con, new_ids=new_ids)
    frame = frame[frame["checked"].isin(USED)].reset_index(drop=True).assign(via=None)
    expanded: set[str] = set()
    for _ in range(3):  # the data hold two steps (2024-11 / 2025-01, then 2025-07)
        ids = sorted(set(frame["old_id"]) - expanded)
        expanded |= set(ids)
        earlier = store.unit_changes(con, new_ids=ids)
        earlier = earlier[earlier["checked"].isin(USED) & (earlier["change_date"] < frame["change_date"].max())]
        if earlier.empty:
            break
        outer = frame[["old_id", "old_name", "new_id", "new_code", "new_name", "new_level", "change_date",
                       "extent"]].rename(columns={"old_id": "via_id", "old_name": "via_name", "change_date": "date",
                                                  "extent": "outer_extent"})
        deeper = earlier.rename(columns={"new_id": "via_id"}).drop(columns=["new_code", "new_name", "new_level"])
        deeper = deeper.merge(outer, on="via_id")
        deeper = deeper[deeper["old_id"] != deeper["via_id"]]
        deeper["extent"] = deeper["extent"].where(deeper["outer_extent"] == "whole", "part")
        deeper["via"] = deeper["via_name"] + " (" + deeper["change_date"].astype(str).str[:10] + ")"
        deeper["legal_basis"] = deeper["legal_basis"] + "; " + frame.set_index("old_id").loc[
            deeper["via_id"], "legal_basis"].to_numpy()
        created = frame["old_id"].isin(deeper["via_id"]) & ~frame["old_in_units"]  # replaced by its makers
        frame = pd.concat([frame[~created], deeper[frame.columns]], ignore_index=True)
        frame["change_date"] = frame["change_date"].max()
    recs = store.last_recognitions(con, sorted(frame.loc[frame["old_in_units"], "old_id"]), by_year)
    recs = recs.rename(columns={"unit_code": "old_id", "level": "last_level", "year": "last_year"})
    return frame.merge(recs, on="old_id", how="left")


def new_unit_summary(con, new_ids: list[str], by_year: int = REFORM_YEAR) -> pd.DataFrame:
    """Per new unit: its components ("a (whole); b (part)"), whether all are whole, how many old xã (of the 2024
    list) it holds and how many of its old units are recorded NTM by `by_year`. `ntm_rolled_up` only where every
    component is whole and carries facts: a unit with a part never gets a rolled-up figure. A commune without
    a recorded recognition is unknown, not "not NTM"."""
    comp = components(con, new_ids, by_year)
    comp["label"] = comp["old_name"] + " (" + comp["old_province"].fillna("") + ", " + comp["extent"] + ")"
    comp["ntm"] = comp["last_level"].notna()
    comp["xa_with_facts"] = comp["old_in_units"] & (comp["old_type"] == "Xã")
    out = comp.groupby("new_id").agg(
        components=("label", "; ".join), n_components=("old_id", "count"),
        all_whole=("extent", lambda e: bool((e == "whole").all())),
        n_with_facts=("old_in_units", "sum"), n_xa=("xa_with_facts", "sum"), n_ntm=("ntm", "sum"),
        checks=("checked", lambda c: ", ".join(sorted(set(c))))).reset_index()
    out["ntm_rolled_up"] = out["n_ntm"].where(out["all_whole"] & (out["n_with_facts"] == out["n_components"]))
    return out


def units_with_components(con, province: Unit, as_of: str, level: str | None = None, by_year: int = REFORM_YEAR
                          ) -> pd.DataFrame:
    """The province's units on `as_of`, each new unit with its old components and their last status."""
    units = store.units_as_of(con, province.unit_id, as_of, level)
    summary = new_unit_summary(con, list(units["unit_id"]), by_year)
    return units.merge(summary, left_on="unit_id", right_on="new_id", how="left").drop(columns="new_id")


def crosswalk(con, province: Unit, from_date: str = "2025-06-30", to_date: str = "2025-07-01") -> pd.DataFrame:
    """Old unit → new unit between two dates, whole or part, with the legal basis and the check: the changes
    dated after `from_date` and up to `to_date`, chained; units without a change carry over as themselves."""
    start = store.units_as_of(con, province.unit_id, from_date) if province.valid_to is None or \
        province.valid_to > from_date else pd.DataFrame()
    if start.empty:  # a province that did not exist yet on from_date: start from its parts
        parts = [resolve_province(con, p, from_date) for p in province.parts]
        start = pd.concat([store.units_as_of(con, p.unit_id, from_date) for p in parts], ignore_index=True)
    changes = store.unit_changes(con)
    changes = changes[changes["checked"].isin(USED) & (changes["change_date"].astype(str) > from_date)
                      & (changes["change_date"].astype(str) <= to_date)]
    provinces = [province.unit_id] if province.in_units or not province.valid_from else []
    provinces += [p for p in province.parts if not provinces]
    start = pd.concat([store.unit_versions(con, provinces), start], ignore_index=True)
    ends = dict(zip(start["unit_id"], start["valid_to"].astype(str).str[:10], strict=True))
    start = start[(start["level"] != "district") | start["unit_id"].isin(changes["old_id"])]
    cur = start[["unit_id", "full_name"]].rename(
        columns={"unit_id": "old_id", "full_name": "old_name"}).assign(now_id=lambda f: f["old_id"],
                                                                      extent="whole", legal_basis="", checked="")
    for day in sorted(changes["change_date"].astype(str).unique()):
        step = changes[changes["change_date"].astype(str) == day][
            ["old_id", "new_id", "extent", "legal_basis", "item", "checked"]].rename(columns={"old_id": "now_id"})
        moved = cur.merge(step, on="now_id", how="left", suffixes=("", "_step"))
        changed = moved["new_id"].notna()
        moved.loc[changed, "now_id"] = moved.loc[changed, "new_id"]
        moved.loc[changed & (moved["extent_step"] == "part"), "extent"] = "part"
        basis = moved["legal_basis_step"] + (" khoản " + moved["item"]).fillna("")
        moved.loc[changed, "legal_basis"] = (moved["legal_basis"].where(moved["legal_basis"] == "", moved[
            "legal_basis"] + "; ") + basis)[changed]
        weakest = pd.concat([moved["checked"].map(STRENGTH), moved["checked_step"].map(STRENGTH)], axis=1).min(axis=1)
        moved.loc[changed, "checked"] = weakest[changed].map({v: k for k, v in STRENGTH.items()})  # a chain is as
        # sure as its weakest step
        cur = moved[["old_id", "old_name", "now_id", "extent", "legal_basis", "checked"]]
    names = changes[["new_id", "new_name"]].drop_duplicates().rename(columns={"new_id": "now_id"})
    out = cur.merge(names, on="now_id", how="left")
    ended = out["new_name"].isna() & (out["now_id"].map(ends).fillna("NaT") <= to_date)
    out["new_name"] = out["new_name"].fillna(out["old_name"])
    out.loc[ended, ["now_id", "new_name", "extent"]] = None  # ended without a recorded successor
    out.loc[ended, "checked"] = "no_successor_recorded"
    old = store.unit_changes(con, old_ids=list(out["old_id"].unique()))[["old_id", "old_district", "old_province",
                                                                       "independent", "source"]]
    old = old.drop_duplicates("old_id")
    out = out.merge(old, on="old_id", how="left").rename(columns={"now_id": "new_id"})
    return out[["old_id", "old_name", "old_district", "old_province", "new_id", "new_name", "extent",
                "legal_basis", "checked", "independent", "source"]].sort_values(["new_id", "old_id"],
                                                                                ignore_index=True)
