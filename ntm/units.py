"""Finding administrative units by what a person types: a name with or without diacritics, or a GSO code."""

from ntm import store
from ntm.names import normalize, strip_prefix
from ntm.unit import Unit


class UnknownUnit(LookupError):
    pass


def resolve_province(con, text: str) -> Unit:
    """"Ninh Thuận", "ninh thuan", "Tỉnh Ninh Thuận" or "58" -> the province of the 2024 list."""
    provinces = store.provinces(con)
    wanted = str(text).strip()
    by_code = provinces[provinces["code"] == wanted.zfill(2)] if wanted.isdigit() else provinces.iloc[0:0]
    if by_code.empty:
        by_code = provinces[provinces["name_norm"] == strip_prefix(normalize(wanted))]
    if by_code.empty:
        known = ", ".join(f"{r.name} ({r.code})" for r in provinces.itertuples())
        raise UnknownUnit(f"Không tìm thấy tỉnh '{text}'. Có: {known} / "
                          f"Province '{text}' not found. Known: {known}")
    return Unit.from_record(by_code.iloc[0].to_dict())
