"""Numbers as Vietnamese officials write them: 1.234,5; money in triệu đồng or tỷ đồng."""

import math
import re
from decimal import ROUND_HALF_UP, Decimal

from ntm.i18n import t


def round_half_up(value: float, places: int = 2) -> float:
    """Round as reports do (17,625 -> 17,63), not to even as Python's round() does."""
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def number(value, decimals: int | None = None, lang: str = "vi") -> str:
    """16.47 -> "16,47"; 3706693 -> "3.706.693"; 17.0 -> "17". None/NaN -> "–" (unknown).

    With decimals=None, up to two decimals are shown, trailing zeros dropped. Halves round up, as reports do
    (17,625 -> 17,63).
    English uses 1,234.5.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    places = 2 if decimals is None else decimals
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)  # as reports round
    text = f"{rounded:,.{places}f}"
    if decimals is None and "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def percent(value, decimals: int = 1, lang: str = "vi") -> str:
    return "–" if value is None else number(value, decimals, lang) + " %"


def money(million_vnd, unit: str = "trieu", lang: str = "vi") -> str:
    """Million VND as "3.706.693 triệu đồng" or, with unit="ty", "3.706,7 tỷ đồng"."""
    if million_vnd is None:
        return "–"
    if unit == "ty":
        return t("money_billion", lang, amount=number(million_vnd / 1000, 1, lang))
    return t("money_million", lang, amount=number(million_vnd, None, lang))


_VN_NUMBER = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_DOT_DECIMAL = re.compile(r"^[+-]?\d+\.(\d{1,2}|\d{4,})$")


def parse_number(text) -> float | None:
    """A number as Vietnamese documents write it: "74,17" -> 74.17, "74,17%" -> 74.17, "1.018" -> 1018,
    "36.750" -> 36750, "3.706.693" -> 3706693. A dot followed by other than three digits can only be a decimal
    point ("42.56", "0.5" from a machine export). Numbers already numeric pass through; blank -> None.
    Raises ValueError for text that is not a number ("đạt", "12,3,4")."""
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    raw = str(text).strip().replace("\u00a0", "").replace(" ", "").rstrip("%")
    if not raw:
        return None
    if _VN_NUMBER.match(raw):
        return float(raw.replace(".", "").replace(",", "."))
    if _DOT_DECIMAL.match(raw):
        return float(raw)
    raise ValueError(f"not a number: {text!r}")


def date_text(iso: str | None, lang: str = "vi") -> str:
    """'2025-07-01' as officials write it (01/07/2025); ISO in English."""
    if not iso:
        return "–"
    year, month, day = str(iso)[:10].split("-")
    return f"{day}/{month}/{year}" if lang == "vi" else f"{year}-{month}-{day}"
