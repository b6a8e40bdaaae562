"""Units through time, from text: unit versions, parent links with validity and old → new changes.

The 2024-09-01 list (`units`, what facts cite) keeps its GSO codes as identities. The crosswalk files
(`data/geo/crosswalk_*.csv`) add the old units of the new provinces that the list does not hold and the changes;
the national list of a later date (`data/geo/units_<year>.csv`) adds the new units, identified `code@date`
because the GSO reuses codes. Built by the loader; checked here so a bad row names its file, row and column.
"""

import csv
from pathlib import Path

from ntm import store
from ntm.errors import Problem
from ntm.names import normalize

REFORM_DATE = "2025-07-01"  # the national arrangement of 2025: districts end, units merge
REFORM_YEAR = int(REFORM_DATE[:4])  # the old units' last year: their status is read by its end
NEW_UNITS = {"geo/units_2025.csv": (REFORM_DATE, "dvhcvn/20250701@dd94887 (MIT) — data/geo/SOURCES.md")}
CROSSWALK_COLUMNS = ["change_date", "legal_basis", "item", "kind", "old_id", "old_code", "old_name", "old_level",
                     "old_district_code", "old_district_name", "old_province_code", "new_id", "new_code",
                     "new_name", "new_level", "extent", "check", "independent", "note"]
TYPES = ("Thành phố", "Tỉnh", "Đặc khu", "Phường", "Xã", "Thị trấn", "Thị xã", "Quận", "Huyện")


def _split_type(full_name: str) -> tuple[str, str]:
    for kind in TYPES:
        if full_name.startswith(kind + " "):
            return kind, full_name[len(kind) + 1:]
    return "", full_name


def _version(unit_id, code, name, kind, level, valid_from, valid_to, in_units, source) -> dict:
    full = f"{kind} {name}".strip()
    return dict(unit_id=unit_id, code=code, name=name, full_name=full, name_norm=normalize(name), level=level,
                type=kind, valid_from=valid_from, valid_to=valid_to, in_units=in_units, source=source)


def build(data_dir: Path, units: list[dict]) -> tuple[dict[str, list[dict]], list[Problem]]:
    """Rows of unit_versions, unit_parents and unit_changes, and the problems found."""
    problems: list[Problem] = []
    versions: dict[str, dict] = {}
    parents: list[dict] = []
    for u in units:  # the 2024-09-01 list: every unit ends with the reform unless it ended before
        end = u["valid_to"] or REFORM_DATE
        versions[u["code"]] = _version(u["code"], u["code"], u["name"], u["type"], u["level"], None, end, True,
                                       u["source"])
        moved = (u.get("status_2025") or "").startswith("moved_to_district:")
        if u["parent_code"]:
            if moved:  # Nông Sơn's communes joined Quế Sơn on 2025-01-01
                new_parent = u["status_2025"].split(":")[1].split()[0]
                parents += [dict(child_id=u["code"], parent_id=u["parent_code"], valid_from=None,
                                 valid_to="2025-01-01", source=u["source"]),
                            dict(child_id=u["code"], parent_id=new_parent, valid_from="2025-01-01", valid_to=end,
                                 source=f"data/geo: status_2025_01_01 {u['status_2025']}")]
            else:
                parents.append(dict(child_id=u["code"], parent_id=u["parent_code"], valid_from=None, valid_to=end,
                                    source=u["source"]))
        if u["level"] == "commune":
            parents.append(dict(child_id=u["code"], parent_id=u["province_code"], valid_from=None, valid_to=end,
                                source=u["source"]))

    for rel, (start, source) in NEW_UNITS.items():
        for r in csv.DictReader((data_dir / rel).open(encoding="utf-8")):
            uid = f"{r['code']}@{start}"
            versions[uid] = _version(uid, r["code"], r["name"], r["type"], r["level"], start, None, False,
                                     f"data/{rel}; {source}")
            if r["level"] != "province":
                parents.append(dict(child_id=uid, parent_id=f"{r['province_code']}@{start}", valid_from=start,
                                    valid_to=None, source=f"data/{rel}"))

    changes = []
    covered = {u["province_code"] for u in units}  # provinces whose own unit list the data holds
    for path in sorted((data_dir / "geo").glob("crosswalk_*.csv")):
        rel = "data/" + str(path.relative_to(data_dir))
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames != CROSSWALK_COLUMNS:
                problems.append(Problem(rel, 1, None, f"tiêu đề cột phải là {','.join(CROSSWALK_COLUMNS)}",
                                        f"header must be {','.join(CROSSWALK_COLUMNS)}"))
                continue
            for row_no, r in enumerate(reader, start=2):
                changes.append(_change(r, rel, row_no, versions, parents, problems, covered))
    problems += [Problem("data/geo", None, col, f"đơn vị cha/con '{p[col]}' không có",
                         f"parent/child unit '{p[col]}' is unknown")
                 for p in parents for col in ("child_id", "parent_id") if p[col] not in versions]
    return {"unit_versions": list(versions.values()), "unit_parents": parents, "unit_changes": changes}, problems


