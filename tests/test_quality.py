"""Data-quality checks: the documents' own contradictions are found, and consistent data gives none."""

import shutil

import pytest

from ntm import loader, quality, store
from ntm.paths import DATA_DIR


@pytest.fixture(scope="module")
def found(con):
    return quality.findings(con)


def _one(found, check, unit, **expected):
    hits = [f for f in found if f["check"] == check and f["unit_name"] == unit
            and all(f[k] == v for k, v in expected.items())]
    assert len(hits) == 1, [f["message_en"] for f in found if f["check"] == check]
    return hits[0]


def test_tra_cu_headline_is_the_budget_share_only(found):
    """001 l.125: "93.376" is only central + provincial budget (39.317 + 54.059); the five sources add to 138.081,7."""
    f = _one(found, "total_is_part_of_items", "Trà Cú", stated=93376)
    assert f["computed"] == 138081.7 and f["severity"] == "error"
    assert {(s["doc_id"], s["line"]) for s in f["sources"]} >= {("001", 125), ("001", 128), ("001", 134)}
    assert "93.376" in f["message_vi"] and "39.317 + 54.059" in f["message_vi"] and "138.081,7" in f["message_vi"]


def test_khanh_hoa_text_64_vs_appendix_65(found):
    f = _one(found, "count_vs_list", "Khánh Hòa", stated=64)
    assert "65 xã đến hết năm 2023" in f["message_vi"]
    (text, appendix) = f["sources"]
    assert (text["doc_id"], text["line"]) == ("003", 9)
    assert appendix["doc_id"] == "003" and appendix["line_end"] >= 650
    assert "dòng 9" in text["citation"]


def test_khanh_hoa_14_of_15_criteria(found):
    f = _one(found, "criteria_out_of_wrong_total", "Sơn Bình")
    assert (f["stated"], f["computed"]) == (15, 19)


def test_shares_that_do_not_follow_from_their_counts(found):
    # "30% huyện nghèo (02 huyện/06 huyện)": 2 is the fewest districts reaching 30 %, 33,33 % — a note, not an error
    assert _one(found, "share_minimum_count", "Quảng Nam", stated=30)["computed"] == 33.33
    # "64 xã, 40%" and "16 xã, 10%" (lines 51, 65) do not follow from the programme's 193 communes
    assert _one(found, "share_vs_fraction", "Quảng Nam", stated=40)["computed"] == 33.16
    assert _one(found, "share_vs_fraction", "Quảng Nam", stated=10)["computed"] == 8.29
    khanh_hoa = {f["year"] for f in found if f["check"] == "share_vs_fraction" and f["unit_name"] == "Khánh Hòa"}
    assert khanh_hoa == {2025}  # appendix 09: 11,8 % for 11/92 = 11,96 %, on no base


def test_no_wrong_reason_appendix_07_base_94(found):
    """Appendix 07's shares for 2014-2018 are exact on 94 communes (10/94 = 10,6 %): the finding says so, and no
    finding claims "10/92 = 10,87 %" as the reason."""
    other = {f["year"]: f for f in found if f["check"] == "share_other_base" and f["unit_name"] == "Khánh Hòa"}
    assert set(other) == {2014, 2015, 2016, 2017, 2018} and all(f["computed"] == 94 for f in other.values())
    assert "10/94 = 10,64%" in other[2014]["message_vi"] and "văn bản không nêu mẫu số" in other[2014]["message_vi"]
    assert not [f for f in found if f["check"] == "share_vs_fraction" and "10/92" in f["message_vi"]]


def test_truncated_shares(found):
    """003 l.9 "64/92 xã (69,5%)": 69,57 % cut, not rounded; appendix 07 2019: 49/92 = 53,26 % printed 53,2."""
    cut = {(f["year"], f["stated"]) for f in found if f["check"] == "share_truncated"}
    assert cut == {(2024, 69.5), (2019, 53.2)}
    assert all(f["severity"] == "info" for f in found if f["check"] == "share_truncated")


