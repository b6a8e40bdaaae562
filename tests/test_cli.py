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