def _change(r: dict, rel: str, row_no: int, versions: dict, parents: list, problems: list,
            covered: set[str]) -> dict:
    """One crosswalk row: the old unit is added when the 2024 list does not hold it (with its district and
    province as the source names them) and ends on the change's date; a new unit `code@date` of the change's
    date is created in the old unit's district and province; any other new unit must already be listed."""
    old, date = r["old_id"], r["change_date"]
    if old not in versions:
        kind, name = _split_type(r["old_name"])
        start = old.split("@")[1] if "@" in old else None
        if start is None and r["old_province_code"] in covered:  # not in the province's own list: when it was
            start = date                                          # valid is unknown, so it is never "as of" a date
        versions[old] = _version(old, r["old_code"], name, kind, r["old_level"], start, date, False, rel)
        for parent, pname, plevel in ((r["old_district_code"], r["old_district_name"], "district"),
                                      (r["old_province_code"], "", "province")):
            if not parent or parent == old:
                continue
            if parent not in versions and plevel == "district":
                pkind, pn = _split_type(pname)
                versions[parent] = _version(parent, parent, pn, pkind, "district", None, date, False, rel)
                parents.append(dict(child_id=parent, parent_id=r["old_province_code"], valid_from=None,
                                    valid_to=date, source=rel))
            parents.append(dict(child_id=old, parent_id=parent, valid_from=start, valid_to=date, source=rel))
    elif versions[old]["valid_to"] is None or versions[old]["valid_to"] > date:  # it ended with this change
        _end(old, date, versions, parents)
    if r["new_id"] not in versions and r["new_id"].endswith(f"@{date}"):  # a unit this change creates
        kind, name = _split_type(r["new_name"])
        versions[r["new_id"]] = _version(r["new_id"], r["new_code"], name, kind, r["new_level"], date, None, False,
                                         rel)
        parents += [dict(child_id=r["new_id"], parent_id=parent, valid_from=date, valid_to=None, source=rel)
                    for parent in (r["old_district_code"], r["old_province_code"]) if parent]
    if r["new_id"] not in versions:
        problems.append(Problem(rel, row_no, "new_id", f"đơn vị mới '{r['new_id']}' không có trong danh sách",
                                f"new unit '{r['new_id']}' is not in the national list"))
    return dict(change_date=date, legal_basis=r["legal_basis"], item=r["item"] or None, kind=r["kind"],
                old_id=old, new_id=r["new_id"], extent=r["extent"], checked=r["check"],
                independent=r["independent"] or None, source=rel, note=r["note"] or None)


def _end(unit_id: str, date: str, versions: dict, parents: list) -> None:
    """Close a unit version (and its parent links that ran to its old end) on the date a change ended it."""
    before = versions[unit_id]["valid_to"]
    versions[unit_id]["valid_to"] = date
    for p in parents:
        if p["child_id"] == unit_id and p["valid_to"] == before:
            p["valid_to"] = date


def check_assignments(con, data_dir: Path) -> list[Problem]:
    """A commune group assigned to a unit that no unit list holds is reported with its row."""
    known = set(store.unit_version_ids(con))
    rel = "data/rules/commune_category_assignments.csv"
    with (data_dir / "rules" / "commune_category_assignments.csv").open(encoding="utf-8") as fh:
        return [Problem(rel, row_no, "unit_id", f"đơn vị '{r['unit_id']}' không có trong danh mục",
                        f"unit '{r['unit_id']}' is not known")
                for row_no, r in enumerate(csv.DictReader(fh), start=2) if r["unit_id"] not in known]
