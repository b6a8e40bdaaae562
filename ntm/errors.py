"""Bilingual, located error messages for bad input (file, sheet, row, column)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    vi: str
    en: str
    sheet: str | None = None

    def where(self, lang: str) -> str:
        vi = lang == "vi"
        parts = [self.file]
        if self.sheet:
            parts.append(f"{'trang tính' if vi else 'sheet'} '{self.sheet}'")
        if self.row is not None:
            parts.append(f"{'dòng' if vi else 'row'} {self.row}")
        if self.column:
            parts.append(f"{'cột' if vi else 'column'} '{self.column}'")
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
