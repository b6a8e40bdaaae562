"""Units through time: the 2025 national list, the old → new crosswalk, units on a date, chained crosswalks."""

import json
import shutil

import pandas as pd
import pytest
from test_cli import ntm

from ntm import loader, merged, store, timeline
from ntm.errors import DataError
from ntm.paths import DATA_DIR

NEW = "2026-01-01"


def test_national_list_after_the_reform(con):
    provinces = store.province_versions(con, NEW)
    assert len(provinces) == 34
    counts = {p: len(store.units_as_of(con, p, NEW, "commune")) for p in provinces["unit_id"]}
    assert sum(counts.values()) == 3321
    assert (counts["56@2025-07-01"], counts["48@2025-07-01"], counts["86@2025-07-01"]) == (65, 94, 124)
    khanh_hoa = store.units_as_of(con, "56@2025-07-01", NEW, "commune")
    assert khanh_hoa["type"].value_counts().to_dict() == {"Xã": 48, "Phường": 16, "Đặc khu": 1}
    assert khanh_hoa["district_id"].isna().all()  # no district tier after 2025-07-01


def test_a_name_means_the_province_of_the_date(con):
    old = timeline.resolve_province(con, "khanh hoa", "2024-06-30")
    new = timeline.resolve_province(con, "Khánh Hòa", NEW)
    assert (old.unit_id, old.valid_to) == ("56", "2025-07-01")
    assert (new.unit_id, new.valid_from, new.parts) == ("56@2025-07-01", "2025-07-01", ("56", "58"))
    assert timeline.resolve_province(con, "Vĩnh Long", NEW).parts == ("83", "84", "86")
    assert timeline.resolve_province(con, "Đà Nẵng", NEW).parts == ("48", "49")
    with pytest.raises(LookupError):
        timeline.resolve_province(con, "Ninh Thuận", NEW)  # merged into Khánh Hòa


def test_old_units_keep_their_districts_until_the_reform(con):
    before = store.units_as_of(con, "58", "2024-06-01")
    assert before["level"].value_counts().to_dict() == {"commune": 65, "district": 7}
    assert before.loc[before["level"] == "commune", "district_id"].notna().all()
    # Nông Sơn's communes joined Quế Sơn on 2025-01-01: the parent link has its own validity
    phuoc_ninh = "20669"
    on = {d: store.units_as_of(con, "49", d).set_index("unit_id").loc[phuoc_ninh, "district_id"]
          for d in ("2024-06-01", "2025-03-01")}
    assert on == {"2024-06-01": "519", "2025-03-01": "509"}
    assert store.units_as_of(con, "58", NEW).empty
    # between the mergers of 2025-01-01 and the reform: the units still listed plus those created that day,
    # which reuse an older unit's code (22366 Tân Tiến, 22606 Ninh Phước, 22660 Xuân Đồng; 22750 Phủ Hà) — the
    # counts the reports of the 2024 resolutions give: Khánh Hòa 132, Ninh Thuận 62, Trà Vinh 104
    counts = {p: [len(store.units_as_of(con, p, d, "commune")) for d in ("2024-10-31", "2024-11-01", "2025-03-01")]
              for p in ("56", "58", "84", "49")}
    assert counts == {"56": [139, 132, 132], "58": [65, 62, 62], "84": [106, 106, 104], "49": [241, 241, 233]}
    spring = store.units_as_of(con, "56", "2025-03-01", "commune")
    assert {"22366@2024-11-01", "22606@2024-11-01"} <= set(spring["unit_id"])


def test_new_units_list_their_old_components_and_last_status(con):
    province = timeline.resolve_province(con, "Khánh Hòa", NEW)
    units = timeline.units_with_components(con, province, NEW, "commune", by_year=2024).set_index("full_name")
    assert units.loc["Phường Đô Vinh", "components"] == ("Phường Đô Vinh (Ninh Thuận, whole); "
                                                         "Xã Nhơn Sơn (Ninh Thuận, whole)")
    assert units["components"].str.contains("Ninh Thuận").sum() > 0 and units["components"].notna().all()
    # a unit made of parts never gets a rolled-up figure; one made of whole units does
    cam_hiep = units.loc["Xã Cam Hiệp"]
    assert not cam_hiep["all_whole"] and cam_hiep["ntm_rolled_up"] != cam_hiep["ntm_rolled_up"]  # NaN
    assert "Xã Cam Hiệp Bắc (Khánh Hòa, part)" in cam_hiep["components"]
    nam_cam_ranh = units.loc["Xã Nam Cam Ranh"]
    assert nam_cam_ranh["all_whole"] and nam_cam_ranh["n_xa"] == 4
    assert nam_cam_ranh["ntm_rolled_up"] == nam_cam_ranh["n_ntm"]


