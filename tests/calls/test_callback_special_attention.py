"""A listed salesperson's policy is called back with the stricter 特别关注 script; one a
listing gave to a named agent (专人回访) is never the robot's, whatever the kind of call."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from callback_testkit import ROOT, CustomerPeer, call_env, run_call
from sqlalchemy import select
from stored_testkit import CallbackServer, db_url, import_policies, open_db, policy_row

from huifang.calls.inbound import dedicated_agent_uri
from huifang.calls.policy_lookup import (
    DedicatedAgent,
    DedicatedAgentError,
    load_policy,
    robot_policy,
)
from scripts_zh.policy import ProductFamily
from scripts_zh.script_loader import load_script, script_for
from storage.attention import (
    Listing,
    RevocationBasis,
    observe_entry,
    rectify_entry,
    report_entry,
    revoke_entry,
)
from storage.attention_models import AttentionGround, AttentionSeverity, AttentionSubject
from storage.dedicated_callbacks import finish_assignment
from storage.models import CallRecord, User, UserRole
from storage.queue_models import CallbackAssignment

PLAIN = load_script(ProductFamily.TRADITIONAL)
STRICT = load_script(ProductFamily.TRADITIONAL, special_attention=True)


def _add(url: str, env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "huifang", "attention", "add", "--ground", "tampered_data", *args,
         "--db-url", url],
        capture_output=True, text=True, cwd=ROOT, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_record_and_script_follow_the_list_today(tmp_path: Path) -> None:
    url = db_url(tmp_path)
    env = call_env(tmp_path / "rec", HUIFANG_DB_URL=url)
    rows = [
        policy_row("P-LISTED", "13800001234"),
        policy_row("P-TEAM", "13800001235", salesperson="张伟", team="天河二组"),
        policy_row("P-PLAIN", "13800001236", salesperson="赵磊", team="西湖三组",
                   branch="浙江分公司"),
    ]  # fmt: skip
    import_policies(tmp_path, rows, env)
    db = open_db(url)
    try:
        assert not load_policy(db, "P-LISTED").record.special_attention
        with db.session() as session:
            seller = report_entry(
                session, AttentionSubject.SALESPERSON, "李明", "客户投诉代签名",
                listing=Listing(AttentionGround.TAMPERED_DATA, AttentionSeverity.MINOR),
                by="质检",
            ).id
            report_entry(session, AttentionSubject.TEAM, "天河二组", "退保率高",
                         listing=Listing(AttentionGround.CONCENTRATED, AttentionSeverity.MINOR),
                         by="质检")  # fmt: skip
        listed = {no: load_policy(db, no).record for no in ("P-LISTED", "P-TEAM", "P-PLAIN")}
        assert {no: r.special_attention for no, r in listed.items()} == {
            "P-LISTED": True, "P-TEAM": True, "P-PLAIN": False,
        }  # fmt: skip
        assert script_for(listed["P-LISTED"]).version == STRICT.version != PLAIN.version
        assert script_for(listed["P-PLAIN"]).version == PLAIN.version
        with db.session() as session:
            rectify_entry(session, seller, "录音属实", by="主管")
            observe_entry(session, seller, "整改到位", by="主管")
        assert load_policy(db, "P-LISTED").record.special_attention  # observed: still listed
        with db.session() as session:
            revoke_entry(session, seller, "核查无违规", basis=RevocationBasis.VERIFICATION,
                         by="主管")  # fmt: skip
        assert not load_policy(db, "P-LISTED").record.special_attention
    finally:
        db.close()


@pytest.mark.slow
def test_a_real_callback_to_a_listed_sellers_policy_runs_the_strict_script(
    tmp_path: Path,
) -> None:
    url = db_url(tmp_path)
    env = call_env(tmp_path / "rec", HUIFANG_DB_URL=url)
    import_policies(tmp_path, [policy_row("P-STRICT", "13800001234")], env)
    since = (date.today() - timedelta(days=10)).isoformat()
    _add(url, env, "--salesperson", "李明", "--reason", "客户投诉代签名", "--date", since)
    peer = CustomerPeer("start+1:hangup")
    try:
        run = run_call([peer.uri, "--policy", "P-STRICT"], env, timeout=120)
    finally:
        peer.kill()
    assert run.outcome is not None, run.stderr
    assert run.outcome["script_version"] == STRICT.version
    assert run.outcome["script_id"] == STRICT.script_id


def _give_to_ann(url: str) -> int:
    """List 李明 as 较重 with agent ann (专人回访): his open policies become ann's; her id."""
    db = open_db(url)
    try:
        with db.session() as session:
            ann = User(username="ann", password_hash="x", role=UserRole.AGENT,
                       created_at=datetime.now(UTC))  # fmt: skip
            session.add(ann)
            session.flush()
            report_entry(session, AttentionSubject.SALESPERSON, "李明", "客户投诉承诺保本",
                         listing=Listing(AttentionGround.EXAGGERATED_RETURNS,
                                         AttentionSeverity.SERIOUS, ann),
                         by="主管", on=date.today() - timedelta(days=30))  # fmt: skip
            return ann.id
    finally:
        db.close()


