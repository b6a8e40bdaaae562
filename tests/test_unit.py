"""The one typed unit: what a typed name resolves to, how it travels (hashable, frozen, picklable) and how results
and cache keys see it."""

import dataclasses
import pickle

import pytest

from ntm import resultcache, store, timeline
from ntm.unit import Unit
from ntm.units import resolve_province


def test_a_province_of_the_2024_list_is_a_unit(con):
    khanh_hoa = resolve_province(con, "khanh hoa")
    assert (khanh_hoa.code, khanh_hoa.name, khanh_hoa.level) == ("56", "Khánh Hòa", "province")
    assert (khanh_hoa.unit_id, khanh_hoa.province_code, khanh_hoa.parts, khanh_hoa.in_units) == ("56", "56", (), True)
    assert khanh_hoa.ref() == {"code": "56", "name": "Khánh Hòa"}  # how every result names it
    assert not khanh_hoa.merged
    assert [p.code for p in store.province_units(con)] == sorted(store.provinces(con)["code"])


def test_a_provinces_districts_and_communes_are_units(con):
    districts = store.unit_list(con, "district", "84")
    assert [d.name for d in districts][:2] == ["Trà Vinh", "Càng Long"] and len(districts) == 9
    assert {(d.level, d.parent_code, d.province_code) for d in districts} == {("district", "84", "84")}
    tra_cu = next(d for d in districts if d.code == "849")
    assert tra_cu.ref() == {"code": "849", "name": "Trà Cú"}
    communes = store.unit_list(con, "commune", "84")
    assert {c.level for c in communes} == {"commune"}
    assert {c.parent_code for c in communes} == {d.code for d in districts}


def test_a_merged_province_holds_its_old_provinces(con):
    merged = timeline.resolve_province(con, "Khánh Hòa", "2025-07-01")
    assert (merged.code, merged.unit_id, merged.valid_from, merged.valid_to) == ("56", "56@2025-07-01", "2025-07-01",
                                                                                 None)
    assert merged.parts == ("56", "58") and merged.merged and not merged.in_units
    assert [p.unit_id for p in timeline.new_provinces_with_parts(con)] == ["48@2025-07-01", "56@2025-07-01",
                                                                            "86@2025-07-01"]


def test_a_unit_is_frozen_hashable_and_keys_results_by_its_fields(con):
    khanh_hoa, ninh_thuan = resolve_province(con, "56"), resolve_province(con, "58")
    with pytest.raises(dataclasses.FrozenInstanceError):
        khanh_hoa.name = "x"
    assert pickle.loads(pickle.dumps(khanh_hoa)) == khanh_hoa  # Streamlit's cache and the disk cache pickle it
    assert len({khanh_hoa, resolve_province(con, "Khánh Hòa"), ninh_thuan}) == 2
    key = resultcache.key("ntm.summary.summary", (khanh_hoa, 2023), {})
    assert key == resultcache.key("ntm.summary.summary", (resolve_province(con, "khanh hoa"), 2023), {})
    assert key != resultcache.key("ntm.summary.summary", (ninh_thuan, 2023), {})
    merged = timeline.resolve_province(con, "Khánh Hòa", "2025-07-01")  # same code, another unit
    assert key != resultcache.key("ntm.summary.summary", (merged, 2023), {})


def test_a_unit_from_a_database_row_has_plain_values():
    row = {"code": "56", "name": "Khánh Hòa", "valid_from": float("nan"), "valid_to": None, "parts": None}
    assert Unit.from_record(row) == Unit("56", "Khánh Hòa")
    with pytest.raises(ValueError, match="level"):
        Unit("56", "Khánh Hòa", level="tinh")
