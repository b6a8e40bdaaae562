"""One translation catalogue (data/i18n/labels.csv): complete in both languages, every key the code asks for exists,
none unused; and the English view of every page shows no Vietnamese label — only the names of units, documents
and people, and citations, which are data and are shown as their source writes them."""

import ast
import re
import string
import unicodedata

import pytest
from test_app import _open, _visible

from conftest import ROOT
from ntm import glance, kinds, maps, period, quality, roadmap, store, timeline
from ntm.criteria import SET_NTM, Rulebook
from ntm.i18n import LABELS, LANGS, t
from ntm.names import normalize

APP_PAGES = re.findall(r'\("(\w+)", "[\w-]+", ":material', (ROOT / "app.py").read_text(encoding="utf-8"))


CODE = sorted([*ROOT.glob("views/*.py"), *ROOT.glob("ui*.py"), *ROOT.glob("ntm/*.py"), ROOT / "app.py"])

# Keys the code builds from a vocabulary (t(f"level_{level}")): each prefix with the vocabulary it expands to, taken
# from where the code or the data keeps it, or listed here when only the code's branches spell it out.
EXPANDS = {
    "level_": lambda con: roadmap.LEVELS,
    "counted_": lambda con: {*roadmap.LEVELS.values(), "huyen_ntm"},
    "language_": lambda con: LANGS,
    "rec_": lambda con: {*roadmap.LEVELS.values(), "huyen_ntm", "huyen_nang_cao", "hoan_thanh_nhiem_vu"},
    "set_": lambda con: period.selectable_sets(con),
    "target_": lambda con: set(store.period_targets(con, period.current(con, "2026-01-01")["period"])["level"]
                               .dropna()),
    "group_": lambda con: set(store.commune_groups(con, roadmap_set(con))["group_no"].astype(str)),
    "report_group_": lambda con: set(store.commune_groups(con, roadmap_set(con))["group_no"].astype(str)),
    "status_": lambda con: glance.STATUS_ORDER,
    "measure_": lambda con: maps.MEASURES,
    "page_": lambda con: APP_PAGES,
    "check_": lambda con: {*quality.RULES, "reviewed", *timeline.USED},
    "rule_": lambda con: {*quality.RULES, "reviewed"},
    "severity_": lambda con: {r.severity for r in quality.RULES.values()},
    "src_": lambda con: kinds.SOURCES.values(),
    "cap_": lambda con: kinds.CAPITAL.values(),
    "mix_kind_": lambda con: {*kinds.FUNDING_KINDS.values(), *kinds.DISBURSEMENT_KINDS.values()},
    "kind_": lambda con: {"actual", "planned", "projected", *kinds.FUNDING_KINDS.values(),
                          *kinds.DISBURSEMENT_KINDS.values(), *kinds.KINDS, "boundaries"},
    "fact_kind_": lambda con: {"actual", "expected", "planned", "target", "need", "allocated", "mobilized",
                               "disbursed", "gap", "agency"},
    "fact_": lambda con: {"criterion", "indicator", "gap", "agency"},
    "type_": lambda con: {normalize(k).replace(" ", "_") for k, in con.execute(
        "SELECT DISTINCT type FROM unit_versions WHERE level = 'commune'").fetchall()},  # communes' types
    "extent_": lambda con: {"whole", "part"},
    "crit_": lambda con: {"met", "not_met", "incomplete"},
    "reading_": lambda con: {"increment", "share", "cumulative", "ambiguous"},
    "basis_": lambda con: {"reported", "computed"},
    "batch_": lambda con: {"staged", "applied", "discarded", "reverted"},
    "change_": lambda con: {"new", "changed", "same"},
    "col_": lambda con: {"target", "actual", "gap"},
    "download_csv_": lambda con: {"vi", "machine"},
    "csv_": lambda con: {"vi_help", "machine_help"},
    "doc_": lambda con: set(store.documents(con)["kind"]) | {"import", "minh_hoa"},
    "by_": lambda con: {"count", "share"},
    "iu_": lambda con: set(Rulebook.from_db(con).of_set("indicators", SET_NTM)["unit"].dropna()),  # checklist units
}


