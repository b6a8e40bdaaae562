"""Numbers as Vietnamese officials write them: 1.234,5; money in triệu đồng or tỷ đồng."""

import math
from decimal import ROUND_HALF_UP, Decimal


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
        return number(million_vnd / 1000, 1, lang) + (" tỷ đồng" if lang == "vi" else " billion VND")
    return number(million_vnd, None, lang) + (" triệu đồng" if lang == "vi" else " million VND")
