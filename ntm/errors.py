"""Bilingual, located error messages for bad input (file, sheet, row, column)."""

from dataclasses import dataclass

from ntm.i18n import t

EXCERPT_CHARS = 60
LIMITS = {"file": 120, "sheet": 60, "column": 60, "vi": 600, "en": 600}  # a 2 MB cell is never echoed whole


def excerpt(value, limit: int = EXCERPT_CHARS) -> str:
    """A value as it may be quoted in a message: one line, at most `limit` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    vi: str
    en: str
    sheet: str | None = None

    def __post_init__(self):
        for name, limit in LIMITS.items():
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, excerpt(value, limit))

    def where(self, lang: str) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(t("where_sheet", lang, name=self.sheet))
        if self.row is not None:
            parts.append(t("where_row", lang, row=self.row))
        if self.column:
            parts.append(t("where_column", lang, name=self.column))
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.where('vi')}: {self.vi} / {self.where('en')}: {self.en}"


class DataError(Exception):
    """Raised with every problem found; nothing has been changed when it is raised."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        head = (f"{len(problems)} lỗi dữ liệu, không thay đổi gì / "
                f"{len(problems)} data error(s), nothing was changed")
        super().__init__(head + "\n" + "\n".join(f"- {p}" for p in problems[:50]))
