"""The live desk: huifang's SIP endpoint bridging agents' softphones to policyholders.

An agent starts a callback from the screen: huifang rings the agent's softphone, then dials
the policyholder, bridges the two calls, and listens to both legs separately (the agent's
softphone call carries the agent's voice, the customer's call the customer's). Everything
runs on the web app's event loop; decodes run on each leg's recogniser thread.

A robot callback (预回访) runs the script itself; when the customer asks for a person (转人工)
it rings the longest-waiting free agent and bridges them into the same call, which then
appears on that agent's screen with everything said so far.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Coroutine
from typing import Any

from agent_assist.engine import AssistFactory
from asr.engines import AsrConfig, Engine, load_engine
from huifang.callback.call_store import (
    fail_call_record,
    finish_call_record,
    load_policy,
    start_call_record,
)
from huifang.callback.options import CallbackOptions
from huifang.live.agent_pool import AgentPool
from huifang.live.assisted_session import AssistedCallbackSession
from huifang.live.call_feed import LiveCallFeed
from huifang.live.call_record import (
    assign_agent,
    customer_uri_for,
    finish_live_call,
    open_live_call,
    store_live_flags,
)
from huifang.live.events import CallStatus
from huifang.live.leg_listener import LegListener
from huifang.prompt_audio.configured import prompt_cache_from_settings
from huifang.settings import Settings, asr_config
from huifang.web.event_bus import CallEventBus
from ivr.call import Call
from ivr.config import SipConfig
from ivr.events import CallEnded, Leg
from ivr.phone import Phone
from scripts_zh.dialogue import CallbackDialogue
from scripts_zh.script_loader import script_for
from storage.database import Database
from storage.models import CallDirection

log = logging.getLogger(__name__)
MEDIA_WAIT_S = 5.0
HANGUP_WAIT_S = 10.0
DECODE_WAIT_S = 30.0  # for the recognisers to finish the last words after the hang-up


def live_asr_config(settings: Settings) -> AsrConfig:
    """The recogniser of live legs: the speech settings, with utterances decoded in a short
    encoder window (HUIFANG_LIVE_WHISPER_SHORT_WINDOW_S): about 5× faster finals, so hints."""
    config = asr_config(settings)
    window = settings.live_whisper_short_window_s or config.whisper_short_window_s
    return dataclasses.replace(config, whisper_short_window_s=window)


class LiveDeskError(RuntimeError):
    """The desk cannot start a call (not started, no URI for the customer)."""


class LiveDesk:
    """Starts bridged callbacks and feeds their legs to the agent screen over the bus."""

    def __init__(self, settings: Settings, bus: CallEventBus, *, sip: SipConfig | None = None,
                 engine: Engine | None = None) -> None:
        self.settings = settings
        self.bus = bus
        self.sip = sip or SipConfig.from_settings(settings)
        self.phone: Phone | None = None
        self._engine = engine
        self._assist: AssistFactory | None = None
        self._database: Database | None = None
        self._calls: dict[int, asyncio.Task[None]] = {}
        self.agents = AgentPool()

    async def start(self, database: Database) -> None:
        """Load the speech model and the rules (off the loop), then start the SIP endpoint."""
        loop = asyncio.get_running_loop()
        self._database = database
        if self._engine is None:
            self._engine = await loop.run_in_executor(
                None, load_engine, live_asr_config(self.settings))
        self._assist = await loop.run_in_executor(None, AssistFactory)
        phone = Phone(self.sip)
        await phone.start()
        self.phone = phone

    async def stop(self) -> None:
        """Hang up every call, let their records finish, stop the endpoint."""
        phone, self.phone = self.phone, None
        if phone is None:
            return
        with contextlib.suppress(Exception):
            await phone.hangup_all()
        if self._calls:
            await asyncio.wait(list(self._calls.values()), timeout=DECODE_WAIT_S)
        await phone.stop()

    async def start_callback(self, agent_id: int, policy_no: str, agent_uri: str,
                             customer_uri: str | None = None) -> int:
        """Open the call record for the agent and start ringing; the call's id at once."""
        database = self._require_database()
        if customer_uri is None:
            customer_uri = await self.customer_uri(policy_no)
        record = await asyncio.to_thread(
            open_live_call, database, policy_no, agent_id, customer_uri)
        self._track(record.call_id, self._run_bridged(record.call_id, agent_uri, customer_uri))
        return record.call_id

    async def customer_uri(self, policy_no: str) -> str:
        """The policyholder's SIP URI from HUIFANG_CAMPAIGN_DIAL_URI (sip:{phone}@gateway)."""
        template = self.settings.campaign_dial_uri
        if not template:
            raise LiveDeskError("no customer_uri given and HUIFANG_CAMPAIGN_DIAL_URI unset")
        return await asyncio.to_thread(
            customer_uri_for, self._require_database(), policy_no, template)

    async def start_robot_callback(self, policy_no: str, customer_uri: str) -> int:
        """Start an automated callback that hands 转人工 over to a free agent; its call id."""
        database = self._require_database()
        policy = await asyncio.to_thread(load_policy, database, policy_no)
        started = await asyncio.to_thread(
            start_call_record, database, policy.policy_id, CallDirection.OUTBOUND, customer_uri)
        call_id = started.call_id
        dialogue = CallbackDialogue(script_for(policy.record), policy.record)
        self._track(call_id, self._run_robot(call_id, dialogue, customer_uri))
        return call_id

    def _track(self, call_id: int, run: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(run)
        self._calls[call_id] = task
        task.add_done_callback(lambda _: self._calls.pop(call_id, None))

    async def wait_call(self, call_id: int, timeout: float) -> None:
        """Until the call with this id has ended and been stored (no-op when it has)."""
        task = self._calls.get(call_id)
        if task is not None:
            await asyncio.wait_for(asyncio.shield(task), timeout)

    # --- one bridged call ----------------------------------------------------------------

    async def _run_bridged(self, call_id: int, agent_uri: str, customer_uri: str) -> None:
        assert self._assist is not None and self._engine is not None
        feed = LiveCallFeed(call_id, self.bus.publish, self._assist)
        calls: list[Call] = []
        listeners: list[asyncio.Task[None]] = []
        ended: CallEnded | None = None
        try:
            feed.show(CallStatus("dialling_agent", agent_uri))
            agent = await self._dial(agent_uri, calls)
            if agent is None:
                ended = await calls[-1].wait_ended(HANGUP_WAIT_S)
                return
            feed.show(CallStatus("dialling_customer", customer_uri))
            customer = await self._dial(customer_uri, calls)
            if customer is None:
                ended = await calls[-1].wait_ended(HANGUP_WAIT_S)
                return
            for leg_name, call in (("customer", customer), ("agent", agent)):
                listener = LegListener(self._engine, leg_name, feed.on_transcript)
                listeners.append(asyncio.create_task(listener.run(call.tap(Leg.CUSTOMER))))
            await self._require_phone().bridge(customer, agent)
            feed.show(CallStatus("bridged"))
            ended = await self._until_either_ends(customer, agent)
        except Exception:
            log.exception("live call %s failed", call_id)
            raise
        finally:
            await self._hang_up(calls)
            if listeners:
                await asyncio.wait(listeners, timeout=DECODE_WAIT_S)
            live, whole_call = feed.end()
            feed.show(CallStatus("ended", ended.outcome.value if ended else "failed"))
            await asyncio.to_thread(finish_live_call, self._require_database(), call_id, ended,
                                    live, whole_call, feed.heard)

    # --- one robot callback, maybe handed over -----------------------------------------

    async def _run_robot(self, call_id: int, dialogue: CallbackDialogue, uri: str) -> None:
        assert self._assist is not None and self._engine is not None
        database = self._require_database()
        feed = LiveCallFeed(call_id, self.bus.publish, self._assist)
        calls: list[Call] = []
        listeners: list[asyncio.Task[None]] = []
        try:
            feed.show(CallStatus("dialling_customer", uri))
            customer = await self._dial(uri, calls)
            if customer is None:
                ended = await calls[-1].wait_ended(HANGUP_WAIT_S)
                await asyncio.to_thread(finish_call_record, database, call_id, ended, [ended])
                return
            feed.show(CallStatus("robot"))

            async def hand_over() -> bool:
                return await self._hand_over(call_id, customer, feed, calls, listeners)

            session = AssistedCallbackSession(
                customer, dialogue, self._engine, prompt_cache_from_settings(self.settings),
                CallbackOptions.from_settings(self.settings), feed=feed, hand_over=hand_over)
            outcome = await session.run()
        except BaseException:
            await asyncio.to_thread(fail_call_record, database, call_id)
            raise
        finally:
            await self._hang_up(calls)
            if listeners:
                await asyncio.wait(listeners, timeout=DECODE_WAIT_S)
            live, whole_call = feed.end()
            feed.show(CallStatus("ended"))
        await asyncio.to_thread(finish_call_record, database, call_id, outcome.call,
                                outcome.events)
        await asyncio.to_thread(store_live_flags, database, call_id, live, whole_call,
                                feed.heard)

    async def _hand_over(self, call_id: int, customer: Call, feed: LiveCallFeed,
                         calls: list[Call], listeners: list[asyncio.Task[None]]) -> bool:
        """Bridge the customer to the longest-waiting free agent; False when none answers."""
        assert self._engine is not None
        agent = self.agents.take()
        if agent is None:
            feed.show(CallStatus("no_free_agent"))
            return False
        await asyncio.to_thread(assign_agent, self._require_database(), call_id, agent.user_id)
        feed.show(CallStatus("dialling_agent", agent.username))
        agent_call = await self._dial(agent.softphone_uri, calls)
        if agent_call is None or customer.ended:
            feed.show(CallStatus("no_free_agent", agent.username))
            return False
        listener = LegListener(self._engine, "agent", feed.on_transcript)
        listeners.append(asyncio.create_task(listener.run(agent_call.tap(Leg.CUSTOMER))))
        await self._require_phone().bridge(customer, agent_call)

        def agent_hung_up() -> None:  # the customer is not left alone on the line
            listeners.append(asyncio.ensure_future(customer.hangup()))

        agent_call.on_end(agent_hung_up)
        feed.show(CallStatus("bridged", agent.username))
        return True

    async def _dial(self, uri: str, calls: list[Call]) -> Call | None:
        """Place a call and wait for its answer and audio; None when it was not answered."""
        phone = self._require_phone()
        call = await phone.place_call(uri)
        calls.append(call)
        if not await call.wait_answered(phone.config.ring_timeout_s + MEDIA_WAIT_S):
            return None
        await call.wait_media(MEDIA_WAIT_S)
        return call

    async def _until_either_ends(self, customer: Call, agent: Call) -> CallEnded:
        """The customer's call end, once either side has hung up (the other is hung up too)."""
        limit = self.settings.callback_max_call_s
        ends = {asyncio.ensure_future(c.wait_ended(limit)) for c in (customer, agent)}
        try:
            await asyncio.wait(ends, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for end in ends:
                end.cancel()
        await self._hang_up([customer, agent])
        return await customer.wait_ended(HANGUP_WAIT_S)

    @staticmethod
    async def _hang_up(calls: list[Call]) -> None:
        for call in calls:
            with contextlib.suppress(Exception):
                await call.hangup()
        for call in calls:
            with contextlib.suppress(Exception):
                await call.wait_ended(HANGUP_WAIT_S)

    def _require_phone(self) -> Phone:
        if self.phone is None:
            raise LiveDeskError("the live desk is not started")
        return self.phone

    def _require_database(self) -> Database:
        if self._database is None:
            raise LiveDeskError("the live desk is not started")
        return self._database
