"""Run the demo: the web app with a live desk, two scripted softphones, one bridged callback.

The demo agent's softphone and the policyholder's phone are pjsua2 processes on 127.0.0.1
speaking recorded lines; huifang rings the agent, dials the customer, bridges them over its
own SIP endpoint and shows the call live on the agent screen; when it ends, its flags are in
the review console.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from huifang.calls.agent_pool import FreeAgent
from huifang.calls.bus import InProcessEventBus
from huifang.calls.desk import LiveDesk
from huifang.demo.conversation import (
    DEMO_POLICY_NO,
    demo_lines,
    handover_turns,
    softphone_turns,
)
from huifang.demo.setup import DemoLogin, fresh_database, seed
from huifang.demo.softphone_process import SoftphoneProcess
from huifang.settings import Settings
from huifang.web.app import create_app
from huifang.web.deps import web_settings
from ivr.config import SipConfig
from storage.models import UserRole

CALL_WAIT_S = 300.0


class PortBusyError(OSError):
    """The web port is taken by another program."""


@dataclass(frozen=True)
class DemoOptions:
    """Where to serve, where to keep the demo's files, when to place the call."""

    host: str
    port: int
    var_dir: Path
    delay_s: float  # time to open the screen before the call starts
    once: bool  # stop after the call has been stored
    handover: bool = False  # a robot callback that hands 转人工 over to the demo agent


def check_port_free(host: str, port: int) -> None:
    """PortBusyError naming host:port when something already listens there."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            raise PortBusyError(f"{host}:{port} is in use ({err.strerror}); "
                                f"choose another port with --port") from err


# Voiceprints are sensitive personal information (PIPL): off unless a deployment turns them on.
# The demo shows every check, so it turns them on for its own made-up policy, and says so.
VOICEPRINT_NOTICE = (
    "notice: voiceprints (声纹) are ON in this demo, kept in {dir}: each call's customer voice "
    "is stored and searched for the same voice on other policies. They are sensitive personal "
    "information (PIPL); a deployment keeps them only where HUIFANG_STORE_VOICEPRINTS=true "
    "(default false), and the review console says on each call when the duplicate-voice "
    "check did not run.")


def demo_settings(settings: Settings, var_dir: Path) -> Settings:
    """The embedded defaults with the demo's own database, recordings and voiceprints under
    var/, voiceprints on (see VOICEPRINT_NOTICE)."""
    return settings.model_copy(update={
        "db_url": f"sqlite:///{var_dir / 'demo.db'}",
        "recordings_dir": str(var_dir / "recordings"),
        "store_voiceprints": True,
        "voiceprints_dir": str(var_dir / "voiceprints"),
    })


def demo_sip(settings: Settings) -> SipConfig:
    """huifang's endpoint on loopback, any free port; G.722 first (wideband, as softphones do)."""
    return SipConfig(bind_address="127.0.0.1", port=0, transport="udp",
                     codecs=("G722", "PCMU", "PCMA"), rtp_port=24000,
                     ring_timeout_s=20.0, recordings_dir=Path(settings.recordings_dir))


def run_demo(settings: Settings, options: DemoOptions, say: Callable[[str], None]) -> int:
    """Seed, serve, call; returns when the call is stored (--once) or on Ctrl-C."""
    check_port_free(options.host, options.port)
    settings = demo_settings(settings, options.var_dir.resolve())
    database = fresh_database(options.var_dir / "demo.db")
    shutil.rmtree(settings.voiceprints_dir, ignore_errors=True)  # an earlier demo's voices
    try:
        logins = seed(database)
    finally:
        database.close()
    lines = demo_lines()
    agent_turns, customer_turns = (handover_turns() if options.handover else
                                   (softphone_turns(lines, "agent"),
                                    softphone_turns(lines, "customer")))
    with SoftphoneProcess("demo-agent", agent_turns) as agent, \
            SoftphoneProcess("customer", customer_turns, hangup_after_s=2.0) as customer:
        asyncio.run(_serve_and_call(settings, options, logins, agent.uri, customer.uri, say))
    return 0


async def _serve_and_call(settings: Settings, options: DemoOptions, logins: list[DemoLogin],
                          agent_uri: str, customer_uri: str, say: Callable[[str], None]) -> None:
    bus = InProcessEventBus()
    desk = LiveDesk(settings, bus, sip=demo_sip(settings))
    app = create_app(bus, desk)
    app.dependency_overrides[web_settings] = lambda: settings
    server = uvicorn.Server(uvicorn.Config(app, host=options.host, port=options.port,
                                           log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:  # lifespan done: database open, Whisper loaded, SIP up
            if serving.done():
                await serving  # raises what stopped it
                return
            await asyncio.sleep(0.1)
        base = f"http://{options.host}:{options.port}"
        _announce(base, logins, options.delay_s, say)
        say(VOICEPRINT_NOTICE.format(dir=settings.voiceprints_dir))
        await asyncio.sleep(options.delay_s)
        agent = next(login for login in logins if login.role is UserRole.AGENT)
        if options.handover:  # the demo agent is free; the robot calls and hands over
            desk.agents.offer(FreeAgent(agent.user_id, agent.username, agent_uri))
            call_id = await desk.start_robot_callback(DEMO_POLICY_NO, customer_uri)
            say(f"robot calling now: call #{call_id}; it appears on demo-agent's list when the "
                f"customer asks for a person: {base}/app/agent.html?call={call_id}")
        else:
            call_id = await desk.start_callback(agent.user_id, DEMO_POLICY_NO, agent_uri,
                                                customer_uri)
            say(f"calling now: call #{call_id}, agent screen {base}/app/agent.html?call={call_id}")
        await desk.wait_call(call_id, CALL_WAIT_S)
        say(f"call #{call_id} ended and is stored; its flags: {base}/app/review.html")
        if options.once:
            server.should_exit = True
        else:
            say("serving until Ctrl-C")
        await serving
    finally:
        server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(serving, 30)


def _announce(base: str, logins: list[DemoLogin], delay_s: float,
              say: Callable[[str], None]) -> None:
    say(f"huifang demo: {base}/app/")
    for login in logins:
        say(f"  login {login.username} / {login.password}  ({login.role.value})")
    say(f"agent screen: sign in as demo-agent, open the newest call on {base}/app/ "
        f"(the call starts in {delay_s:g} s)")
    say(f"review console: sign in as demo-reviewer, {base}/app/review.html")