def test_two_targets_for_the_same_thing(found):
    f = _one(found, "conflicting_targets", "Ninh Thuận")
    assert {(s["doc_id"], s["line"]) for s in f["sources"]} == {("002", 44), ("002", 124)}


def test_consistent_documents_give_no_finding(found):
    """Ninh Thuận's 2023 table and its resources add up: nothing is reported for them."""
    assert not [f for f in found if f["province_code"] == "58" and f["year"] == 2023
                and (f["check"].startswith(("funding", "share", "total")) or f["check"] == "table_inconsistent")]


def _with_extra_facts(tmp_path, table: str, text: str):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "facts" / table / "zz_test.csv").write_text(text, encoding="utf-8")
    db = tmp_path / "t.duckdb"
    loader.build(db, data)
    return store.connect(db)


FUNDING_HEADER = "unit_code,unit_name_original,year,source,capital_type,kind,item,amount_mvnd,doc_id,line,section," \
                 "original_text,note\n"


@pytest.mark.parametrize(("total", "check"), [(100, None), (100.4, None), (120, "funding_total_vs_sources"),
                                          (40, "total_is_part_of_items")])
def test_funding_total_against_its_parts(tmp_path, total, check):
    con = _with_extra_facts(tmp_path, "funding", FUNDING_HEADER + "".join(
        f"588,x,2019,{src},all,mobilized,,{amount},000,1,,,\n"
        for src, amount in (("total", total), ("central_budget", 40), ("community", 60))))
    hits = [f.check for f in quality.funding_total_vs_sources(con, "58") + quality.total_is_part_of_items(con, "58")
            if f.year == 2019]
    assert hits == ([check] if check else [])


TARGET_HEADER = "unit_code,unit_name_original,target_year,set_code,measure,category,value,value_max,denominator," \
                "unit,comparator,doc_id,line,section,original_text,note\n"


@pytest.mark.parametrize(("second", "flagged"), [("3,4", False), ("5,", True)])
def test_conflicting_targets_on_constructed_rows(tmp_path, second, flagged):
    con = _with_extra_facts(tmp_path, "targets", TARGET_HEADER
                            + "588,x,2030,,communes_ntm_new,,2,3,,xã,,000,1,,,\n"
                            + f"588,x,2030,,communes_ntm_new,,{second},,xã,,000,2,,,\n")
    hits = [f for f in quality.conflicting_targets(con, "58") if f.year == 2030]
    assert bool(hits) is flagged


# ---- the rulebook --------------------------------------------------------------------------------------

QUIET = {"funding_total_vs_sources", "funding_capital_split", "table_inconsistent", "declared_vs_computed"}


def test_every_rule_is_registered_and_labelled():
    from ntm.i18n import LABELS

    for r in quality.rulebook("vi"):
        assert r["severity"] in quality.SEVERITIES and r["tables"] and r["description"]
        assert f"check_{r['id']}" in LABELS
    assert {r["description"] for r in quality.rulebook("en")}.isdisjoint({r["description"] for r in quality.rulebook()})


def test_every_new_rule_class_fires_on_the_documents(found):
    fired = {f["check"] for f in found}
    assert set(quality.RULES) - QUIET <= fired


def test_named_list_against_its_count(found):
    """004 l.83 "thêm 04 huyện" then five districts (l.85-89); 003 appendix 09, 2025 (l.681): total 10, nine names."""
    qn = _one(found, "list_vs_count", "Quảng Nam")
    assert (qn["stated"], qn["computed"]) == (4, 5) and "Tiên Phước" in qn["message_vi"]
    listed = qn["sources"][-1]  # the list: its lines and how many it names, no sentence of ours as the document's
    assert (listed["line"], listed["line_end"], listed["communes_listed"], listed["original_text"]) == (85, 89, 5, None)
    kh = _one(found, "list_vs_count", "Khánh Hòa")
    assert (kh["stated"], kh["computed"], kh["year"]) == (10, 9, 2025)


