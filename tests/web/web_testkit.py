"""Shared helpers for the web tests: an app on a fresh SQLite database with users, policies
and calls, driven through FastAPI's TestClient."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from agent_assist.events import Category, Flag, Hint, Leg, Severity
from huifang.calls.bus import InProcessEventBus
from huifang.settings import Settings
from huifang.web.app import create_app
from huifang.web.deps import web_settings
from huifang.web.user_accounts import add_user
from storage.database import Database, open_database
from storage.models import AnswerEvidence, CallDirection, ItemAnswer, UserRole, Verdict
from storage.policy_import import import_policy_file
from storage.repository import Repository

GOOD_CSV = Path(__file__).parents[1] / "storage" / "data" / "policies_good.csv"
PASSWORD = "correct horse 回访"
# Said by the customer on the first seeded call: an ID number roles without the right must not see.
SPOKEN_ID = "身份证号440106196503081234"


@dataclass
class WebRig:
    """The running app's client, its database and bus, and what was seeded."""

    client: TestClient
    db: Database
    bus: InProcessEventBus
    call_of: dict[str, int] = field(default_factory=dict)  # agent name -> their call's id


def settings_for(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings pointing at a database under tmp_path, nothing read from .env."""
    settings = Settings(_env_file=None, db_url=f"sqlite:///{tmp_path / 'web.db'}")
    return settings.model_copy(update=overrides)


@contextmanager
def web_rig(tmp_path: Path, **overrides: Any) -> Iterator[WebRig]:
    """An app (lifespan run) on a seeded database: agents ann and bob with a call each,
    plus reviewer rita, supervisor sam and admin ada."""
    with seeded_app(tmp_path, **overrides) as (app, db, call_of), TestClient(app) as client:
        yield WebRig(client, db, app.state.event_bus, call_of)


@contextmanager
def seeded_app(
    tmp_path: Path, **overrides: Any
) -> Iterator[tuple[FastAPI, Database, dict[str, int]]]:
    """An app (not started) on a seeded database, the database, and each agent's call id."""
    settings = settings_for(tmp_path, **overrides)
    db = open_database(settings.db_url)
    try:
        call_of = _seed(db)
        app = create_app(InProcessEventBus())
        app.dependency_overrides[web_settings] = lambda: settings
        yield app, db, call_of
    finally:
        db.close()


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign the client in; the CSRF token for later changes."""
    response = client.post("/api/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


def sample_hint() -> Hint:
    """A hint as agent_assist raises it for a promised return (保本)."""
    text = "业务员说这个保本保息，每年稳赚百分之五"
    flag = Flag(
        rule_id="induce.guaranteed_return", category=Category.INDUCEMENT,
        subcategory="保本保息", severity=Severity.HIGH, leg=Leg.CUSTOMER, text=text,
        start=12.5, end=15.0, span=(6, 10), explanation="承诺保本保息属于诱导",
        suggested_wording="向客户说明本产品不保证收益",
    )  # fmt: skip
    return Hint(flag=flag, message="客户称业务员承诺保本", suggested_wording=flag.suggested_wording)


def _seed(db: Database) -> dict[str, int]:
    import_policy_file(db, GOOD_CSV)
    call_of: dict[str, int] = {}
    with db.session() as session:
        repo = Repository(session)
        users = {
            name: add_user(session, name, role, PASSWORD)
            for name, role in [("ann", UserRole.AGENT), ("bob", UserRole.AGENT),
                               ("rita", UserRole.REVIEWER), ("sam", UserRole.SUPERVISOR),
                               ("ada", UserRole.ADMIN)]
        }  # fmt: skip
        for minute, (number, agent) in enumerate(
            [("8644012024110001", "ann"), ("8644012024110002", "bob")]
        ):
            policy = repo.policy(number)
            assert policy is not None
            call = repo.start_call(
                policy, CallDirection.OUTBOUND, f"sip:{policy.phone}@pbx",
                started_at=datetime(2024, 11, 6, 9, minute, tzinfo=UTC),
            )  # fmt: skip
            call.agent_id = users[agent].id
            call_of[agent] = call.id
        _add_identity_answer(session, call_of["ann"])
    return call_of


def _add_identity_answer(session: Session, call_id: int) -> None:
    answer = ItemAnswer(call_id=call_id, step_id="identity", item=1, verdict=Verdict.CONFIRMED)
    answer.evidence.append(
        AnswerEvidence(seq=0, text=SPOKEN_ID, start_ms=1000, end_ms=3000, source="speech")
    )
    session.add(answer)
