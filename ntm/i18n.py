"""Every label the dashboard shows, in Vietnamese (default) and English: one catalogue, `data/i18n/labels.csv`.

Why one CSV with a column per language (key, vi, en) rather than a file per language or gettext: each label sits
beside its translation, so a missing English text shows as an empty cell in the same row, and an office edits
the file in a spreadsheet. Texts use `str.format` fields (`{name}`, `{year}`); a line break is a real line break
inside a quoted cell. Keys built from a vocabulary (`level_ntm`, `status_at_risk`, `set_XA_NTM_2021_2025`) are
listed in tests/test_i18n.py with the vocabulary they expand to; that test checks that every key has both
languages, that every key the code asks for exists, and that no key is unused.

Names that come from documents or the unit lists (communes, criteria, document titles, citations) are data, not
labels: they are shown as the source writes them. The catalogue lives under data/, so a changed label changes
the data fingerprint and the results kept per build (ntm.resultcache) are computed again.
"""

import csv

from ntm.paths import DATA_DIR

LANGS = ("vi", "en")
CATALOGUE = DATA_DIR / "i18n" / "labels.csv"


def _load() -> dict[str, tuple[str, str]]:
    with CATALOGUE.open(encoding="utf-8", newline="") as fh:
        return {row["key"]: (row["vi"], row["en"]) for row in csv.DictReader(fh)}


LABELS: dict[str, tuple[str, str]] = _load()


def t(key: str, lang: str = "vi", **kwargs) -> str:
    text = LABELS[key][0 if lang == "vi" else 1]
    return text.format(**kwargs) if kwargs else text


def both(key: str, **kwargs) -> dict[str, str]:
    """A label in both languages, for results that carry both (the CLI's JSON): {"vi": …, "en": …}."""
    return {lang: t(key, lang, **kwargs) for lang in LANGS}
