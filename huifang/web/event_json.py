"""The frozen event types as JSON for the browser: {"type": class name, "event": fields}."""

from __future__ import annotations

import dataclasses
from enum import Enum
from typing import Any

from huifang.calls.events import CallEvent
from zhtext.personal_numbers import mask_personal_numbers


def event_json(event: CallEvent, *, masked: bool) -> dict[str, Any]:
    """The event as JSON-ready data; masked hides phone and ID digits in its texts."""
    fields = _plain(dataclasses.asdict(event), masked)
    return {"type": type(event).__name__, "event": fields}


def _plain(value: Any, masked: bool) -> Any:
    # Enums become their values and tuples lists, so json.dumps and the browser see plain data.
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item, masked) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, masked) for item in value]
    if isinstance(value, str) and masked:
        return mask_personal_numbers(value)
    return value
