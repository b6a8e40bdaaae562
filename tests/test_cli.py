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
