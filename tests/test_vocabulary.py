"""Vocabulary and periods are data: set codes, period and target years and criteria counts come from the rulebook
tables (data/rules/*.csv via the loader), read through small functions (`ntm.period`), never written in a page or
in a domain module's logic."""

import ast
import re

import pytest

from conftest import ROOT
from ntm import period, roadmap, store
from ntm.criteria import SET_DISTRICT, SET_KIEU_MAU, SET_NANG_CAO, SET_NTM, Rulebook

SET_CODE = re.compile(r"\b[A-Z]+(?:_[A-Z]+)*_20\d\d_20\d\d\b")  # XA_NTM_2021_2025, HUYEN_NTM_2021_2025, …
YEARS = range(2014, 2036)  # the programme's years and its targets'
CODE = sorted([*ROOT.glob("views/*.py"), *ROOT.glob("ui*.py"), *ROOT.glob("ntm/*.py")])

# The allow-list, each with its reason:
# - the codes of the 2021-2025 sets the documents' facts carry are named once, in ntm/criteria.py (SET_*); the test
#   below checks them against the rulebook (periods.csv, criteria_sets.csv);
# - a random seed (`seed=2025`, a module's `SEED`) is a number, not a year;
# - text a person reads is not logic: docstrings and argparse help.
NAMED_ONCE = {("ntm/criteria.py", name) for name in ("SET_NTM", "SET_NANG_CAO", "SET_KIEU_MAU", "SET_DISTRICT")}


def _exempt(tree: ast.AST, path: str) -> set[int]:
    """ids of the constants the allow-list exempts in one module."""
    out: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            out.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and ((path, t.id) in NAMED_ONCE or t.id == "SEED")
                for target in node.targets for t in ast.walk(target)):
            out |= {id(c) for c in ast.walk(node.value)}
        if isinstance(node, ast.arguments):
            named = [*node.posonlyargs, *node.args][-len(node.defaults):] if node.defaults else []
            out |= {id(d) for a, d in zip(named, node.defaults, strict=True) if a.arg == "seed"}
            out |= {id(d) for a, d in zip(node.kwonlyargs, node.kw_defaults, strict=True) if d and a.arg == "seed"}
        if isinstance(node, ast.Call):
            flag = node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else None
            for k in node.keywords:
                if k.arg == "help" or (k.arg == "default" and flag == "--seed"):
                    out |= {id(c) for c in ast.walk(k.value)}
    return out


def literals(source: str, path: str) -> list[str]:
    """Set codes, period/target years and "/19" written as literals in one module's code."""
    tree = ast.parse(source)
    exempt = _exempt(tree, path)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or id(node) in exempt or isinstance(node.value, bool):
            continue
        value = node.value
        if (isinstance(value, int) and value in YEARS) or (
                isinstance(value, str) and (SET_CODE.search(value) or "/19" in value)):
            found.append(f"{path}:{node.lineno}: {value!r}")
    return found


def test_no_set_code_year_or_criteria_count_is_written_in_code():
    found = [hit for f in CODE for hit in literals(f.read_text(encoding="utf-8"), str(f.relative_to(ROOT)))]
    assert found == [], "write these through ntm.period / the rulebook:\n" + "\n".join(found)


@pytest.mark.parametrize(("source", "caught"), [
    ('year = st.slider("x", 2014, 2025)', 2),
    ('years = store.summary_years(con, code, "XA_NTM_2021_2025")', 1),
    ('text = f"{met}/19"', 1),
    ('def f(seed: int = 2025): ...', 0),
    ('def f():\n    """Targets of 2025 (XA_NTM_2021_2025, 14/19)."""', 0),
    ('p.add_argument("--set", help="e.g. XA_NTM_2026_2030")', 0),
    ('p.add_argument("--target-year", default=2025)', 1),
])
def test_the_check_catches_literals_and_spares_text(source, caught):
    assert len(literals(source, "pages/x.py")) == caught


def test_named_codes_are_the_rulebooks(con):
    periods = store.periods(con).set_index("period")
    assert periods.loc["2021-2025", "commune_set"] == SET_NTM
    sets = store.criteria_sets(con).set_index("set_code")
    assert {s: (sets.loc[s, "level"], sets.loc[s, "period"]) for s in (SET_NANG_CAO, SET_KIEU_MAU, SET_DISTRICT)} \
        == {SET_NANG_CAO: ("commune", "2021-2025"), SET_KIEU_MAU: ("commune", "2021-2025"),
            SET_DISTRICT: ("district", "2021-2025")}
    assert set(roadmap.LEVELS) == set(store.programme_targets(con)["level"])  # ntm, nang_cao, kieu_mau
    assert set(roadmap.LEVELS.values()) <= set(store.count_lists(con)["level"])  # xa_ntm, xa_nang_cao, xa_kieu_mau


def test_periods_years_and_counts_come_from_the_rulebook(con):
    assert period.target_year(con, 2023) == 2025 and period.target_year(con, "2026-03-01") == 2030
    assert period.current(con, 2025)["commune_set"] == SET_NTM
    assert period.as_of_years(con) == [2020, 2021, 2022, 2023, 2024, 2025]  # the 2016-2020 stock to the last target
    assert period.latest_report_year(con) == 2023  # the 2023 reports of Ninh Thuận and Trà Cú
    assert period.first_recognition_year(con) == 2014  # the map replays the roadmap from here
    assert period.span(con) == (2021, 2030) and period.span(con, SET_NTM) == (2021, 2025)
    assert period.n_criteria(con, SET_NTM) == Rulebook.from_db(con).n_criteria(SET_NTM) == 19
    assert period.n_criteria(con, SET_KIEU_MAU) is None  # the rulebook states no count: none is made up
