"""The national illustrative database (`python -m ntm sample --national`) and guards against quadratic code at its
scale (8.147 xã). The time bounds are generous — they catch a return to per-commune loops (minutes at this scale),
they are not speed targets: bench/bench_national.py measures speed."""

import time

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from ntm import communes, dbfile, loader, national, quality, sample, statements, store
from ntm.assessment import assess
from ntm.criteria import SET_NTM, Rulebook, evaluate
from ntm.sources import citation
from ntm.units import resolve_province

BOUND = 30  # seconds of CPU


@pytest.fixture(scope="module")
def national_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("national") / "national.duckdb"
    national.build(path)
    return path


@pytest.fixture(scope="module")
def ncon(national_db):
    connection = store.connect(national_db)
    yield connection
    connection.close()


def test_every_unit_of_the_national_list_is_there(ncon):
    units = store.units(ncon)
    assert (units["level"].value_counts().to_dict()
            == {"commune": 10_542, "district": 704, "province": 63})
    assert len(store.unit_attributes(ncon, xa_only=True)) == 8_147  # 8.149 xã; 2 known to be outside the programme
    new = ncon.execute("""SELECT level, count(*) FROM unit_versions WHERE valid_from = '2025-07-01'
                          AND source LIKE 'data/geo/units_2025.csv%' GROUP BY level""").df()
    assert dict(zip(new["level"], new["count_star()"], strict=True)) == {"province": 34, "commune": 3_321}


def test_everything_is_labelled_illustrative(ncon, national_db):
    assert store.build_info(ncon)["illustrative"] == sample.LABEL
    for table in store.FACT_TABLES:
        docs = ncon.execute(f'SELECT DISTINCT doc_id FROM "{table}"').df()["doc_id"].tolist()
        assert docs in ([], [national.DOC_ID]), table  # no real document's figure is mixed in
    kind, title = ncon.execute("SELECT kind, title FROM documents WHERE doc_id = ?", [national.DOC_ID]).fetchone()
    assert kind == "minh_hoa" and title.startswith(sample.LABEL)
    doc = ncon.execute("SELECT * FROM documents WHERE doc_id = ?", [national.DOC_ID]).df().to_dict("records")[0]
    assert citation(doc, None, [1]) == ("Nguồn: Dữ liệu minh họa, Sinh tự động (ntm/national.py), không phải số "
                                        "liệu thật / generated, not real (tệp national.py, dòng 1)")
    assert citation(doc, None, [1], "en").endswith("(file national.py, line 1)")  # one line: "line", not "lines"
    assert citation(doc, None, [3, 1], "en").endswith("(file national.py, lines 1-3)")
    assert dbfile.recorded(national_db)["kind"] == national.KIND


def test_ensure_keeps_it_illustrative(national_db):
    """The app's check before serving (loader.ensure) must not replace it with the ordinary build."""
    status = loader.ensure(national_db)
    assert not status.rebuilt and not status.stale
    con = store.connect(national_db)
    try:
        assert store.build_info(con)["illustrative"] == sample.LABEL
    finally:
        con.close()


def test_it_never_replaces_the_real_database():
    from ntm import paths

    with pytest.raises(ValueError, match="real database"):
        national.build(paths.DEFAULT_DB)


def test_generated_counts_agree_with_the_generated_lists(ncon):
    """Each province's stated NTM count is the number of its xã recognised by the end of the year."""
    stated = ncon.execute("""SELECT unit_code, year, value FROM reported_aggregates WHERE measure = 'communes_ntm'
                             ORDER BY unit_code, year""").df()
    listed = ncon.execute("""SELECT u.province_code AS unit_code, y.year, count(r.unit_code)::DOUBLE AS value
                             FROM (SELECT DISTINCT year FROM reported_aggregates) y
                             CROSS JOIN (SELECT DISTINCT province_code FROM units) p
                             JOIN units u ON u.province_code = p.province_code
                             JOIN recognitions r ON r.unit_code = u.code AND r.level = 'xa_ntm'
                                  AND r.kind = 'actual' AND r.year <= y.year
                             GROUP BY ALL ORDER BY 1, 2""").df()
    merged = stated.merge(listed, on=["unit_code", "year"], how="left").fillna({"value_y": 0})
    assert len(stated) == 63 * 5 and (merged["value_x"] == merged["value_y"]).all()


