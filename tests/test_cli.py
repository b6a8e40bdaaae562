"""`python -m ntm` as a script would call it: JSON on stdout, exit codes, province names and codes."""

import csv
import io
import json
import subprocess
import sys

from conftest import ROOT


def ntm(*args, db):
    return subprocess.run([sys.executable, "-m", "ntm", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_summary_json(db_path):
    run = ntm("summary", "--province", "Ninh Thuận", "--year", "2023", "--format", "json", db=db_path)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert out["province"] == {"code": "58", "name": "Ninh Thuận"} and out["year"] == 2023
    assert (out["total"]["communes"], out["total"]["total_criteria"], out["total"]["avg_criteria"]) == (47, 774, 16.47)
    assert out["total"]["groups"] == {"1": 13, "2": 22, "3": 12, "4": 0, "5": 0}
    assert len(out["districts"]) == 7
    assert {"district", "communes", "groups", "total_criteria", "avg_criteria"} <= set(out["districts"][0])
    assert out["sources"][0]["doc_id"] == "000"


def test_province_by_plain_name_or_code(db_path):
    outs = [json.loads(ntm("summary", "--province", p, "--year", "2023", db=db_path).stdout)
            for p in ("ninh thuan", "58", "Tỉnh Ninh Thuận")]
    assert outs[0] == outs[1] == outs[2]


def test_summary_csv(db_path):
    run = ntm("summary", "--province", "58", "--year", "2023", "--format", "csv", db=db_path)
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    total = rows[-1]
    assert (total["unit"], total["communes"], total["total_criteria"], total["avg_criteria"]) == (
        "Toàn tỉnh", "47", "774", "16.47")


def test_units(db_path):
    out = json.loads(ntm("units", "--province", "Khánh Hòa", "--level", "district", db=db_path).stdout)
    assert len(out["units"]) == 9
    assert any(u["name"] == "Trường Sa" and u["offshore"] for u in out["units"])


def test_unknown_province_is_a_clear_error(db_path):
    run = ntm("summary", "--province", "Atlantis", "--year", "2023", db=db_path)
    assert run.returncode == 2
    assert "Không tìm thấy tỉnh 'Atlantis'" in run.stderr and "not found" in run.stderr


def test_recognitions_json(db_path):
    out = json.loads(ntm("recognitions", "--province", "Khánh Hòa", "--level", "ntm", db=db_path).stdout)
    years = {y["year"]: y for y in out["years"]}
    assert (years[2023]["cumulative"], years[2023]["kind"]) == (65, "actual")
    assert (years[2025]["cumulative"], years[2025]["share_pct"], years[2025]["kind"]) == (76, 82.6, "planned")
    assert out["programme_communes"] == 92 and out["sources"] and out["communes"][0]["citation"]


def test_targets_funding_quality_json(db_path):
    t = json.loads(ntm("targets", "--province", "quang nam", "--year", "2025", db=db_path).stdout)
    assert any(r["measure"] == "communes_ntm" and r["value"] == 154 for r in t["targets"])
    assert all(r["citation"].startswith("Nguồn:") for r in t["targets"])
    f = json.loads(ntm("funding", "--province", "58", "--year", "2023", db=db_path).stdout)
    assert any(g["total_computed"] == 3706693 for g in f["groups"])
    q = json.loads(ntm("quality", db=db_path).stdout)
    assert q["count"] == len(q["findings"]) > 10
    assert all(len(x["sources"]) >= 1 and x["sources"][0]["citation"] for x in q["findings"])


def test_read_commands_as_csv(db_path):
    for args in (("recognitions", "--province", "56"), ("targets", "--province", "56"),
                 ("funding", "--province", "84"), ("quality",)):
        run = ntm(*args, "--format", "csv", db=db_path)
        assert run.returncode == 0, run.stderr
        assert len(list(csv.DictReader(io.StringIO(run.stdout)))) > 1


def test_evaluate_and_explain_json(db_path):
    out = json.loads(ntm("evaluate", "--province", "Khánh Hòa", "--year", "2024", db=db_path).stdout)
    cam_tan = next(c for c in out["communes"] if c["code"] == "22435")
    assert {"code", "name", "district", "set", "year", "criteria_met", "criteria_not_met", "criteria_incomplete",
            "group", "eligible", "criteria"} <= set(cam_tan)
    assert (cam_tan["criteria_met"], cam_tan["group"], out["illustrative"]) == (14, 3, False)
    indicator = next(c for c in cam_tan["criteria"] if c["criterion"] == "10")["indicators"][0]
    assert {"code", "value", "threshold", "comparator", "status", "gap", "source"} <= set(indicator)
    x = json.loads(ntm("explain", "--commune", "Cam Tân", "--province", "56", "--year", "2024", db=db_path).stdout)
    assert x["code"] == "22435" and [i["criterion"] for i in x["items"]] == ["1", "10", "11", "13", "17"]


def test_sample_then_evaluate_is_labelled_illustrative(db_path, tmp_path):
    path = tmp_path / "mh.csv"
    run = ntm("sample", "--province", "Ninh Thuận", "--years", "2024", "--out", str(path), db=db_path)
    assert json.loads(run.stdout)["label"] == "Dữ liệu minh họa / illustrative"
    out = json.loads(ntm("evaluate", "--input", str(path), db=db_path).stdout)
    assert out["illustrative"] and out["label"] == "Dữ liệu minh họa / illustrative"
    assert len(out["communes"]) == 47 and all(c["illustrative"] for c in out["communes"])


def test_progress_roadmap_funding_json(db_path):
    p = json.loads(ntm("progress", "--province", "Khánh Hòa", "--year", "2025", "--as-of", "2023", db=db_path).stdout)
    row = next(t for t in p["targets"] if t["indicator"] == "communes_ntm" and t["unit"] == "Khánh Hòa")
    assert {"indicator", "target", "actual", "gap", "achieved_pct", "status", "method", "sources"} <= set(row)
    r = json.loads(ntm("roadmap", "--province", "56", "--level", "nang_cao", db=db_path).stdout)
    assert {"year", "new", "cumulative", "share_pct", "kind"} <= set(r["years"][0]) and "at_risk" in r
    assert {y["kind"] for y in r["years"]} == {"actual", "planned", "projected"}
    f = json.loads(ntm("funding", "--province", "Trà Vinh", "--year", "2023", db=db_path).stdout)
    assert {"source", "amount", "share_pct", "total_stated", "total_computed"} <= set(f["by_source"][0])
    assert f["disbursement"] and all("stated_pct" in d and "computed_pct" in d for d in f["disbursement"])
    d = json.loads(ntm("progress", "--province", "56", "--year", "2025", "--district", "Diên Khánh", db=db_path).stdout)
    assert {t["unit"] for t in d["targets"]} == {"Diên Khánh"}
    assert d["district"] == {"code": "574", "name": "Diên Khánh"}  # named as the province is
    run = ntm("progress", "--province", "56", "--year", "2025", "--district", "849", db=db_path)  # Trà Cú: Trà Vinh's
    assert run.returncode != 0 and "849" in run.stderr


def test_district_evaluation_2022_shows_the_stated_count(db_path):
    """Trà Cú 2022: no commune list for the year (no share computed), but "Năm 2022 huyện đạt 4/9 tiêu chí"
    (001 l.109) is stated: the command answers, with the stated count beside the engine's result."""
    run = ntm("evaluate", "--province", "84", "--level", "district", "--year", "2022", db=db_path)
    assert run.returncode == 0, run.stderr
    tra_cu = next(d for d in json.loads(run.stdout)["districts"] if d["code"] == "849")
    assert tra_cu["stated"]["criteria_met"] == 4 and tra_cu["stated"]["of"] == 9 and tra_cu["stated"]["line"] == 109


def test_summary_2022_groups_of_tra_cu(db_path):
    """001 l.119: on 31/12/2022, 3 communes at 19/19, 7 at 15-18, 5 at 10-14 — the set is not stated."""
    out = json.loads(ntm("summary", "--province", "84", "--year", "2022", db=db_path).stdout)
    tra_cu = next(d for d in out["districts"] if d["district_code"] == "849")
    assert [tra_cu["groups"][g] for g in "123"] == [3, 7, 5] and tra_cu["set_stated"] is False
