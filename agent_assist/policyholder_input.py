"""A PolicyholderRecord from JSON: storage's field names, or the policy file of `huifang call`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voice_estimates import VoiceGender

# `huifang call` policy files carry a form of address instead of a gender.
_TITLE_GENDER = {"先生": VoiceGender.MALE, "女士": VoiceGender.FEMALE}


class PolicyholderInputError(ValueError):
    """A policy file that cannot be read or lacks what the voice cues compare; one line."""


def policyholder_from_json(path: Path) -> PolicyholderRecord:
    """Read gender, birth date and the sales chain of one policy from a JSON object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise PolicyholderInputError(f"{path}: {err.strerror or err}") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PolicyholderInputError(f"{path}: not valid JSON: {err}") from err
    if not isinstance(data, dict):
        raise PolicyholderInputError(f"{path}: expected a JSON object")
    try:
        return _record(data)
    except (KeyError, ValueError) as err:
        raise PolicyholderInputError(f"{path}: {err}") from err


def _record(data: dict[str, Any]) -> PolicyholderRecord:
    policy_no = str(_required(data, "policy_no"))
    return PolicyholderRecord(
        policyholder_id=str(data.get("policyholder_id", policy_no)),
        policy_no=policy_no,
        gender=_gender(data),
        birth_date=date.fromisoformat(str(_required(data, "holder_birth_date"))),
        salesperson=str(data.get("salesperson", data.get("salesperson_name", ""))),
        team=str(data.get("team", "")),
        outlet=str(data.get("outlet", "")),
        branch=str(data.get("branch", "")),
    )


def _required(data: dict[str, Any], key: str) -> object:
    if key not in data:
        raise KeyError(f"missing field {key}")
    return data[key]


def _gender(data: dict[str, Any]) -> VoiceGender:
    if "holder_gender" in data:
        return VoiceGender(str(data["holder_gender"]))
    title = data.get("holder_title")
    if title in _TITLE_GENDER:
        return _TITLE_GENDER[title]
    raise ValueError("missing field holder_gender (male/female) or holder_title (先生/女士)")

