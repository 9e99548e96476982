"""One row of a policy import file, validated: what a good row is and why a bad one is bad."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from scripts_zh.policy import ProductFamily
from storage.families import parse_family
from storage.models import Gender
from storage.policy_term import parse_term
from zhtext.phones import normalise_phone

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
_GENDERS = {
    "男": Gender.MALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "1": Gender.MALE,
    "女": Gender.FEMALE,
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
    "2": Gender.FEMALE,
}
# Regulation: at least 15 days for policies over one year; beyond 60 is surely a typing error.
MIN_COOLING_OFF_DAYS = 15
MAX_COOLING_OFF_DAYS = 60
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def _parse_date(value: Any) -> date:
    """A date from a spreadsheet cell or text in the usual Chinese office formats."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use YYYY-MM-DD)")


def _parse_gender(value: Any) -> Gender:
    """男/女 (or M/F, male/female, GB/T 2261 codes 1/2)."""
    gender = _GENDERS.get(str(value).strip().lower())
    if gender is None:
        raise ValueError(f"{str(value).strip()!r} is not a gender (use 男 or 女)")
    return gender


def _parse_id_last4(value: Any) -> str:
    """The last four characters of a resident ID: three digits and a digit or X."""
    text = str(value).strip().upper()
    if not re.fullmatch(r"\d{3}[\dX]", text):
        raise ValueError(f"{text!r} is not the last four of an ID number (e.g. 0312 or 402X)")
    return text


def _parse_family(value: Any) -> ProductFamily:
    return parse_family(str(value))


def _parse_phone(value: Any) -> str:
    return normalise_phone(str(value))


def _parse_policy_no(value: Any) -> str:
    text = str(value).strip().upper()
    if not re.fullmatch(r"[0-9A-Z\-]{4,32}", text):
        raise ValueError(f"{text!r} is not a policy number (4-32 letters, digits, dashes)")
    return text


Name = Annotated[str, Field(min_length=1, max_length=50)]


class PolicyRow(BaseModel):
    """A policy as an import row states it; construction fails with the reasons it is bad."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True, extra="forbid")

    policy_no: Annotated[str, BeforeValidator(_parse_policy_no)]
    product_family: Annotated[ProductFamily, BeforeValidator(_parse_family)]
    holder_name: Name
    holder_gender: Annotated[Gender, BeforeValidator(_parse_gender)]
    holder_birth_date: Annotated[date, BeforeValidator(_parse_date)]
    holder_id_last4: Annotated[str, BeforeValidator(_parse_id_last4)]
    phone: Annotated[str, BeforeValidator(_parse_phone)]
    sign_date: Annotated[date, BeforeValidator(_parse_date)]
    receipt_date: Annotated[date, BeforeValidator(_parse_date)]
    cooling_off_days: int = Field(ge=MIN_COOLING_OFF_DAYS, le=MAX_COOLING_OFF_DAYS)
    salesperson: Name
    team: Name
    outlet: Annotated[str, Field(min_length=1, max_length=100)]
    branch: Name
    product_name: Annotated[str, Field(max_length=100)] = ""
    insured_name: Annotated[str, Field(max_length=50)] = ""
    premium_yuan: int = Field(0, ge=0)
    payment_years: int = Field(0, ge=0, le=100)
    payment_frequency: Annotated[str, Field(max_length=8)] = ""
    # 保险期间: (as stored, months of a fixed term); ("", None) when the file does not say.
    coverage_term: Annotated[tuple[str, int | None], BeforeValidator(parse_term)] = ("", None)


def date_order_problems(row: PolicyRow) -> list[tuple[str, str]]:
    """(column, problem) for dates out of order; {column} placeholders name other columns.

    Kept out of the model so the problem can name the columns as the file's header does.
    """
    problems: list[tuple[str, str]] = []
    if row.receipt_date < row.sign_date:
        problems.append(
            ("receipt_date", f"{row.receipt_date} is before {{sign_date}} {row.sign_date}")
        )
    if row.holder_birth_date >= row.sign_date:
        birth = f"{row.holder_birth_date} is not before {{sign_date}} {row.sign_date}"
        problems.append(("holder_birth_date", birth))
    elif row.holder_birth_date < EARLIEST_BIRTH_DATE:
        problems.append(
            ("holder_birth_date", f"{row.holder_birth_date} is not a plausible birth date")
        )
    return problems
