"""Random QA sampling: `huifang qa sample` draws the configured share of a day's answered,
unflagged calls (never a flagged one, never twice); in Chromium a reviewer reports a miss on
one of them and the misses are counted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from browser_testkit import chromium, served, sign_in_page
from playwright.sync_api import expect
from web_testkit import seeded_app

from agent_assist.events import Severity
from huifang.cli import main
from storage.analysis_models import CallFlag, FlagKind
from storage.database import Database
from storage.models import CallDirection, CallRecord, Policy

DAY = "2024-11-12"


def _calls(db: Database) -> set[int]:
    """50 answered calls on DAY without a flag and 5 with one; the flagged ids."""
    start = datetime(2024, 11, 12, 2, tzinfo=UTC)  # 10:00 in Beijing
    flagged = set()
    with db.session() as session:
        policy = session.query(Policy).first()
        for n in range(55):
            call = CallRecord(policy=policy, direction=CallDirection.OUTBOUND, sip_uri="sip:x",
                              started_at=start + timedelta(minutes=n), outcome="completed",
                              dialogue_outcome="all_confirmed")  # fmt: skip
            session.add(call)
            session.flush()
            if n >= 50:
                session.add(CallFlag(call_id=call.id, kind=FlagKind.MISLEADING_SALE, rule_id="r",
                                     category="诱导", severity=Severity.HIGH,
                                     raised_at=call.started_at))  # fmt: skip
                flagged.add(call.id)
    return flagged



def test_unflagged_calls_are_sampled_and_a_reported_miss_is_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with seeded_app(tmp_path) as (app, db, _calls_of), served(app) as base, \
            chromium() as browser:  # fmt: skip
        flagged = _calls(db)
        url = ["--db-url", str(db.engine.url)]
        assert main(["qa", "sample", "--date", DAY, "--rate", "0.1", "--seed", "7", *url]) == 0
        drawn = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert len(drawn) == 5  # ceil(10 % of 50)
        assert not {d["call_id"] for d in drawn} & flagged
        assert main(["qa", "sample", "--date", DAY, "--rate", "0.1", *url]) == 0
        assert capsys.readouterr().out == ""  # the day's share is drawn already
        assert main(["qa", "sample", "--date", DAY, "--rate", "1.5", *url]) == 2

        page = browser.new_page()
        sign_in_page(page, base, "rita")
        page.click(".app-nav a[href='qa.html']")
        rows = page.locator("#sample-rows tr")
        expect(rows).to_have_count(5, timeout=20_000)
        expect(page.locator("#qa-counts")).to_contain_text("抽检 5 通")
        form = rows.first.locator("form.finding")
        form.locator("select[name=verdict]").select_option("miss")
        form.locator("select[name=miss_category]").select_option("诱导")
        form.locator("input[name=note]").fill("业务员说稳赚不赔，规则没有标出")
        form.locator("button").click()
        expect(rows).to_have_count(4, timeout=20_000)
        expect(page.locator("#qa-counts")).to_contain_text("漏检 1 通（漏检率 100%）")
