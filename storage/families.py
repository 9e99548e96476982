"""Product families (产品类型) as the import files name them and as the database stores them."""

from __future__ import annotations

from scripts_zh.policy import ProductFamily

# The stored code is the script id of scripts_zh/data/<code>.yaml: ASCII, stable, greppable.
FAMILY_CODES: dict[ProductFamily, str] = {
    ProductFamily.TRADITIONAL: "traditional",
    ProductFamily.PARTICIPATING: "participating",
    ProductFamily.UNIVERSAL: "universal",
    ProductFamily.UNIT_LINKED: "unit_linked",
    ProductFamily.HEALTH: "health",
}

# Names insurers' exports use besides the codes and the scripts' own names (健康/重疾).
_ALIASES: dict[str, ProductFamily] = {
    "传统型": ProductFamily.TRADITIONAL,
    "普通型": ProductFamily.TRADITIONAL,
    "分红型": ProductFamily.PARTICIPATING,
    "万能型": ProductFamily.UNIVERSAL,
    "投资连结": ProductFamily.UNIT_LINKED,
    "投资连结型": ProductFamily.UNIT_LINKED,
    "投连型": ProductFamily.UNIT_LINKED,
    "健康": ProductFamily.HEALTH,
    "重疾": ProductFamily.HEALTH,
    "健康险": ProductFamily.HEALTH,
    "重疾险": ProductFamily.HEALTH,
}

_BY_NAME: dict[str, ProductFamily] = {
    **{code: family for family, code in FAMILY_CODES.items()},
    **{family.value: family for family in ProductFamily},
    **_ALIASES,
}


def family_codes(_: object = None) -> list[str]:
    """The stored codes in ProductFamily order (SQLAlchemy's values_callable)."""
    return [FAMILY_CODES[family] for family in ProductFamily]


def parse_family(name: str) -> ProductFamily:
    """The family a name means (code, 分红, 分红型 …); ValueError naming the accepted ones."""
    family = _BY_NAME.get(name.strip().lower())
    if family is None:
        accepted = ", ".join(FAMILY_CODES.values()) + " or 传统/分红/万能/投连/健康/重疾"
        raise ValueError(f"unknown product family {name.strip()!r}: use {accepted}")
    return family