def roadmap_set(con) -> str:
    return period.current(con, period.latest_report_year(con))["commune_set"]


def _calls(tree: ast.AST):
    """Every t(…) call's first argument (also through label, both and quality._pair)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and (
                getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in ("t", "label", "both", "_pair"):
            yield node.args[0]


def _prefix(arg: ast.expr) -> str | None:
    """The constant start of a built key: f"level_{x}" and "level_" + x give "level_"."""
    if isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        return arg.values[0].value
    if isinstance(arg, ast.BinOp) and isinstance(arg.left, ast.Constant):
        return arg.left.value
    return None


def _code_keys():
    """(literal keys, string constants, prefixes of built keys) of the code."""
    literal, constants, prefixes = set(), set(), set()
    for path in CODE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        for arg in _calls(tree):
            if isinstance(arg, ast.Constant):
                literal.add(arg.value)
            elif (prefix := _prefix(arg)) is not None:
                prefixes.add(prefix)
            for sub in ast.walk(arg):  # "a" if x else "b_" + y: the branches
                if isinstance(sub, ast.IfExp):
                    for branch in (sub.body, sub.orelse):
                        literal |= {branch.value} if isinstance(branch, ast.Constant) else set()
                        prefixes |= {p} if (p := _prefix(branch)) else set()
    return literal, constants, prefixes


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_label_has_both_languages_with_the_same_fields():
    for key, texts in LABELS.items():
        assert len(texts) == len(LANGS) and all(x.strip() for x in texts), key
        assert _fields(texts[0]) == _fields(texts[1]), key


def test_every_key_the_code_asks_for_exists_and_none_is_unused(con):
    literal, constants, prefixes = _code_keys()
    assert sorted(k for k in literal if k not in LABELS) == []
    assert sorted(p for p in prefixes if p not in EXPANDS) == [], "list the vocabulary these prefixes expand to"
    built = {f"{p}{v}" for p in prefixes for v in EXPANDS[p](con)}
    assert sorted(k for k in built if k not in LABELS) == []  # every member of a vocabulary has its label
    used = literal | built | (constants & set(LABELS))  # a key held in a mapping (MEASURE_LABELS) is a constant
    assert sorted(set(LABELS) - used) == []


def vietnamese(text: str) -> list[str]:
    """The words of `text` written with a letter English does not use (ă â đ ê ô ơ ư, a tone mark)."""
    return [w for w in re.findall(r"\w+", text) if any(not c.isascii() and unicodedata.category(c).startswith("L")
                                                       for c in w)]


def _names(con, province: str) -> list[str]:
    """Data shown as its source writes it: the province's units (2024 list and after the 2025 arrangement) and names
    as the documents print them (units, funded items), the documents (issuer, number, date, title, file, sections)
    and the legal sources of the rulebook, longest first so that a name is taken out whole."""
    units = con.execute("""SELECT name, full_name FROM units WHERE province_code = ? OR code = ?
                           UNION ALL SELECT v.name, v.full_name FROM unit_versions v""", [province, province]).df()
    docs = store.documents(con)
    sections = {v for table in store.FACT_TABLES for v, in con.execute(f'SELECT DISTINCT section FROM "{table}"')
                .fetchall()}  # a finding names the document's section as the document heads it
    legal = {v for table in ("criteria_sets", "periods", "programme_targets", "period_targets")
             for v, in con.execute(f'SELECT DISTINCT legal_source FROM "{table}"').fetchall()}  # a law's own title
    printed = {v for v, in con.execute("SELECT DISTINCT unit_name_original FROM recognitions UNION "
                                       "SELECT DISTINCT written FROM unmatched_names UNION "
                                       "SELECT DISTINCT item FROM funding").fetchall()}  # as printed (funded items)
    names = {*units["name"], *units["full_name"], *printed, *docs["issuer"], *docs["title"], *docs["number"].dropna(),
             *docs["date_text"].dropna(), *docs["file"].map(lambda f: f.split("/")[-1]), *sections, *legal}
    return sorted((n for n in names if isinstance(n, str) and vietnamese(n)), key=len, reverse=True)


# Data a reader sees as its source writes it, identified by where it comes from:
CITATION = re.compile(r"Source: .*?\(file [^()]*\)")  # sources.citation: the document's issuer, date and section
QUOTED = re.compile(r'"[^"]*"|“[^”]*”')  # a document's own wording, quoted in a finding
LEGAL_NUMBER = re.compile(r"\b\d+/(\d{4}/)?[A-ZĐ]+(-[A-ZĐa-z0-9]+)*")  # a legal document's number (30/2020/NĐ-CP)
# Columns that show what a document writes (its wording, notes, agencies, categories), by their English header.
DOCUMENT_COLUMNS = {t(key, "en") for key in ("col_original", "col_note", "col_category", "col_agency", "col_expected",
                                              "col_document_threshold")}
OWN_NAMES = ("Tiếng Việt",  # the language switch names each language in itself
             "Tổng cục Thống kê")  # the licence attribution names the GSO as the licence text does


def _labels(at) -> list[str]:
    """What a reader sees (test_app._visible) with the tables' document columns left out."""
    out = [text for text in _visible(AppTestView(at)) if text]
    for element in list(at.dataframe) + list(at.table):
        frame = getattr(element.value, "data", element.value)
        frame = frame[[c for c in frame.columns if str(c).strip() not in DOCUMENT_COLUMNS]]
        out += [str(x) for x in [*frame.columns, *frame.index, *frame.to_numpy().ravel()]]
    return out