def test_target_below_what_is_expected(found):
    """000 l.261-262: 07 model villages and 78 NTM villages for 2024, below the 10 and 84 of l.178 (expected)."""
    rows = {(f["stated"], f["computed"]) for f in found if f["check"] == "target_below_achieved"}
    assert rows == {(7, 10), (78, 84)}
    assert all("dự kiến" in f["message_vi"] for f in found if f["check"] == "target_below_achieved")


def test_levels_recognitions_and_decisions(found):
    both = {f["unit_name"] for f in found if f["check"] == "two_levels_same_year"}
    assert both == {"Duy Vinh", "Tiên Châu"}  # 004 l.63 (advanced 2025) and l.75 (model 2025)
    f = _one(found, "criteria_19_without_decision", "Hòa Sơn")  # 000 l.139 and footnote 15 (l.150): no decision
    assert f["sources"][0]["line"] == 139
    nt = _one(found, "higher_without_lower", "Ninh Thuận")
    assert nt["stated"] == 6 and "Tân Hải" in nt["message_vi"]


def test_thresholds_of_one_document(found):
    """003 appendix 02-03, income 2024 (commune NTM): 45 (Sơn Bình), 50, 53, 60 — four thresholds in one region."""
    income = next(f for f in found if f["check"] == "two_thresholds_one_document"
                  and "Chỉ tiêu 10 (Xã NTM 2021-2025)" in f["message_vi"])
    assert (income["stated"], income["computed"]) == (45, 60) and "4 ngưỡng" in income["message_vi"]
    son_binh = {f["stated"]: f for f in found if f["check"] == "threshold_vs_rulebook" and f["unit_name"] == "Sơn Bình"}
    assert set(son_binh) == {45, 13} and son_binh[45]["computed"] == 50


def test_misplaced_names_and_details(found):
    rows = {f["sources"][0]["line"]: f["stated"] for f in found if f["check"] == "name_in_wrong_district"}
    assert rows == {641: 10, 651: 1, 652: 2, 653: 3, 666: 2, 680: 1}
    f = _one(found, "detail_vs_unmet_list", "Cam Hải Đông")  # list 1, 10, 13 (l.450) but a row on 11 (l.455)
    assert "gồm 1, 10, 13" in f["message_vi"] and "tiêu chí 11" in f["message_vi"]


def test_dates_outside_the_frame(found):
    """004 (a 2024-2025 plan) still plans communes for 2023 (l.43, 59, 71)."""
    lines = {f["sources"][0]["line"] for f in found if f["check"] == "date_outside_frame"}
    assert lines == {43, 59, 71}


def test_reviewed_findings_are_shown(found):
    reviewed = [f for f in found if f["reviewed"]]
    assert {(f["sources"][0]["doc_id"], f["sources"][0]["line"]) for f in reviewed} == {
        ("000", 166), ("000", 172), ("003", 9)}
    assert all(len(f["sources"]) == 2 and f["check"] == "reviewed" for f in reviewed)


@pytest.mark.parametrize(("names", "flagged"), [(("22825", "22816"), True), (("22825", "22816", "22819"), False)])
def test_list_rule_on_constructed_rows(tmp_path, names, flagged):
    """A constructed appendix row: a total of 3 with two names is found; with three names it is not."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    (data / "facts" / "reported_aggregates" / "zz_test.csv").write_text(
        "unit_code,unit_name_original,year,set_code,measure,category,value,denominator,unit,doc_id,line,section,"
        "original_text,note\n58,x,2030,,communes_ntm_new,,3,,xã,000,7,Test,,\n", encoding="utf-8")
    (data / "facts" / "recognitions" / "zz_test.csv").write_text(
        "unit_code,unit_name_original,level,year,kind,decision,doc_id,line,section,original_text,note\n"
        + "".join(f"{code},x,xa_ntm,2030,actual,,000,7,Test,,\n" for code in names), encoding="utf-8")
    loader.build(tmp_path / "t.duckdb", data)
    hits = [f for f in quality.list_vs_count(store.connect(tmp_path / "t.duckdb"), "58") if f.year == 2030]
    assert [(f.stated, f.computed) for f in hits] == ([(3, 2)] if flagged else [])
