"""A bad HUIFANG_* value (the SIP allow-list with a typo, a port that is no number, a list that
is no JSON) stops a command with one line naming the variable, exit 2, no traceback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from huifang.cli import main
from huifang.settings import get_settings


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    get_settings.cache_clear()  # read again from this test's environment
    yield
    get_settings.cache_clear()


@pytest.mark.parametrize(("variable", "value", "said"), [
    ("HUIFANG_SIP_ALLOWED_SOURCES", '["10.0.0.0/33"]',
     "HUIFANG_SIP_ALLOWED_SOURCES: Value error, '10.0.0.0/33' does not appear to be"),
    ("HUIFANG_SIP_CALLS_PER_SOURCE", "-1",
     "HUIFANG_SIP_CALLS_PER_SOURCE: Input should be greater than or equal to 0"),
    ("HUIFANG_SIP_PORT", "abc", "HUIFANG_SIP_PORT: Input should be a valid integer"),
    ("HUIFANG_SIP_ALLOWED_SOURCES", "10.0.0.1",
     'error parsing value for field "sip_allowed_sources"'),
])
@pytest.mark.parametrize("command", [["serve"], ["call", "sip:c@127.0.0.1", "--policy", "P1"]])
def test_a_bad_setting_is_one_line_and_exit_2(
        command: list[str], variable: str, value: str, said: str,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(variable, value)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith("huifang: error: settings: ") and said in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
