"""A listed salesperson's policy is called back with the stricter 特别关注 script."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from callback_testkit import ROOT, CustomerPeer, call_env, run_call
from stored_testkit import db_url, import_policies, open_db, policy_row

from huifang.calls.policy_lookup import load_policy
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
