"""The privacy scan of issue 16: after a stored demo-like call whose transcript, flags, notes and
review reasons carry phone, ID and bank-card numbers written every way people write and say
them, nothing an agent or a reviewer can fetch — every GET of the API (JSON, CSV, XLSX), the
live websocket — nor any log line of the process holds a whole number; a supervisor, who may
see them, does (so the scan is not looking at nothing)."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from review_testkit import seed_review
from stored_call_testkit import store_demo_call
from web_testkit import WebRig, sample_hint, sign_in, web_rig

from agent_assist.events import Category, Flag, Leg, Severity
from asr.events import Transcript, TranscriptKind
from huifang.log_masking import install_log_masking
from storage.analysis import store_flags
from storage.models import CallRecord
from storage.transcripts import add_utterance

# (as said or written, the whole number it is): mobiles, IDs, cards, in the formats of finding 1.
SAID = [
    ("我手机是139 2345 6789", "13923456789"),
    ("打139-2345-6789也行", "13923456789"),
    ("或者一三八一二三四五六七八", "13812345678"),
    ("幺三七，嗯，零零零一，二三四五", "13700012345"),
    ("身份证440106 1965 0308 402X", "44010619650308402X"),
    ("身份证号４４０１０６１９７２０７１９０３１５", "440106197207190315"),
    ("卡号6222-0212-3456-7890", "6222021234567890"),
    ("工资卡6217 0000 1234 5678 901", "6217000012345678901"),
]
# The seeded policyholders' own numbers (policies_good.csv) and the review seed's mobile.
STORED = ["13812345678", "13923456789", "13700012345", "02083456789", "13912345678"]
WHOLE = sorted({number for _, number in SAID} | set(STORED))
_CN = str.maketrans("零〇幺一二三四五六七八九", "001123456789")
_SEPARATORS = re.compile(r"[\s\-.，,、嗯]")
# Path parameters: the call with everything on it; any other id is the first row.
_IDS = {"call_id": None, "case_id": 1, "entry_id": 1, "complaint_id": 1, "task_id": 1}
_REQUIRED = {"page": "review", "day": "2024-11-06"}


def _digits(text: str) -> str:
    """The text as a number reader sees it: full-width folded, Chinese numerals as digits,
    separators and fillers gone (so `139 2345 6789` and `一三八…` read as whole numbers)."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", text).translate(_CN))


def _leaks(text: str) -> list[str]:
    """The whole numbers readable in the text."""
    flat = _digits(text)
    return [number for number in WHOLE if number in flat]


def _body_text(kind: str, content: bytes) -> str:
    """Everything a reader gets: JSON/CSV/HTML as text, an XLSX's XML parts, nothing of audio."""
    if "spreadsheetml" in kind:
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "\n".join(book.read(name).decode("utf-8") for name in book.namelist()
                             if name.endswith(".xml"))  # fmt: skip
    if kind.startswith(("audio/", "application/pdf")):
        return ""
    return content.decode("utf-8", errors="replace")


def _get_paths(client: TestClient, call_id: int) -> Iterator[str]:
    """Every GET route of the spec, with its path filled in, and each export as CSV and XLSX."""
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        filled = path
        for name, value in _IDS.items():
            filled = filled.replace("{" + name + "}", str(value or call_id))
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        query = [f"{name}={value}" for name, value in _REQUIRED.items() if name in names]
        if "format" in names:
            for fmt in ("csv", "xlsx"):
                yield filled + "?" + "&".join([*query, f"format={fmt}"])
        else:
            yield filled + ("?" + "&".join(query) if query else "")


def _store_the_call(rig: WebRig, folder: Path) -> int:
    """Ann's call made the demo call, its transcript and a flag quoting every number."""
    call_id = rig.call_of["ann"]
    seed_review(rig.db, rig.call_of, folder)
    store_demo_call(rig.db, call_id, folder)
    with rig.db.session() as session:
        call = session.get(CallRecord, call_id)
        assert call is not None
        for n, (text, _) in enumerate(SAID):
            at = 60.0 + 3 * n
            leg = "customer" if n % 2 else "agent"
            add_utterance(session, call_id, Transcript(TranscriptKind.FINAL, text, at, at + 2, leg))
        said = "，".join(text for text, _ in SAID)
        flag = Flag(rule_id="induce.guaranteed_return", category=Category.INDUCEMENT,
                    subcategory="保本保息", severity=Severity.HIGH, leg=Leg.CUSTOMER,
                    text="业务员说保本保息，" + said, start=60.0, end=90.0, span=(5, 9),
                    explanation="承诺保本保息属于诱导")  # fmt: skip
        store_flags(session, call, [flag], raised_at=call.started_at + timedelta(minutes=5))
    return call_id


