"""The live desk: huifang's SIP endpoint bridging agents' softphones to policyholders, for the
web app (`serve-web --live`, `huifang demo`).

An agent starts a callback from the screen: huifang rings the agent's softphone, then dials
the policyholder, bridges the two calls, and listens to both legs separately (the agent's
softphone call carries the agent's voice, the customer's call the customer's). A robot
callback (预回访) runs the script itself; when the customer asks for a person (转人工) it
rings the longest-waiting free agent and bridges them into the same call, which then appears
on that agent's screen with everything said so far. Both run through the call pipeline
(huifang/calls/bridged.py); everything runs on the web app's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Coroutine
from typing import Any

from asr.engines import AsrConfig, Engine, load_engine
from huifang.calls.agent_pool import AgentPool
from huifang.calls.bridged import DeskLine, run_bridged, run_robot
from huifang.calls.bus import EventBus
from huifang.calls.options import CallbackOptions
from huifang.calls.pipeline import CallPipeline, pipeline_from_settings
from huifang.calls.policy_lookup import customer_uri_for, load_policy, robot_policy
from huifang.calls.record import start_call_record
from huifang.calls.run import DECODE_WAIT_S
from huifang.prompt_audio.configured import prompt_cache_from_settings
from huifang.settings import Settings, asr_config, sip_config
from ivr.config import SipConfig
from ivr.phone import Phone
from storage.database import Database
from storage.models import CallDirection

log = logging.getLogger(__name__)


def live_asr_config(settings: Settings) -> AsrConfig:
    """The recogniser of live legs: the speech settings, with utterances decoded in a short
    encoder window (HUIFANG_LIVE_WHISPER_SHORT_WINDOW_S): about 5× faster finals, so hints."""
    config = asr_config(settings)
    window = settings.live_whisper_short_window_s or config.whisper_short_window_s
    return dataclasses.replace(config, whisper_short_window_s=window)


class LiveDeskError(RuntimeError):
    """The desk cannot start a call (not started, no URI for the customer)."""


class LiveDesk:
    """Starts bridged and robot callbacks; their events go to the agent screen over the bus."""

    def __init__(self, settings: Settings, bus: EventBus, *, sip: SipConfig | None = None,
                 engine: Engine | None = None) -> None:
        self.settings = settings
        self.bus = bus
        self.sip = sip or sip_config(settings)
        self.phone: Phone | None = None
        self.agents = AgentPool()
        self._engine = engine
        self._line: DeskLine | None = None
        self._calls: dict[int, asyncio.Task[None]] = {}

    @property
    def pipeline(self) -> CallPipeline:
        """The pipeline the desk's calls run through (LiveDeskError before start)."""
        return self._require_line().pipeline

    async def start(self, database: Database) -> None:
        """Load the speech model and the rules (off the loop), then start the SIP endpoint."""
        loop = asyncio.get_running_loop()
        engine = self._engine
        if engine is None:
            engine = await loop.run_in_executor(None, load_engine,
                                                live_asr_config(self.settings))
        pipeline = await loop.run_in_executor(
            None, lambda: pipeline_from_settings(self.settings, engine, database=database,
                                                 bus=self.bus))
        phone = Phone(self.sip)
        await phone.start()
        self.phone = phone
        self._line = DeskLine(phone, pipeline, database, self.agents,
                              self.settings.callback_max_call_s)

    async def stop(self) -> None:
        """Hang up every call, let their records finish, stop the endpoint and the pipeline."""
        line, self._line, self.phone = self._line, None, None
        if line is None:
            return
        with contextlib.suppress(Exception):
            await line.phone.hangup_all()
        if self._calls:
            await asyncio.wait(list(self._calls.values()), timeout=DECODE_WAIT_S)
        await line.phone.stop()
        await asyncio.to_thread(line.pipeline.close)

    async def start_callback(self, agent_id: int, policy_no: str, agent_uri: str,
                             customer_uri: str | None = None) -> int:
        """Open the call record for the agent (its recording's path stored now, so a restart
        after a crash links the repaired recording) and start ringing; the call's id at once."""
        line = self._require_line()
        if customer_uri is None:
            customer_uri = await self.customer_uri(policy_no)
        policy = await asyncio.to_thread(load_policy, line.database, policy_no)
        started = await asyncio.to_thread(
            start_call_record, line.database, policy.policy_id, CallDirection.OUTBOUND,
            customer_uri, line.phone.config.recordings_dir, agent_id=agent_id)
        self._track(started.call_id,
                    run_bridged(line, started.call_id, policy, agent_uri, customer_uri,
                                record_to=started.recording))
        return started.call_id

    async def customer_uri(self, policy_no: str) -> str:
        """The policyholder's SIP URI from HUIFANG_CAMPAIGN_DIAL_URI (sip:{phone}@gateway)."""
        template = self.settings.campaign_dial_uri
        if not template:
            raise LiveDeskError("no customer_uri given and HUIFANG_CAMPAIGN_DIAL_URI unset")
        return await asyncio.to_thread(
            customer_uri_for, self._require_line().database, policy_no, template)

    async def start_robot_callback(self, policy_no: str, customer_uri: str) -> int:
        """Start an automated callback that hands 转人工 over to a free agent; its call id."""
        line = self._require_line()
        policy = await asyncio.to_thread(robot_policy, line.database, policy_no)
        started = await asyncio.to_thread(
            start_call_record, line.database, policy.policy_id, CallDirection.OUTBOUND,
            customer_uri, line.phone.config.recordings_dir)
        prompts = prompt_cache_from_settings(self.settings)
        options = CallbackOptions.from_settings(self.settings)
        self._track(started.call_id,
                    run_robot(line, started.call_id, policy, customer_uri, prompts, options,
                              record_to=started.recording))
        return started.call_id

    def _track(self, call_id: int, run: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(run)
        self._calls[call_id] = task

        def done(_: asyncio.Task[None]) -> None:
            self._calls.pop(call_id, None)
            if not task.cancelled() and task.exception() is not None:
                log.error("live call %s failed", call_id, exc_info=task.exception())

        task.add_done_callback(done)

    async def wait_call(self, call_id: int, timeout: float) -> None:
        """Until the call with this id has ended and been stored (no-op when it has)."""
        task = self._calls.get(call_id)
        if task is not None:
            await asyncio.wait_for(asyncio.shield(task), timeout)

    def _require_line(self) -> DeskLine:
        if self._line is None:
            raise LiveDeskError("the live desk is not started")
        return self._line