def test_crosswalk_of_the_new_provinces(con):
    da_nang = timeline.crosswalk(con, timeline.resolve_province(con, "Đà Nẵng", NEW))
    quang_nam_live = store.units_as_of(con, "49", "2025-06-30", "commune")
    assert set(quang_nam_live["unit_id"]) <= set(da_nang["old_id"])
    assert da_nang["new_id"].notna().all() and set(da_nang["extent"]) == {"whole", "part"}
    # the source's confusion of two Phước Ninh is kept in the data as contradicted, never used
    phuoc_ninh = da_nang[da_nang["old_id"] == "20669"]
    assert list(phuoc_ninh["new_name"]) == ["Xã Quế Phước"] and list(phuoc_ninh["checked"]) == ["corrected"]
    vinh_long = timeline.crosswalk(con, timeline.resolve_province(con, "Vĩnh Long", NEW))
    tra_vinh_live = store.units_as_of(con, "84", "2025-06-30", "commune")
    assert len(tra_vinh_live) == 104 and set(tra_vinh_live["unit_id"]) <= set(vinh_long["old_id"])
    assert set(vinh_long["old_province"]) == {"Bến Tre", "Trà Vinh", "Vĩnh Long"}
    split = vinh_long[vinh_long["extent"] == "part"]
    assert not split.empty and (split.groupby("old_id")["new_id"].nunique() >= 2).all()


def test_crosswalk_between_any_two_dates(con):
    tra_vinh = timeline.resolve_province(con, "Trà Vinh", "2024-01-01")
    chained = timeline.crosswalk(con, tra_vinh, "2024-01-01", NEW).set_index("old_id")
    assert chained.loc["84", "new_id"] == "86@2025-07-01"
    assert chained.loc["29239", "new_name"] == "Phường Trà Vinh"  # Phường 1, item 110 of 1687/NQ-UBTVQH15
    # Phường 2 merged into Phường 3 on 2025-01-01 (as reported), then into Phường Trà Vinh: the chain is as sure
    # as its weakest step
    assert chained.loc["29245", "new_name"] == "Phường Trà Vinh"
    assert chained.loc["29245", "legal_basis"] == "1277/NQ-UBTVQH15; 1687/NQ-UBTVQH15 khoản 110"
    assert chained.loc["29245", "checked"] == "unconfirmed" and chained.loc["29242", "checked"] == "resolution_text"
    same_day = timeline.crosswalk(con, tra_vinh, "2024-01-01", "2024-06-01")
    assert (same_day["old_id"] == same_day["new_id"]).all()


def test_crosswalk_row_with_an_unknown_new_unit_is_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "geo" / "crosswalk_2025.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[5] = lines[5].replace("@2025-07-01", "@2031-01-01", 1)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        loader.build(tmp_path / "x.duckdb", data)
    assert "data/geo/crosswalk_2025.csv" in str(err.value) and "new_id" in str(err.value)


def test_cli_units_and_crosswalk(db_path):
    run = ntm("units", "--province", "Khánh Hòa", "--as-of", NEW, "--level", "commune", "--format", "json",
              db=db_path)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert (out["province"], out["unit_id"], out["count"]) == ("Khánh Hòa", "56@2025-07-01", 65)
    assert all(u["components"] for u in out["units"])
    assert any("(Ninh Thuận, whole)" in u["components"] for u in out["units"])
    cross = json.loads(ntm("crosswalk", "--province", "Đà Nẵng", "--format", "json", db=db_path).stdout)
    assert {"Quảng Nam", "Đà Nẵng"} == {r["old_province"] for r in cross["crosswalk"]}
    assert {"old_name", "new_name", "extent", "legal_basis", "source"} <= set(cross["crosswalk"][0])
    cross = json.loads(ntm("crosswalk", "--province", "vinh long", "--as-of", NEW, db=db_path).stdout)
    assert sum(r["old_province"] == "Trà Vinh" for r in cross["crosswalk"]) == 105  # 104 communes + province


