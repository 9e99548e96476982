"""The columns of a policy import file: canonical names and the Chinese headers exports use."""

from __future__ import annotations

from types import MappingProxyType

# Canonical name → headers accepted for it (the canonical name itself is always accepted).
REQUIRED_COLUMNS = MappingProxyType(
    {
        "policy_no": ("保单号", "保单号码"),
        "product_family": ("产品类型", "险种类型", "产品类别"),
        "holder_name": ("投保人姓名", "投保人"),
        "holder_gender": ("投保人性别", "性别"),
        "holder_birth_date": ("投保人出生日期", "出生日期"),
        "holder_id_last4": ("证件号后四位", "身份证后四位"),
        "phone": ("联系电话", "手机号", "电话"),
        "sign_date": ("投保日期", "签单日期"),
        "receipt_date": ("回执签收日期", "回执日期", "签收日期"),
        "cooling_off_days": ("犹豫期天数", "犹豫期"),
        "salesperson": ("业务员", "销售人员"),
        "team": ("团队", "营业组"),
        "outlet": ("网点", "营业部"),
        "branch": ("分公司", "机构"),
    }
)

# What the callback script also uses when a file has it; absent columns take defaults.
OPTIONAL_COLUMNS = MappingProxyType(
    {
        "product_name": ("产品名称", "险种名称"),
        "insured_name": ("被保险人", "被保险人姓名"),
        "premium_yuan": ("保费", "期交保费"),
        "payment_years": ("缴费年期", "缴费期间"),
        "payment_frequency": ("缴费频率", "缴费方式"),
        "coverage_term": ("保险期间", "保障期间", "保险期限"),
    }
)

_BY_HEADER = {
    header: name
    for columns in (REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    for name, aliases in columns.items()
    for header in (name, *aliases)
}


def column_for_header(header: str) -> str | None:
    """The canonical column a header names, None for a column we do not import."""
    return _BY_HEADER.get(header.strip().lstrip("\ufeff").lower())
