"""Every fact row points at the line that says it: the wording is on the cited line, the figure is in it."""

import csv
import glob
import re

import pandas as pd
import pytest

from ntm import fmt
from ntm.paths import DATA_DIR

with (DATA_DIR / "documents.csv").open(encoding="utf-8") as fh:
    LINES = {d["doc_id"]: (DATA_DIR / d["file"]).read_text(encoding="utf-8").splitlines() for d in csv.DictReader(fh)}
FILES = sorted(glob.glob(str(DATA_DIR / "facts" / "*" / "*.csv")))
WITH_FIGURES = [p for p in FILES if p.split("/")[-2] in ("reported_aggregates", "targets", "funding",
                                                         "indicator_values", "criteria_gaps")]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("*", "").replace("\t", " ")).strip().lower()


def _writings(value: float) -> set[str]:
    """How a document may write a figure: 3.706.693, 16,47, 07, or in tỷ đồng for an amount in triệu."""
    forms = {fmt.number(value), fmt.number(value).replace(".", ""), fmt.number(value / 1000, 3),
             fmt.number(value / 1000), fmt.number(value, lang="en")}  # some OCR'd tables write 10.6%
    if float(value).is_integer():
        forms |= {str(int(value)), f"{int(value):02d}"}
    return {f.replace(" ", "") for f in forms}


@pytest.mark.parametrize("path", FILES, ids=lambda p: "/".join(p.split("/")[-2:]))
def test_original_text_is_on_the_cited_line(path):
    rows = pd.read_csv(path, dtype=str)
    wrong = [(r.line, r.original_text) for r in rows.itertuples() if isinstance(r.original_text, str)
             and _norm(r.original_text) not in _norm(LINES[r.doc_id][int(r.line) - 1])]
    assert wrong == []


@pytest.mark.parametrize("path", WITH_FIGURES, ids=lambda p: "/".join(p.split("/")[-2:]))
def test_figure_is_in_its_original_text(path):
    """A zero may be written in words ("chưa có", "không còn", "trắng"); a named product counts as 1."""
    rows = pd.read_csv(path, dtype=str)
    column = "amount_mvnd" if "amount_mvnd" in rows else "value"
    wrong = []
    for r in rows.itertuples():
        text, value = r.original_text, getattr(r, column)
        if not isinstance(text, str) or pd.isna(value):
            continue
        value = float(value)
        in_words = (value == 0 and re.search(r"không|chưa|trắng", text, re.I)) or (
            value == 1 and getattr(r, "measure", "") == "ocop_product_listed")
        if not in_words and not any(w in text.replace(" ", "") for w in _writings(value)):
            wrong.append((r.line, value, text))
    assert wrong == []