def test_cli_history_of_a_merged_province_per_old_province(db_path):
    run = ntm("summary", "--province", "Khánh Hòa", "--year", "2023", "--as-of", NEW, db=db_path)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert [p["province"] for p in out["parts"]] == ["Khánh Hòa", "Ninh Thuận"]
    ninh_thuan = out["parts"][1]["result"]
    assert (ninh_thuan["total"]["communes"], ninh_thuan["total"]["avg_criteria"]) == (47, 16.47)
    old = json.loads(ntm("summary", "--province", "Ninh Thuận", "--year", "2023", "--as-of", "2023",
                         db=db_path).stdout)
    assert old == ninh_thuan
    gone = ntm("summary", "--province", "Ninh Thuận", "--year", "2023", "--as-of", NEW, db=db_path)
    assert gone.returncode == 2 and "Ninh Thuận" in gone.stderr


def test_cli_merged_province_with_old_provinces_outside_the_data(db_path):
    out = json.loads(ntm("targets", "--province", "Vĩnh Long", "--as-of", NEW, db=db_path).stdout)
    parts = {p["province"]: p["result"] for p in out["parts"]}
    assert parts["Bến Tre"] is None and parts["Vĩnh Long"] is None  # no data here: said so, never zero
    assert parts["Trà Vinh"]["targets"]
    run = ntm("explain", "--commune", "Cam Tân", "--province", "Khánh Hòa", "--as-of", NEW, "--year", "2024",
              db=db_path)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["items"]


def test_old_provinces_combine_only_where_every_part_has_the_figure(con, monkeypatch):
    """Constructed figures: counts add up, the average is recomputed from the totals, a missing part leaves the
    combination empty (never estimated)."""
    figures = {"56": [("ntm", 2023, 65), ("communes", 2023, 100), ("total_criteria", 2023, 1600),
                      ("avg_criteria", 2023, 16.0), ("ntm", 2022, 63)],
               "58": [("ntm", 2023, 30), ("communes", 2023, 47), ("total_criteria", 2023, 774),
                      ("avg_criteria", 2023, 16.47)]}
    monkeypatch.setattr(merged, "_part_rows", lambda con, part, year, lang: (
        [{"measure": m, "year": y, "value": v} for m, y, v in figures[part.code]], []))
    history = merged.history(con, timeline.resolve_province(con, "Khánh Hòa", NEW), 2025)
    rows = {(r["measure"], r["year"]): r["combined"] for r in history["rows"]}
    assert rows[("ntm", 2023)] == 95 and rows[("communes", 2023)] == 147
    assert rows[("avg_criteria", 2023)] == round((1600 + 774) / 147, 2)
    assert pd.isna(rows[("ntm", 2022)])  # Ninh Thuận has no 2022 figure


def test_components_follow_earlier_mergers(con):
    """Ninh Vân merged into Ninh Phước on 2024-11-01 (a unit the 2024 list does not hold, carrying Ninh Vân's
    code); both are components of Phường Đông Ninh Hòa with their own facts."""
    comp = timeline.components(con, ["22561@2025-07-01"], 2024).set_index("old_name")
    assert {"Xã Ninh Phước", "Xã Ninh Vân"} <= set(comp.index)
    assert comp.loc["Xã Ninh Vân", "via"] == "Xã Ninh Phước (2024-11-01)"
    assert comp["old_in_units"].all() and not comp.index.duplicated().any()


def test_crosswalk_without_a_recorded_successor(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "geo" / "crosswalk_2024.csv"
    path.write_text("".join(line for line in path.open(encoding="utf-8") if "1277/NQ-UBTVQH15" not in line),
                    encoding="utf-8")
    loader.build(tmp_path / "x.duckdb", data)
    con = store.connect(tmp_path / "x.duckdb")
    tra_vinh = timeline.resolve_province(con, "Trà Vinh", "2024-01-01")
    chained = timeline.crosswalk(con, tra_vinh, "2024-01-01", NEW).set_index("old_id")
    assert chained.loc["29245", "checked"] == "no_successor_recorded" and pd.isna(chained.loc["29245", "new_id"])


def test_cli_crosswalk_of_an_old_province(db_path):
    out = json.loads(ntm("crosswalk", "--province", "Trà Vinh", "--as-of", "2024", "--from", "2024-01-01",
                         db=db_path).stdout)
    rows = {r["old_id"]: r for r in out["crosswalk"]}
    assert out["unit_id"] == "84" and rows["29251"]["new_name"] == "Phường Trà Vinh"  # Phường 6, via Phường 3
    assert rows["84"]["new_id"] == "86@2025-07-01"