class AppTestView:
    """An AppTest seen without its tables (_labels adds them back without the document columns)."""

    def __init__(self, at):
        self._at = at
        self.dataframe, self.table = [], []

    def __getattr__(self, name):
        return getattr(self._at, name)


@pytest.mark.parametrize("province", ["56", "58", "49", "84"])
@pytest.mark.parametrize("page", APP_PAGES)
def test_the_english_view_shows_no_vietnamese_label(db_path, con, page, province):
    at = _open(page, province=province, lang="en")
    assert not at.exception, at.exception
    names = re.compile("|".join(map(re.escape, [*_names(con, province), *OWN_NAMES])))
    leaks = {}
    for text in _labels(at):
        rest = LEGAL_NUMBER.sub(" ", names.sub(" ", QUOTED.sub(" ", CITATION.sub(" ", text))))
        if words := vietnamese(rest):
            leaks[text[:160]] = words
    assert not leaks, "\n".join(f"{words}: {text}" for text, words in leaks.items())


def test_the_check_sees_vietnamese_letters_only():
    assert vietnamese("Tiêu chí 5 · Criterion 5; Đạt") == ["Tiêu", "chí", "Đạt"]
    assert vietnamese("Planned for 2024: 14/19 criteria – 80.0 % ≥ ½") == []


def test_a_communes_checklist_in_english(db_path):
    """Cam Tân (Khánh Hòa) 2024: criterion names from the rulebook's English, a flag's threshold "Met", the count
    out of the set's 19 criteria (Phụ lục 02, mục B of plan 1355/KH-UBND)."""
    at = _open("communes", province="56", lang="en", as_of="2024", commune="22435")
    assert not at.exception, at.exception
    text = " ".join(_labels(at))
    assert "Criteria met: **14/19**" in " ".join(m.value for m in at.markdown)
    assert "1. Planning" in text and "10. Income" in text and "17. Environment and food safety" in text
    checklist = next(d.value for d in at.dataframe if "Criterion" in d.value.columns)
    assert set(checklist.loc[checklist["Indicator"].isin(["1", "13.1"]), "Threshold"]) == {"Met"}
