"""Phone numbers, product families and the masked view of personal data."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from storage_testkit import GOOD_CSV, sqlite_db

from scripts_zh.policy import ProductFamily
from storage.database import Database
from storage.families import FAMILY_CODES, parse_family
from storage.masking import mask_id_last4, mask_phone
from storage.policy_import import import_policy_file
from storage.policy_view import policy_record, policy_view
from storage.repository import Repository
from zhtext.phones import caller_digits, normalise_phone


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("13812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 199 0000 1111", "19900001111"),
        ("0086 13812345678", "13812345678"),
        ("010-62345678", "01062345678"),
        ("(0755) 2345 6789", "075523456789"),
        ("0571-8765432", "05718765432"),
    ],
)
def test_good_numbers_normalise(text: str, digits: str) -> None:
    assert normalise_phone(text) == digits


@pytest.mark.parametrize(
    "text",
    ["1381234567", "12812345678", "138123456789", "62345678", "010-123456", "138abcd5678", ""],
)
def test_bad_numbers_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"phone number|empty"):
        normalise_phone(text)


def test_caller_ids_reduce_to_the_stored_form() -> None:
    assert caller_digits("sip:+8613812345678@pbx;transport=tcp") == "13812345678"
    assert caller_digits("013812345678") == "13812345678"
    assert caller_digits("sip:anonymous@invalid") is None


def test_masks() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("01062345678") == "010****5678"
    assert mask_phone("075523456789") == "0755****6789"
    assert mask_id_last4("402X") == "**************402X"


@pytest.mark.parametrize(
    ("name", "family"),
    [
        ("traditional", ProductFamily.TRADITIONAL),
        ("传统", ProductFamily.TRADITIONAL),
        ("分红型", ProductFamily.PARTICIPATING),
        ("Universal", ProductFamily.UNIVERSAL),
        ("投连", ProductFamily.UNIT_LINKED),
        ("unit_linked", ProductFamily.UNIT_LINKED),
        ("健康", ProductFamily.HEALTH),
        ("重疾", ProductFamily.HEALTH),
        ("健康/重疾", ProductFamily.HEALTH),
    ],
)
def test_family_names(name: str, family: ProductFamily) -> None:
    assert parse_family(name) is family


def test_every_family_has_a_callback_script() -> None:
    """The stored codes are the script ids of scripts_zh/data, one file per family."""
    data = Path(__file__).parents[2] / "scripts_zh" / "data"
    assert all((data / f"{code}.yaml").is_file() for code in FAMILY_CODES.values())


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = sqlite_db(tmp_path)
    import_policy_file(database, GOOD_CSV)
    yield database
    database.close()


def test_masked_view_hides_phone_and_id(db: Database) -> None:
    with db.session() as session:
        policy = Repository(session).policy("8644012024110001")
        assert policy is not None
        masked, plain = policy_view(policy), policy_view(policy, masked=False)
        record = policy_record(policy)
    assert (masked["phone"], masked["holder_id_last4"]) == ("138****5678", "**************402X")
    assert (plain["phone"], plain["holder_id_last4"]) == ("13812345678", "402X")
    assert "13812345678" not in str(masked)
    assert masked["family"] == "participating" and masked["cooling_off_deadline"] == "2024-11-19"
    assert (record.holder_title, record.family, record.payment_years) == (
        "女士",
        ProductFamily.PARTICIPATING,
        10,
    )
