"""The bus's events on the wire between nodes: JSON of the closed event vocabulary, masked.

Only the types `CallEvent` names travel; texts have personal numbers masked before they leave
the node, so a remote screen never receives a phone or ID number in clear.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from enum import Enum
from typing import Any

from huifang.calls.events import CallEvent
from zhtext.personal_numbers import mask_personal_numbers


class WireError(ValueError):
    """A message from another node that is no event of the vocabulary."""


EVENT_TYPES: dict[str, type] = {cls.__name__: cls for cls in typing.get_args(CallEvent)}


def encode(node: str, call_id: int, event: CallEvent) -> str:
    """One event as a JSON text naming the node it came from; strings masked."""
    fields = _plain(dataclasses.asdict(event))
    return json.dumps({"node": node, "call": call_id, "type": type(event).__name__,
                       "event": fields}, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> tuple[str, int, CallEvent]:
    """The node, call id and event of a wire message; WireError when it is none."""
    try:
        data = json.loads(text)
        cls = EVENT_TYPES[data["type"]]
        event = _build(cls, data["event"])
        return str(data["node"]), int(data["call"]), event
    except (KeyError, TypeError, ValueError) as err:
        raise WireError(f"not a call event: {err}") from err


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return mask_personal_numbers(value)
    return value


def _build(cls: type, fields: dict[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    return cls(**{name: _value(hints[name], item) for name, item in fields.items()
                  if name in known})


def _value(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        for option in options:
            if option is type(None):
                continue
            try:
                return _value(option, value)
            except (TypeError, ValueError, KeyError):
                continue
        raise ValueError(f"{value!r} fits none of {hint}")
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], item) for item in value)
        return tuple(_value(arg, item) for arg, item in zip(args, value, strict=True))
    if origin in (list, frozenset, set):
        (arg,) = typing.get_args(hint)
        return origin(_value(arg, item) for item in value)
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        return {_value(key_type, k): _value(value_type, v) for k, v in value.items()}
    if origin is typing.Literal:
        if value not in typing.get_args(hint):
            raise ValueError(f"{value!r} not in {hint}")
        return value
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise TypeError(f"{hint.__name__} wants an object")
        return _build(hint, value)
    if hint is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if hint in (int, str, bool) and not isinstance(value, hint):
        raise TypeError(f"{value!r} is no {hint.__name__}")
    return value
