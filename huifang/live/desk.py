"""The live desk: huifang's SIP endpoint bridging agents' softphones to policyholders.

An agent starts a callback from the screen: huifang rings the agent's softphone, then dials
the policyholder, bridges the two calls, and listens to both legs separately (the agent's
softphone call carries the agent's voice, the customer's call the customer's). Everything
runs on the web app's event loop; decodes run on each leg's recogniser thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from agent_assist.engine import AssistFactory
from asr.engines import Engine, load_engine
from huifang.live.call_feed import LiveCallFeed
from huifang.live.call_record import customer_uri_for, finish_live_call, open_live_call
from huifang.live.events import CallStatus
from huifang.live.leg_listener import LegListener
from huifang.settings import Settings, asr_config
from huifang.web.event_bus import CallEventBus
from ivr.call import Call
from ivr.config import SipConfig
from ivr.events import CallEnded, Leg
from ivr.phone import Phone
from storage.database import Database

log = logging.getLogger(__name__)
MEDIA_WAIT_S = 5.0
HANGUP_WAIT_S = 10.0
DECODE_WAIT_S = 30.0  # for the recognisers to finish the last words after the hang-up


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

    async def start(self, database: Database) -> None:
        """Load the speech model and the rules (off the loop), then start the SIP endpoint."""
        loop = asyncio.get_running_loop()
        self._database = database
        if self._engine is None:
            self._engine = await loop.run_in_executor(
                None, load_engine, asr_config(self.settings))
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
            template = self.settings.campaign_dial_uri
            if not template:
                raise LiveDeskError("no customer_uri given and HUIFANG_CAMPAIGN_DIAL_URI unset")
            customer_uri = await asyncio.to_thread(
                customer_uri_for, database, policy_no, template)
        record = await asyncio.to_thread(
            open_live_call, database, policy_no, agent_id, customer_uri)
        task = asyncio.create_task(self._run_bridged(record.call_id, agent_uri, customer_uri))
        self._calls[record.call_id] = task
        task.add_done_callback(lambda _: self._calls.pop(record.call_id, None))
        return record.call_id

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
                                    live, whole_call)

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
