"""One administrative unit, the same type everywhere: what `ntm.units`/`ntm.timeline` resolve a typed name to,
what the sidebar and the CLI hand to the domain functions and what results cite as {"code", "name"}.

Frozen, so it hashes (Streamlit's cache and `ntm.resultcache` key results by it) and nobody changes a unit on its
way through the layers. Built from a row of the database (`from_record`), never from user text directly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypedDict, cast

Level = Literal["province", "district", "commune"]
LEVELS: tuple[Level, ...] = ("province", "district", "commune")


class UnitRef(TypedDict):
    """How a result names the unit it is about."""

    code: str
    name: str


@dataclass(frozen=True)
class Unit:
    """A unit version: `code` is its GSO code, `unit_id` its identity through time (the code itself for the
    2024-09-01 list, `code@date` for a unit a later change made, since the GSO reuses codes). Validity is
    [valid_from, valid_to) as ISO dates, None = open. `parts` are the old provinces a province made by the 2025
    reform holds; `in_units` says whether the 2024 list (what facts cite) holds the unit."""

    code: str
    name: str
    level: Level = "province"
    unit_id: str = ""
    parent_code: str | None = None
    province_code: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    in_units: bool = True
    parts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown level {self.level!r}")
        if not self.unit_id:
            object.__setattr__(self, "unit_id", self.code)
        if self.province_code is None and self.level == "province":
            object.__setattr__(self, "province_code", self.code)

    @property
    def merged(self) -> bool:
        """A province made by the 2025 reform out of old provinces."""
        return bool(self.parts)

    def ref(self) -> UnitRef:
        """How a result names the unit it is about (JSON-ready)."""
        return {"code": self.code, "name": self.name}

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> Unit:
        """A row of `store.units`/`store.provinces`/`store.province_versions` (or its dict) as a Unit."""
        level = str(record.get("level") or "province")
        if level not in LEVELS:
            raise ValueError(f"unknown level {level!r}")
        in_units = record.get("in_units")
        return cls(code=str(record["code"]), name=str(record["name"]), level=level,
                   unit_id=_text(record.get("unit_id")) or "", parent_code=_text(record.get("parent_code")),
                   province_code=_text(record.get("province_code")), valid_from=_day(record.get("valid_from")),
                   valid_to=_day(record.get("valid_to")), in_units=True if _missing(in_units) else bool(in_units),
                   parts=_codes(record.get("parts")))


def _missing(value: object) -> bool:
    """None, NaN or NaT (pandas' missing values compare unequal to themselves); a list is never missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    try:
        return bool(value != value)
    except (TypeError, ValueError):  # an array compares element-wise
        return False


def _text(value: object) -> str | None:
    return None if _missing(value) else str(value)


def _day(value: object) -> str | None:
    """A DATE cell (date, Timestamp or text) as 'YYYY-MM-DD'."""
    if _missing(value):
        return None
    return value.isoformat()[:10] if isinstance(value, date) else str(value)[:10]


def _codes(value: object) -> tuple[str, ...]:
    """A DuckDB list cell (list, array or NULL) as a tuple of codes."""
    if value is None or isinstance(value, str | bytes) or not hasattr(value, "__iter__"):
        return ()
    return tuple(str(v) for v in cast("list[object]", value))
