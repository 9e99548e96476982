"""`huifang serve` under the malformed-SIP corpus: a policy call then completes, and the
process printed no traceback (the peer's doing is never our error)."""

from __future__ import annotations

from pathlib import Path

import pytest
from callback_testkit import CustomerPeer, call_env
from sip_fuzz import load_corpus, send_corpus
from stored_testkit import CallbackServer, db_url, import_policies, policy_row

pytestmark = pytest.mark.slow
KEYPAD_YES = ("end:key:1", "start+1:key:4021", *["start+1:key:1"] * 6)


def test_after_the_fuzz_corpus_a_policy_call_completes_without_a_traceback(
        tmp_path: Path) -> None:
    url = db_url(tmp_path)
    env = call_env(tmp_path / "rec", HUIFANG_DB_URL=url, HUIFANG_SIP_ACK_TIMEOUT_S="1")
    import_policies(tmp_path, [policy_row("P2026001799", "13700001799")], env)
    server = CallbackServer(env)
    try:
        report = send_corpus("127.0.0.1", server.port, budget_s=60)
        assert report.sent == len(load_corpus()) >= 500
        lines = []
        while not server.calls.empty():  # fuzz INVITEs that became calls, or were refused
            lines.append(server.next_call(1))
        caller = CustomerPeer(*KEYPAD_YES, dial=server.uri(), user="13700001799")
        try:
            entry = server.next_call(120)
            while entry.get("policy_no") != "P2026001799":
                lines.append(entry)
                entry = server.next_call(120)
        finally:
            caller.kill()
        assert server.terminate() == 0, server.stderr[-4000:]
    finally:
        server.kill()
    assert entry["completed"], entry
    assert "Traceback" not in server.stderr, server.stderr[-6000:]
    outcomes = {line["call"]["outcome"] for line in lines if "call" in line}
    assert "unusable_offer" in outcomes, outcomes  # IPv6, unresolvable, no codec: 488, stored
