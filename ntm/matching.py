"""Matching the names written in documents and spreadsheets to GSO units.

Documents write names in many ways: with or without the type ("xã Ba"), old tone placement ("Cam Hoà"),
OCR damage ("Điện Phước" for Diên Phước, "Vạn Tho"), abbreviations ("N.Phụng", "D Lạc", "V. Khanh"), a district
hint ("Đại Hiệp-huyện Đại Lộc"). The matcher tries, in order: the reviewed alias table, the exact name, the
name without diacritics, then abbreviation expansion, always inside the province (and the district when known).
It never guesses: several candidates with nothing to choose between them is "ambiguous", not a match.
"""

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ntm.errors import excerpt
from ntm.names import normalize, strip_prefix
from ntm.paths import DATA_DIR

# Old-style tone placement -> the form used by the GSO list ("Hoà" -> "Hòa", "Thuỵ" -> "Thụy").
_TONES = {"oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa", "oè": "òe", "oé": "óe", "oẻ": "ỏe",
          "oẽ": "õe", "oẹ": "ọe", "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy"}
_TYPES = r"(?:xã|phường|thị trấn|huyện|thị xã|thành phố|tp\.?)"
_DISTRICT_HINT = re.compile(rf"\s*[-–(,]\s*{_TYPES}\s+([^)]+)\)?\s*$", re.IGNORECASE)
MAX_NAME_CHARS = 200  # no unit name is longer; a longer text is refused before any matching work
_ABBREV = re.compile(r"^([A-Za-zĐđ])\s*\.?\s+(?=\S)|^([A-Za-zĐđ])\.(?=\S)")


def canonical(name: str) -> str:
    """NFC, single spaces, modern tone placement, no administrative type prefix; keeps diacritics."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip()
    for old, new in _TONES.items():
        text = re.sub(old + r"(?=\s|$)", new, text)
        text = re.sub(old.capitalize() + r"(?=\s|$)", new.capitalize(), text)
    return re.sub(rf"^{_TYPES}\s+", "", text, flags=re.IGNORECASE)


@dataclass
class Match:
    written: str
    code: str | None
    method: str                       # alias / exact / no_diacritics / abbreviation / ambiguous / unmatched / too_long
    candidates: list[str] = field(default_factory=list)


class UnitMatcher:
    """Match names within one province. `units` is a frame or list of dicts with code, name, type, level,
    parent_code (district), province_code. Names are indexed once (by canonical form and without diacritics,
    per province and level), so a match is a few dictionary look-ups, not a scan of every unit."""

    def __init__(self, units, data_dir: Path = DATA_DIR):
        records = units.to_dict("records") if hasattr(units, "to_dict") else list(units)
        self.units = [u for u in records if u["level"] in ("commune", "district")]
        self.by_code = {u["code"]: u for u in records}
        self.aliases = {(a["province_code"], canonical(a["written"])): a["unit_code"]
                        for a in _read(data_dir / "names" / "aliases.csv")}
        self.abbreviations = _read(data_dir / "names" / "abbreviations.csv")
        self.exact: dict[tuple, list[dict]] = {}
        self.plain: dict[tuple, list[dict]] = {}
        for u in self.units:
            self.exact.setdefault((u["province_code"], u["level"], canonical(u["name"])), []).append(u)
            self.plain.setdefault((u["province_code"], u["level"], normalize(u["name"])), []).append(u)

    def _district(self, hint: str, province: str) -> str | None:
        found = self.plain.get((province, "district", normalize(canonical(hint))), [])
        return found[0]["code"] if len(found) == 1 else None

    def _pick(self, found: list[dict], prefer_type: str | None) -> list[dict]:
        if len(found) > 1 and prefer_type:
            preferred = [u for u in found if u["type"] == prefer_type]
            if preferred:
                return preferred
        return found

    def match(self, written: str, province: str, district: str | None = None, level: str = "commune",
              prefer_type: str | None = "Xã") -> Match:
        """The unit `written` names, within `province` (GSO code) and `district` when given."""
        if len(written) > MAX_NAME_CHARS:
            return Match(excerpt(written), None, "too_long")
        text = written.strip()
        hint = _DISTRICT_HINT.search(text)
        if hint and district is None:
            district = self._district(hint.group(1), province)
            text = text[:hint.start()]
        name = canonical(text)
        alias = self.aliases.get((province, name))
        if alias is not None:
            return Match(written, alias, "alias")
        attempts = [("exact", self.exact, name), ("no_diacritics", self.plain, strip_prefix(normalize(name)))]
        expanded = self._expand(name, province)
        if expanded:
            attempts.append(("abbreviation", self.plain, normalize(expanded)))
        for method, index, key in attempts:
            found = [u for u in index.get((province, level, key), [])
                     if district is None or u["parent_code"] == district]
            found = self._pick(found, prefer_type)
            if len(found) == 1:
                return Match(written, found[0]["code"], method)
            if len(found) > 1:
                return Match(written, None, "ambiguous", [u["code"] for u in found])
        return Match(written, None, "unmatched")

    def _expand(self, name: str, province: str) -> str | None:
        m = _ABBREV.match(name)
        if not m:
            return None
        letter = (m.group(1) or m.group(2)).upper()
        for a in self.abbreviations:
            if a["province_code"] == province and a["abbreviation"].upper() == letter:
                return a["expansion"] + " " + name[m.end():].strip()
        return None


def _read(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))
