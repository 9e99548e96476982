"""The call pipeline of one process: the recogniser, the checks, the event bus and the record
writer that every call shares, and `call()`, the one way any kind of call runs through them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from agent_assist.engine import AssistFactory
from agent_assist.voice_cues import PolicyholderRecord
from agent_assist.voiceprint_index import VoiceprintStore
from asr.engines import Engine
from huifang.calls.bus import EventBus
from huifang.calls.checks import Checks, VoiceChecks
from huifang.calls.record import RecordWriter
from huifang.calls.run import CallRun
from huifang.calls.voiceprints import open_voiceprints
from huifang.settings import Settings, deadline_rules
from scripts_zh.policy import PolicyRecord
from storage.database import Database
from storage.problem_cases import DeadlineRules


class CallPipeline:
    """Legs → recognition streams → checks → event bus → storage, for every call of a process.

    `checks` None runs calls without any check (a benchmark's baseline); `database` None
    stores nothing (`huifang call --policy-json`); `bus` None publishes nowhere.
    """

    def __init__(self, engine: Engine, checks: Checks | None, *,
                 database: Database | None = None, bus: EventBus | None = None,
                 rules: DeadlineRules | None = None) -> None:
        self.engine = engine
        self.checks = checks
        self.bus = bus
        self.writer = RecordWriter(database, rules) if database is not None else None

    @property
    def voiceprints(self) -> VoiceprintStore | None:
        """The stored voiceprints, where this deployment keeps them."""
        return self.checks.voice.voiceprints if self.checks is not None else None

    @asynccontextmanager
    async def call(self, call_id: int | None, policy: PolicyRecord | None = None,
                   holder: PolicyholderRecord | None = None, *,
                   identity: bool = False) -> AsyncIterator[CallRun]:
        """Run one call: the block places or answers it and sets `run.ended`; on leaving,
        normally or not, the last words are decoded, the end-of-call checks run and the end
        is stored (as failed when the block raised or was cancelled)."""
        run = CallRun(self, call_id, policy, holder, identity)
        try:
            yield run
        except BaseException:
            await asyncio.shield(run.end(failed=True))
            raise
        await run.end()

    def close(self) -> None:
        """Write what is queued; stop the voice worker."""
        if self.writer is not None:
            self.writer.close()
        if self.checks is not None:
            self.checks.close()


def voice_checks(settings: Settings, database: Database | None = None) -> VoiceChecks:
    """HUIFANG_VOICE_CUES*, and the voiceprints where HUIFANG_STORE_VOICEPRINTS allows them
    (HUIFANG_VOICEPRINT_STORE: this node's files or the database every node shares)."""
    voiceprints = open_voiceprints(settings, database) if settings.store_voiceprints else None
    if voiceprints is not None:
        len(voiceprints)  # loaded now (100 000: ~4 s from PostgreSQL), not in the first call
    return VoiceChecks(cues=settings.voice_cues, min_speech_s=settings.voice_cue_min_speech_s,
                       voiceprints=voiceprints, threshold=settings.voiceprint_threshold)


def pipeline_from_settings(settings: Settings, engine: Engine, *,
                           database: Database | None = None,
                           bus: EventBus | None = None) -> CallPipeline:
    """A process's pipeline with every check the settings ask for (rules loaded now)."""
    assist = AssistFactory(learned_flags=settings.learned_flags)
    checks = Checks(voice_checks(settings, database), assist)
    return CallPipeline(engine, checks, database=database, bus=bus, rules=deadline_rules(settings))
