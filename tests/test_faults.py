"""Faults an unlucky administrator meets: a damaged database, bad files in data/, a read-only folder, killed
builds and saves, a closed pipe, huge cells. Each leaves the last good data serving, says why in one message
(vi/en) and never shows a traceback."""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from shapely.geometry import LineString, Point, box
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from ntm import boundaries, dbfile, ingest, loader, store
from ntm.errors import DataError, Problem
from ntm.matching import UnitMatcher
from ntm.paths import DATA_DIR

BAD_ROW = ",999,"  # an unknown document in a fact row: the build must refuse it


def _cli(*args, env=None, user=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ntm", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, user=user, timeout=300, **kw)


def _truncate(path: Path) -> None:
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


@pytest.fixture
def own_db(tmp_path, monkeypatch):
    """A database of this test's own (the session database stays untouched)."""
    db = tmp_path / "var" / "ntm.duckdb"
    loader.build(db)
    monkeypatch.setenv("NTM_DB", str(db))
    return db


@pytest.fixture
def bad_data(tmp_path, monkeypatch):
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    facts = copy / "facts" / "reported_aggregates" / "000_ninh_thuan.csv"
    lines = facts.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",000,", BAD_ROW, 1)
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setenv("NTM_DATA", str(copy))
    return copy


def _no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr and "Error:" not in result.stderr.replace("data error", "")


# ---- a damaged database ---------------------------------------------------------------------------------------

def test_truncated_database_is_detected_and_rebuilt(own_db):
    _truncate(own_db)
    assert dbfile.intact(own_db) is None
    result = _cli("units", "--province", "56", "--format", "csv")
    assert result.returncode == 0 and "Cam Tân" in result.stdout
    _no_traceback(result)
    assert dbfile.intact(own_db)  # rebuilt from data/


def test_truncated_while_the_app_runs_heals_without_restart(own_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["province"] = "58"
    at.run()
    assert not at.exception
    _truncate(own_db)
    for page in ("views/criteria_by_district.py", "views/communes.py", "views/funding.py", "views/overview.py"):
        at.switch_page(page).run()
        assert not at.exception, page
    assert dbfile.intact(own_db)


def test_app_reconnects_after_a_rebuild(own_db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["province"] = "58"
    at.run()
    key = os.stat(own_db).st_ino
    result = _cli("build")
    assert result.returncode == 0 and os.stat(own_db).st_ino != key
    at.switch_page("views/criteria_by_district.py").run()
    assert not at.exception and at.title[0].value


# ---- bad data in data/: the last good database keeps serving ---------------------------------------------------

def test_cli_reads_the_last_good_database_with_a_notice(own_db, bad_data):
    result = _cli("summary", "--province", "58", "--year", "2023", "--format", "csv")
    assert result.returncode == 0 and "16.47" in result.stdout.replace(",", ".")
    assert "000_ninh_thuan.csv" in result.stderr and "dòng 2" in result.stderr and "row 2" in result.stderr
    _no_traceback(result)
    ensure = _cli("ensure")
    assert ensure.returncode == 0 and json.loads(ensure.stdout)["stale"] is True


def test_build_with_bad_data_changes_nothing_and_says_where(own_db, bad_data):
    before = own_db.read_bytes()
    result = _cli("build")
    assert result.returncode == 2 and "000_ninh_thuan.csv" in result.stderr
    _no_traceback(result)
    assert own_db.read_bytes() == before


def test_a_failed_build_is_not_retried_for_the_same_data(tmp_path):
    db = tmp_path / "ntm.duckdb"
    loader.build(db)
    calls = []

    def failing():
        calls.append(1)
        raise DataError([Problem("data/x.csv", 3, "year", "sai", "wrong")])

    dbfile._FAILED_IN_PROCESS.clear()
    first = dbfile.ensure(db, "new-fingerprint", failing)
    dbfile._FAILED_IN_PROCESS.clear()  # a new process: the failure is remembered beside the database
    second = dbfile.ensure(db, "new-fingerprint", failing)
    assert calls == [1] and first.stale and second.problems[0].file == "data/x.csv"
    assert dbfile.ensure(db, "another-fingerprint", failing).stale and calls == [1, 1]


def test_app_serves_the_last_good_database_with_a_visible_notice(own_db, bad_data):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["province"] = "58"
    at.run()
    assert not at.exception
    assert any("bản dữ liệu hợp lệ gần nhất" in w.value for w in at.warning)
    assert any("000\\_ninh\\_thuan\\.csv" in e.value and "dòng 2" in e.value for e in at.error)


def test_app_without_any_database_says_why_once(tmp_path, monkeypatch, bad_data):
    monkeypatch.setenv("NTM_DB", str(tmp_path / "none" / "ntm.duckdb"))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception
    assert any("Chưa có cơ sở dữ liệu" in e.value for e in at.error)
    assert any("000\\_ninh\\_thuan\\.csv" in e.value for e in at.error)
    started = time.monotonic()
    at.run()  # the failing build is remembered, not tried again on every page load
    assert not at.exception and (tmp_path / "none" / ".ntm.duckdb.failed.json").exists()
    assert time.monotonic() - started < 60  # generous: guards against a build per load, not a speed target


def test_cli_without_any_database_exits_with_the_reason(tmp_path, bad_data):
    result = _cli("units", "--province", "56", env={"NTM_DB": str(tmp_path / "none" / "ntm.duckdb")})
    assert result.returncode == 2 and "000_ninh_thuan.csv" in result.stderr
    _no_traceback(result)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.e2e
def test_run_app_starts_on_the_last_good_database(own_db, bad_data):
    port = _free_port()
    proc = subprocess.Popen(["bash", "scripts/run-app.sh", "--server.headless", "true"], cwd=ROOT,
                            env={**os.environ, "NTM_PORT": str(port), "NTM_WARM": "0"}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 90
        while time.time() < deadline:
            assert proc.poll() is None, "run-app.sh exited"
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the app did not start")
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# ---- a read-only var/ ------------------------------------------------------------------------------------------

READONLY = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'


def _cli_readonly(folder: Path, *args, env=None) -> subprocess.CompletedProcess:
    """The CLI in a mount namespace where `folder` is a read-only file system (root ignores file modes)."""
    return subprocess.run(["unshare", "-m", "sh", "-c", READONLY, "sh", str(folder), sys.executable, "-m", "ntm",
                           *args], cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})},
                          timeout=300)


