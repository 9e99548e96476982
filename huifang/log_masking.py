"""Personal numbers kept out of the logs: every log record of the process, whoever made it
(huifang, uvicorn's access log, SQLAlchemy, pjsua2's bridge), is masked as it is created."""

from __future__ import annotations

import logging
import traceback
from typing import Any

from zhtext.personal_numbers import mask_personal_numbers

_installed: list[bool] = []


def install_log_masking() -> None:
    """Wrap the log-record factory once per process, so every record is masked at creation."""
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def masked_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(make_record(*args, **kwargs))

    logging.setLogRecordFactory(masked_record)
    _installed.append(True)


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """The record with its message, text arguments and traceback masked (in place)."""
    if isinstance(record.msg, str):
        record.msg = mask_personal_numbers(record.msg)
    # Arguments stay arguments: formatters such as uvicorn's access log unpack them.
    if isinstance(record.args, tuple):
        record.args = tuple(_masked(arg) for arg in record.args)
    elif isinstance(record.args, dict):
        record.args = {key: _masked(arg) for key, arg in record.args.items()}
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = mask_personal_numbers(
            "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        )
    return record


def _masked(value: object) -> object:
    return mask_personal_numbers(value) if isinstance(value, str) else value