def _write_free_text(rig: WebRig, call_id: int) -> None:
    """An agent's note and a reviewer's dismissal and confirmation, each quoting numbers."""
    said = "；".join(text for text, _ in SAID)
    token = sign_in(rig.client, "ann")
    note = rig.client.post(f"/api/calls/{call_id}/notes", headers={"X-CSRF-Token": token},
                           json={"text": said})  # fmt: skip
    assert note.status_code == 201, note.text
    token = sign_in(rig.client, "rita")
    flags = rig.client.get(f"/api/review/calls/{call_id}").json()["flags"]
    handlers = rig.client.get(f"/api/review/calls/{call_id}/handlers").json()
    first, second = flags[0]["id"], flags[-1]["id"]
    dismissed = rig.client.post(f"/api/review/flags/{first}/dismiss",
                                headers={"X-CSRF-Token": token}, json={"reason": said})
    assert dismissed.status_code == 201, dismissed.text
    confirmed = rig.client.post(
        f"/api/review/flags/{second}/confirm", headers={"X-CSRF-Token": token},
        json={"classification": "口头误导-故意", "handler_id": handlers[0]["id"], "note": said},
    )  # fmt: skip
    assert confirmed.status_code == 201, confirmed.text


def _scan(rig: WebRig, user: str, call_id: int, least: int) -> dict[str, list[str]]:
    """What each GET shows `user` whole: {path: numbers}; at least `least` must answer 200."""
    sign_in(rig.client, user)
    found: dict[str, list[str]] = {}
    answered = 0
    for path in _get_paths(rig.client, call_id):
        response = rig.client.get(path)
        assert response.status_code < 500, (user, path, response.text)
        answered += response.status_code == 200
        body = _body_text(response.headers.get("content-type", ""), response.content)
        if leaks := _leaks(body):
            found[path] = leaks
    assert answered >= least, (user, answered)  # the scan saw real answers, not only refusals
    return found


def _websocket_texts(rig: WebRig, user: str, call_id: int) -> list[str]:
    """The events the user's screen gets for the call: settled ones and fresh live ones."""
    sign_in(rig.client, user)
    texts = []
    with rig.client.websocket_connect(f"/ws/calls/{call_id}") as socket:
        assert socket.receive_json()["type"] == "subscribed"
        for n, (text, _) in enumerate(SAID):
            kind = TranscriptKind.PARTIAL if n % 3 == 0 else TranscriptKind.FINAL
            rig.bus.publish(call_id, Transcript(kind, text, 100.0 + n, 101.0 + n, "customer"))
        hint = sample_hint()
        rig.bus.publish(call_id, hint)
        for _ in range(len(SAID) + 1):
            texts.append(str(socket.receive_json()))
    return texts


def test_no_whole_number_reaches_an_agent_or_a_reviewer(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    install_log_masking()
    caplog.set_level(logging.DEBUG)
    with web_rig(tmp_path) as rig:
        call_id = _store_the_call(rig, tmp_path)
        _write_free_text(rig, call_id)
        assert _scan(rig, "ann", call_id, 9) == {}
        seen = rig.client.get(f"/api/calls/{call_id}/transcript").text  # masked, not missing
        assert "139 **** 6789" in seen and "****-****-****-7890" in seen
        assert _scan(rig, "rita", call_id, 45) == {}
        for text in _websocket_texts(rig, "ann", call_id):
            assert _leaks(text) == [], text
        shown = _scan(rig, "sam", call_id, 45)  # supervisors see them: the data was there
        transcript = f"/api/calls/{call_id}/transcript"
        assert set(shown[transcript]) >= {number for _, number in SAID}
        sam_live = " ".join(_websocket_texts(rig, "sam", call_id))
        assert _leaks(sam_live)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged.strip(), "the scan logged nothing: the log check would prove nothing"
    assert _leaks(logged) == [], logged
