"""Vietnamese name normalisation: compare names with or without diacritics."""

import re
import unicodedata


def normalize(text: str) -> str:
    """Lower case, no diacritics, đ -> d, single spaces: "Ninh Thuận" -> "ninh thuan"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", text).strip().lower()


UNIT_PREFIXES = ("tinh ", "thanh pho ", "tp. ", "tp ", "huyen ", "thi xa ", "xa ", "phuong ", "thi tran ")


def strip_prefix(norm: str) -> str:
    """Drop a leading administrative type from a normalised name ("tinh ninh thuan" -> "ninh thuan")."""
    for prefix in UNIT_PREFIXES:
        if norm.startswith(prefix):
            return norm[len(prefix):]
    return norm
