"""Logs are an outward path too: every record of the process is masked as it is made,
uvicorn's access log (whose formatter unpacks its arguments) included."""

from __future__ import annotations

import logging

import pytest
from uvicorn.logging import AccessFormatter

from huifang.log_masking import install_log_masking


def test_log_records_are_masked_whoever_logs_them(caplog: pytest.LogCaptureFixture) -> None:
    install_log_masking()
    caplog.set_level(logging.INFO)
    logging.getLogger("huifang.callback").info("dialling %s for 保单 %s", "13812345678",
                                               "8644012024110001")  # fmt: skip
    logging.getLogger("anything").warning("客户说身份证440106 1965 0308 402X")
    try:
        raise ValueError("phone number '139-2345-6789' is not valid")
    except ValueError:
        logging.getLogger("huifang").exception("import failed")
    text = caplog.text
    assert "138****5678" in text and "8644012024110001" in text
    assert "****** **** **** 402X" in text
    assert "139-****-6789" in text and "2345" not in text


def test_the_access_log_still_formats_and_is_masked() -> None:
    install_log_masking()
    record = logging.getLogger("uvicorn.access").makeRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/calls?phone=13812345678", "1.1", 200), None,
    )  # fmt: skip
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)
    assert line == '127.0.0.1:5000 - "GET /api/calls?phone=138****5678 HTTP/1.1" 200 OK'