def test_no_robot_call_kind_takes_a_policy_given_to_a_named_agent(tmp_path: Path) -> None:
    url = db_url(tmp_path)
    env = call_env(tmp_path / "rec", HUIFANG_DB_URL=url)
    import_policies(tmp_path, [policy_row("P-ANN", "13800001234"),
                               policy_row("P-ROBOT", "13800001235", salesperson="赵磊")], env)
    _give_to_ann(url)
    db = open_db(url)
    try:
        # The one check every robot path goes through (huifang call, campaign attempts,
        # the desk's 预回访) and the one inbound calls read.
        assert load_policy(db, "P-ANN").dedicated_agent is not None
        assert load_policy(db, "P-ROBOT").dedicated_agent is None
        assert robot_policy(db, "P-ROBOT").record.policy_no == "P-ROBOT"
        with pytest.raises(DedicatedAgentError, match="agent ann"):
            robot_policy(db, "P-ANN")
        with db.session() as session:
            finish_assignment(session.scalars(select(CallbackAssignment)).one(), None)
        with pytest.raises(DedicatedAgentError):  # done by ann: still never the robot's
            robot_policy(db, "P-ANN")
    finally:
        db.close()
    done = subprocess.run(
        [sys.executable, "-m", "huifang", "call", "sip:13800001234@127.0.0.1:9", "--policy",
         "P-ANN"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "专人回访" in done.stderr and "ann" in done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr


def test_the_agent_template_fills_in_the_login() -> None:
    ann = DedicatedAgent(7, "王 芳")
    assert dedicated_agent_uri("sip:{agent}@pbx", ann) == "sip:%E7%8E%8B%20%E8%8A%B3@pbx"
    assert dedicated_agent_uri("", ann) == ""


@pytest.mark.slow
def test_an_inbound_caller_of_a_listed_sellers_policy_reaches_the_named_agent(
    tmp_path: Path,
) -> None:
    agent = CustomerPeer(user="ann")  # ann's softphone: answers and listens
    url = db_url(tmp_path)
    env = call_env(tmp_path / "rec", HUIFANG_DB_URL=url,
                   HUIFANG_CALLBACK_DEDICATED_AGENT_URI=f"sip:{{agent}}@127.0.0.1:{agent.port}")
    import_policies(tmp_path, [policy_row("P-ANN", "13800001234")], env)
    ann_id = _give_to_ann(url)
    server = CallbackServer(env)
    caller = CustomerPeer("start+1:key:1", dial=server.uri(), user="13800001234")
    try:
        agent.wait_for_state("CONFIRMED", 90)
        entry = server.next_call(30)
    finally:
        caller.kill()
        agent.kill()
        server.kill()
    assert entry["handling"] == "dedicated_agent" and entry["dedicated_agent"] == "ann"
    assert entry["policy_no"] == "P-ANN" and entry["call"]["outcome"] == "transferred"
    db = open_db(url)
    try:
        with db.session() as session:
            call = session.get(CallRecord, entry["call_id"])
            assert call is not None and call.agent_id == ann_id  # on ann's list of calls
            assert call.answers == [] and call.dialogue_outcome is None  # the robot asked nothing
    finally:
        db.close()