def test_national_evaluation_is_set_based(ncon):
    rules = Rulebook.from_db(ncon)
    units = store.unit_attributes(ncon, xa_only=True)
    values = ncon.execute("SELECT unit_code, indicator_code, year, value FROM indicator_values WHERE set_code = ?",
                          [SET_NTM]).df()
    started = time.process_time()
    ev = evaluate(values, units, rules, SET_NTM, None, national.years(ncon))
    assert time.process_time() - started < BOUND
    assert len(ev.units) == 8_147 * 5
    assert (ev.units[["criteria_met", "criteria_not_met", "criteria_incomplete"]].sum(axis=1) == 19).all()


@pytest.mark.parametrize("province", ["38", "01"])  # Thanh Hóa (the most xã: 466), Hà Nội
def test_a_provinces_pages_stay_set_based(ncon, province):
    found = resolve_province(ncon, province)
    units = store.unit_attributes(ncon, province_code=province, xa_only=True)
    started = time.process_time()
    result = assess(ncon, units, store.facts(ncon, "indicator_values", province), 2024)
    overview = communes.overview(ncon, found, 2025)
    first = next(u for u in store.unit_list(ncon, "commune", province) if u.code == overview["code"].iloc[0])
    detail = communes.detail(ncon, first, 2025)
    assert time.process_time() - started < BOUND
    assert len(result["communes"]) == len(units) == len(overview) > 300
    assert overview["results_year"].notna().all()
    assert detail["checklist"]["year"] == overview["results_year"].iloc[0] == 2025


def test_a_provinces_facts_are_read_a_page_at_a_time(ncon):
    """Hà Nội's illustrative document states 240.000 facts: the page counts and searches them in SQL and reads
    only the rows it shows."""
    found = (resolve_province(ncon, "01"),)
    counted = " + ".join(f"""(SELECT count(*) FROM "{table}" f JOIN units u ON u.code = f.unit_code
                                WHERE u.province_code = '01')""" for table in store.FACT_TABLES)
    total = ncon.execute(f"SELECT {counted}").fetchone()[0]
    started = time.process_time()
    documents = statements.documents(ncon, found)
    first = statements.page(ncon, found, national.DOC_ID, "", 0, 25)
    searched = statements.page(ncon, found, national.DOC_ID, "BA VÌ", 25, 25)
    assert time.process_time() - started < BOUND
    assert documents == {national.DOC_ID: total} == {national.DOC_ID: first["count"]} and total > 200_000
    assert len(first["facts"]) == len(searched["facts"]) == 25 and 25 < searched["count"] < total
    text = searched["facts"][list(statements.SEARCHED)].fillna("").astype(str).agg(" ".join, axis=1)
    assert text.str.lower().str.contains("ba vì", regex=False).all()


@pytest.mark.parametrize("province", ["38", "01"])
def test_a_provinces_quality_checks_stay_set_based(ncon, province):
    """Every rule over the province's rows at once (a loop over every commune's group of criteria took 14 s of CPU
    for Hà Nội): the generated data agree with themselves, so no rule finds anything."""
    found = resolve_province(ncon, province)
    started = time.process_time()
    result = quality.findings(ncon, found, "en")
    assert time.process_time() - started < BOUND / 3
    assert result == []


def test_the_app_shows_the_illustrative_banner(national_db, monkeypatch):
    monkeypatch.setenv("NTM_DB", str(national_db))
    for page in ("overview", "funding"):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.query_params["province"] = "01"
        at.query_params["lang"] = "en"
        if page != "overview":
            at.run()
            at.switch_page(f"views/{page}.py")
        at.run()
        assert not at.exception, at.exception
        assert any("Dữ liệu minh họa / illustrative" in w.value and "no figure in it is real" in w.value
                   for w in at.warning), page