@pytest.fixture
def readonly_db(tmp_path):
    probe = subprocess.run(["unshare", "-m", "sh", "-c", READONLY, "sh", str(tmp_path), "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("no mount namespace here: " + probe.stderr.decode()[:200])
    db = tmp_path / "var" / "ntm.duckdb"
    loader.build(db)
    return db


def test_readonly_var_still_reads(readonly_db):
    result = _cli_readonly(readonly_db.parent, "units", "--province", "56", "--format", "csv",
                           env={"NTM_DB": str(readonly_db)})
    assert result.returncode == 0 and "Cam Tân" in result.stdout
    _no_traceback(result)


def test_readonly_var_with_changed_data_says_so_in_one_sentence(readonly_db, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "README.md").write_text("changed\n", encoding="utf-8")
    result = _cli_readonly(readonly_db.parent, "units", "--province", "56", "--format", "csv",
                           env={"NTM_DB": str(readonly_db), "NTM_DATA": str(data)})
    assert result.returncode == 0 and "Cam Tân" in result.stdout
    assert "không ghi được cơ sở dữ liệu" in result.stderr and "cannot be written" in result.stderr
    assert "Read-only file system" in result.stderr
    _no_traceback(result)
    build = _cli_readonly(readonly_db.parent, "build", env={"NTM_DB": str(readonly_db), "NTM_DATA": str(data)})
    assert build.returncode == 2 and "Read-only file system" in build.stderr
    _no_traceback(build)


# ---- killed builds and saves leave nothing behind --------------------------------------------------------------

def test_files_of_killed_builds_are_removed(tmp_path):
    db = tmp_path / "ntm.duckdb"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    leftovers = [tmp_path / f".ntm.duckdb.building-{dead}", tmp_path / f".ntm.duckdb.building-{dead}.wal"]
    for path in leftovers:
        path.write_bytes(b"half a build")
    loader.build(db)
    assert not any(p.exists() for p in leftovers)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".ntm.duckdb.lock", "ntm.duckdb", "ntm.duckdb.sha256"]


def test_a_build_killed_midway_leaves_the_database_intact(own_db):
    before = own_db.read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "ntm", "build"], cwd=ROOT, env=os.environ.copy(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline and not list(own_db.parent.glob(".ntm.duckdb.building-*")):
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    assert own_db.read_bytes() == before and dbfile.intact(own_db)
    loader.build(own_db)
    assert not list(own_db.parent.glob(".ntm.duckdb.building-*"))


@pytest.fixture
def store_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("NTM_BOUNDARIES", str(tmp_path / "boundaries"))
    return tmp_path / "boundaries"


def _collection(n: int) -> dict:
    import geopandas as gpd

    frame = gpd.GeoDataFrame(geometry=[box(109 + i / 10, 12, 109.1 + i / 10, 12.1) for i in range(n)],
                             crs="EPSG:4326")
    return boundaries.prepare(frame, {"rows": {f"2243{i}": i for i in range(n)}})


def test_a_failed_save_leaves_no_temporary_and_the_old_file(store_dir, monkeypatch):
    boundaries.save("56", _collection(2), "Nguồn", "CC BY 4.0", {})
    before = boundaries.load("56")
    monkeypatch.setattr(boundaries.json, "dump", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space")))
    with pytest.raises(OSError, match="No space"):
        boundaries.save("56", _collection(3), "Nguồn", "CC BY 4.0", {})
    assert [p.name for p in store_dir.iterdir()] == ["56.geojson"] and boundaries.load("56") == before


def test_stale_temporaries_are_cleaned(store_dir):
    store_dir.mkdir(parents=True)
    old = store_dir / "tmpabc.tmp"
    old.write_text("{")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    boundaries.save("56", _collection(1), "Nguồn", "CC BY 4.0", {})
    assert not old.exists()


def test_zero_matches_or_fewer_communes_never_replace_good_boundaries(store_dir):
    boundaries.save("56", _collection(3), "Nguồn", "CC BY 4.0", {})
    with pytest.raises(DataError, match="không có vùng nào khớp"):
        boundaries.save("56", {"type": "FeatureCollection", "features": []}, "Nguồn", "CC BY 4.0", {})
    with pytest.raises(DataError, match="cần xác nhận"):
        boundaries.save("56", _collection(1), "Nguồn", "CC BY 4.0", {})
    assert len(boundaries.load("56")["features"]) == 3
    boundaries.save("56", _collection(1), "Nguồn", "CC BY 4.0", {}, replace_confirmed=True)
    assert len(boundaries.load("56")["features"]) == 1


# ---- geometry that is not a commune polygon ---------------------------------------------------------------------

def _geojson(geometries) -> bytes:
    import geopandas as gpd

    frame = gpd.GeoDataFrame({"ma_xa": [f"2243{i}" for i in range(len(geometries))]}, geometry=geometries,
                             crs="EPSG:4326")
    return frame.to_json().encode()


def test_longitude_500_is_refused_with_the_feature():
    with pytest.raises(DataError) as err:
        boundaries.read_upload(_geojson([box(109, 12, 109.1, 12.1), box(500, 12, 500.1, 12.1)]), "xa.geojson")
    problem = err.value.problems[0]
    assert problem.row == 2 and "ngoài kinh độ" in problem.vi and "outside longitude" in problem.en


@pytest.mark.parametrize(("geometry", "kind"), [(Point(109, 12), "Point"),
                                            (LineString([(109, 12), (109.1, 12.1)]), "LineString")])
def test_points_and_lines_are_refused_with_a_clear_message(geometry, kind):
    with pytest.raises(DataError) as err:
        boundaries.read_upload(_geojson([box(109, 12, 109.1, 12.1), geometry]), "xa.geojson")
    text = str(err.value)
    assert f"vùng thứ 2 là {kind}" in text and "only areas" in text
    assert "/tmp" not in text and str(ROOT) not in text


# ---- the CLI on a closed pipe, and oversized input -------------------------------------------------------------

def test_cli_exits_quietly_on_a_closed_pipe(db_path):
    proc = subprocess.Popen([sys.executable, "-m", "ntm", "units", "--province", "56", "--format", "csv"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=os.environ.copy())
    proc.stdout.close()  # the reader is gone before the first line is written, as with `| head` at its end
    err = proc.stderr.read().decode()
    proc.wait(timeout=120)
    assert "Traceback" not in err and "BrokenPipeError" not in err and proc.returncode == 141


def test_a_huge_name_is_refused_at_once_and_quoted_briefly(con, tmp_path):
    units = store.units(con)
    assert UnitMatcher(units).match("Cam Tân " * 200_000, "56").method == "too_long"
    path = tmp_path / "huge.csv"
    path.write_text("xa,chi_tieu,gia_tri,nam\n" + "A" * 1_400_000 + ",10,50,2024\n"
                    + "Cam Tân,10," + "9" * 2_000_000 + "x,2024\n", encoding="utf-8")
    sets = {"XA_NTM_2021_2025": {"10"}}
    with pytest.raises(DataError) as err:
        ingest.read_values(path, units, sets, "XA_NTM_2021_2025", "56")
    messages = [str(p) for p in err.value.problems]
    assert len(messages) == 2 and all(len(m) < 1000 for m in messages)
    assert all("dài hơn 1000 ký tự" in m and "…" in m for m in messages)
    assert [(p.row, p.column) for p in err.value.problems] == [(2, "xa"), (3, "gia_tri")]
