"""The 2026-2030 period as data: its set, commune groups, targets; evaluation by commune group (unknown until a
threshold row with a source is loaded)."""

import argparse
import json
import shutil

import pytest
from test_cli import ntm

from ntm import cli, loader, period, store, timeline
from ntm.communes import criteria_shares
from ntm.paths import DATA_DIR
from ntm.units import resolve_province

SET = "XA_NTM_2026_2030"
ROWS = "ma_xa,chi_tieu,gia_tri,nam\n22738,1.x,1,2026\n22741,1.x,0,2026\n22333,1.x,1,2026\n"


def test_periods_sets_and_targets_come_from_the_rulebook(con):
    assert period.period_of(con, "2024-06-30")["commune_set"] == "XA_NTM_2021_2025"
    now = period.period_of(con, "2026-03-01")
    assert (now["period"], now["commune_set"], now["target_year"]) == ("2026-2030", SET, 2030)
    sets = store.criteria_sets(con).set_index("set_code")
    assert (sets.loc[SET, "n_criteria"], sets.loc[SET, "n_indicators"]) == (10, 47)
    assert sets.loc["TINH_HTNV_2026_2030", "level"] == "province"
    assert "XA_NTM_HIEN_DAI_2026_2030" in sets.index
    assert SET in period.selectable_sets(con) and "XA_NTM_2021_2025" in period.selectable_sets(con)
    assert list(store.commune_categories(con, SET)["category"]) == ["1", "2", "3"]
    targets = store.period_targets(con, "2026-2030").set_index("level")
    assert targets.loc["ntm", "value"] == 65 and "257/2025/QH15" in targets.loc["ntm", "legal_source"]
    assert store.category_thresholds(con, SET).empty  # no threshold was found in a reachable source


def _evaluate(db, tmp_path):
    path = tmp_path / "v2026.csv"
    path.write_text(ROWS, encoding="utf-8")
    run = ntm("evaluate", "--input", str(path), "--province", "Khánh Hòa", "--as-of", "2026-03-01", "--year",
              "2026", "--set", SET, "--format", "json", db=db)
    assert run.returncode == 0, run.stderr
    return {c["name"]: c for c in json.loads(run.stdout)["communes"]}


def test_without_thresholds_every_indicator_is_unknown(db_path, tmp_path):
    communes = _evaluate(db_path, tmp_path)
    assert set(communes) == {"Phường Đô Vinh", "Phường Bảo An", "Phường Bắc Nha Trang"}
    for c in communes.values():
        assert [i["status"] for i in c["indicators"]] == ["unknown_threshold"]
        assert (c["criteria_met"], c["criteria_not_met"], c["category"]) == (0, 0, None)


@pytest.fixture
def with_threshold(tmp_path):
    """A data copy with a constructed group assignment and threshold row, each with a source."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "rules" / "commune_category_assignments.csv").write_text(
        "unit_id,set_code,category,source,note\n"
        f"22738@2025-07-01,{SET},2,constructed test row,\n22741@2025-07-01,{SET},2,constructed test row,\n"
        f"22333@2025-07-01,{SET},1,constructed test row,\n", encoding="utf-8")
    path = data / "rules" / "criteria" / "thresholds_by_category.csv"
    path.write_text(path.read_text(encoding="utf-8")
                    + f"{SET},1.x,2,,,,>=,1,Đạt,confirmed,constructed test row,\n", encoding="utf-8")
    db = tmp_path / "t.duckdb"
    loader.build(db, data)
    return db


def test_a_threshold_row_with_a_source_decides_met_and_not_met(with_threshold, tmp_path):
    path = tmp_path / "v2026.csv"
    path.write_text(ROWS, encoding="utf-8")
    con = store.connect(with_threshold)  # the CLI would rebuild from data/: call its evaluation directly
    args = argparse.Namespace(set=SET, input=str(path), year=2026)
    province = timeline.resolve_province(con, "Khánh Hòa", "2026-03-01")
    result = cli._evaluate_by_category(args, con, province, "2026-03-01")
    communes = {c["name"]: c for c in result["communes"]}
    do_vinh, bao_an, bac_nha_trang = (communes[n] for n in ("Phường Đô Vinh", "Phường Bảo An",
                                                             "Phường Bắc Nha Trang"))
    assert do_vinh["category"] == "2" and do_vinh["category_source"] == "constructed test row"
    assert do_vinh["indicators"][0] | {"source": None} == {"code": "1.x", "value": 1.0, "status": "met",
                                                           "threshold": 1.0, "source": None}
    assert do_vinh["indicators"][0]["source"] == "constructed test row"
    assert bao_an["indicators"][0]["status"] == "not_met" and bao_an["criteria_not_met"] == 1
    # group 1 has no threshold row: unknown, never a pass
    assert bac_nha_trang["category"] == "1" and bac_nha_trang["indicators"][0]["status"] == "unknown_threshold"


def test_an_assignment_to_an_unknown_unit_is_refused(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "rules" / "commune_category_assignments.csv").write_text(
        f"unit_id,set_code,category,source,note\n99999@2025-07-01,{SET},2,x,\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"commune_category_assignments\.csv.*99999"):
        loader.build(tmp_path / "x.duckdb", data)


def test_the_2026_set_never_shows_2021_2025_results(con):
    khanh_hoa = resolve_province(con, "56")
    assert criteria_shares(con, khanh_hoa, 2024, "XA_NTMNC_2021_2025")["communes"] > 0
    assert criteria_shares(con, khanh_hoa, 2024, SET)["communes"] == 0
