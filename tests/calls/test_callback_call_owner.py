"""A call record names the process handling it, so a crash recovery elsewhere leaves it be."""

from __future__ import annotations

import os
from pathlib import Path

from huifang.calls.record import start_call_record
from storage.database import open_database
from storage.models import CallDirection, CallRecord
from storage.recovery import on_this_node, settle_open_calls


def test_a_started_call_carries_its_owner_and_is_not_settled_while_it_runs(
        tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'db.sqlite'}", node="node-a")
    try:
        started = start_call_record(database, None, CallDirection.INBOUND, "sip:138@x")
        with database.session() as session:
            call = session.get(CallRecord, started.call_id)
            assert call is not None
            assert (call.owner_node, call.owner_pid) == ("node-a", os.getpid())
        assert settle_open_calls(database, on_this_node("node-a")) == []  # we still run
    finally:
        database.close()
