"""`summary` reproduces seed 000's table (lines 137-146): Ninh Thuận communes by criteria group, 2023."""

import pytest

from ntm.summary import summary
from ntm.units import resolve_province

# district: (group 1, 2, 3, 4, 5, communes, total criteria, average) as printed in seed 000, lines 139-146
SEED_000 = {
    "Bác Ái": (0, 3, 6, 0, 0, 9, 123, 13.67),
    "Ninh Sơn": (4, 2, 1, 0, 0, 7, 122, 17.43),
    "Ninh Hải": (2, 6, 0, 0, 0, 8, 141, 17.63),
    "Ninh Phước": (1, 4, 3, 0, 0, 8, 127, 15.88),
    "Thuận Bắc": (1, 4, 1, 0, 0, 6, 102, 17),
    "Thuận Nam": (4, 3, 1, 0, 0, 8, 140, 17.50),
    "Phan Rang-Tháp Chàm": (1, 0, 0, 0, 0, 1, 19, 19),
}
PROVINCE = (13, 22, 12, 0, 0, 47, 774, 16.47)


def _row(entry):
    return (*(entry["groups"][g] for g in "12345"), entry["communes"], entry["total_criteria"],
            entry["avg_criteria"])


@pytest.fixture(scope="module")
def result(con):
    return summary(con, resolve_province(con, "Ninh Thuận"), 2023)


def test_every_district_as_printed(result):
    assert {d["district"]: _row(d) for d in result["districts"]} == SEED_000
    assert all(d["basis"] == "reported" for d in result["districts"])


def test_province_total_as_printed(result):
    assert _row(result["total"]) == PROVINCE
    assert result["total"]["basis"] == "reported"


def test_document_is_consistent_with_itself(result):
    """Groups add up to the communes, averages follow from totals, districts add up to the province."""
    assert all(d["checks"] == [] for d in result["districts"])
    assert result["total"]["checks"] == []
    assert result["total"]["differences"] == []
    assert _row(result["total"]["sum_of_districts"]) == PROVINCE


def test_source_points_at_the_table(result):
    (source,) = result["sources"]
    assert source["doc_id"] == "000"
    assert min(source["lines"]) >= 137 and max(source["lines"]) <= 146
    assert "Ninh Thuận" in source["citation"] and "Mục III.2" in source["citation"]
    assert "dòng 139-146" in source["citation"] or "dòng 137-146" in source["citation"]


def test_year_without_data_is_empty(con):
    empty = summary(con, resolve_province(con, "58"), 2019)
    assert empty["districts"] == [] and empty["total"] is None and empty["sources"] == []
