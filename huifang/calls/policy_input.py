"""Where `huifang call` gets its policy record: a JSON file now, the policy store later."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from scripts_zh.policy import PolicyRecord


class PolicyInputError(ValueError):
    """A policy record that cannot be read or is not valid; one line, naming the source."""


_ADAPTER: TypeAdapter[PolicyRecord] = TypeAdapter(PolicyRecord)
_FIELDS = frozenset(f.name for f in dataclasses.fields(PolicyRecord))


def policy_from_json(path: Path) -> PolicyRecord:
    """A PolicyRecord from a JSON object whose keys are PolicyRecord's fields."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise PolicyInputError(f"{path}: {err.strerror or err}") from err
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PolicyInputError(f"{path}: not valid JSON: {err}") from err
    # Unknown keys are refused: a misspelt field must not silently fall back to a default.
    unknown = sorted(set(data) - _FIELDS) if isinstance(data, dict) else []
    if unknown:
        raise PolicyInputError(f"{path}: unknown field(s): {', '.join(unknown)}")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "record"
        raise PolicyInputError(
            f"{path}: {where}: {first['msg']} ({err.error_count()} problem(s))") from err
