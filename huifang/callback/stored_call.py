"""One automated callback to a stored policy, stored as it happens (`huifang call --policy`,
campaign attempts)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from asr.engines import Engine
from huifang.callback.call_store import (
    fail_call_record,
    finish_call_record,
    load_policy,
    start_call_record,
)
from huifang.callback.dialer import call_policyholder
from huifang.callback.options import CallbackOptions
from huifang.callback.outcome import CallbackOutcome
from huifang.prompt_audio.cache import PromptCache
from ivr.phone import Phone
from storage.database import Database
from storage.models import CallDirection


@dataclass(frozen=True)
class StoredCallback:
    """A finished callback and the id of its stored CallRecord."""

    call_id: int
    outcome: CallbackOutcome


async def run_stored_callback(
    phone: Phone,
    database: Database,
    policy_no: str,
    uri: str,
    engine: Engine,
    prompts: PromptCache,
    options: CallbackOptions,
    *,
    on_dialled: Callable[[int], None] | None = None,
) -> StoredCallback:
    """Call `uri` for stored policy `policy_no`; the call, its answers and problem cases stored.

    The CallRecord is committed before the INVITE goes out (`on_dialled` gets its id then), and
    finished when the call ends. Its recording's path is stored from the start, so a record
    left by a killed process points at the recording ivr recovers. If this coroutine fails or
    is cancelled in between, the record is finished as `failed`, and a killed process leaves
    it with no end. Raises
    call_store.UnknownPolicyError before dialling when the database has no such policy, and
    ivr's DialError when pjsua2 refuses to dial.
    """
    policy = await asyncio.to_thread(load_policy, database, policy_no)
    started = await asyncio.to_thread(
        start_call_record, database, policy.policy_id, CallDirection.OUTBOUND, uri,
        phone.config.recordings_dir)
    call_id = started.call_id
    if on_dialled is not None:
        on_dialled(call_id)
    try:
        outcome = await call_policyholder(phone, uri, policy.record, engine, prompts, options,
                                          record_to=started.recording)
    except BaseException:
        await asyncio.to_thread(fail_call_record, database, call_id)
        raise
    await asyncio.to_thread(finish_call_record, database, call_id, outcome.call, outcome.events)
    return StoredCallback(call_id, outcome)
