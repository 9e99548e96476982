"""A pjsua2 customer for the callback tests, in its own process (one Endpoint per process).

It answers one call (or, with `--dial URI`, places one as `--user`) and, for each prompt it
hears, does the next scripted turn:
`end:key:1` presses 1 once the prompt has ended, `end:say:FILE.wav` speaks a recording,
`start+1.5:say:FILE.wav` talks 1.5 s into the prompt (barge-in), `start+2:hangup` hangs up
mid-prompt. It prints one JSON object per line for the test to follow.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pjsua2 as pj

from ivr.pj_bytes import vector_bytes

LOUD_RMS = 300.0  # PCM16: our prompts are far louder, line silence far quieter
PROMPT_GAP_S = 0.6  # silence that ends a prompt (espeak's pauses inside one are shorter)


def emit(event: str, **fields: object) -> None:
    """One JSON line on stdout."""
    print(json.dumps({"event": event, **fields}), flush=True)


@dataclass(frozen=True)
class Turn:
    """What to do on one prompt: when (at its end, or some seconds into it) and what."""

    at_end: bool
    delay_s: float
    action: str  # key / say / hangup
    arg: str

    @classmethod
    def parse(cls, text: str) -> Turn:
        """`end:key:1`, `start+1.5:say:/tmp/a.wav`, `start+2:hangup`."""
        when, action, *rest = text.split(":", 2)
        at_end = when == "end"
        delay = 0.0 if at_end else float(when.removeprefix("start+"))
        return cls(at_end, delay, action, rest[0] if rest else "")


class Ear(pj.AudioMediaPort):  # type: ignore[misc]
    """Measures what the peer hears; runs on pjmedia's clock thread."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.loud_since: float | None = None  # start of the sound now heard
        self.last_loud = 0.0
        self.armed = True  # False from an answer until our prompt falls silent once
        fmt = pj.MediaFormatAudio()
        fmt.type = pj.PJMEDIA_TYPE_AUDIO
        fmt.clockRate, fmt.channelCount, fmt.bitsPerSample = 16000, 1, 16
        fmt.frameTimeUsec = 20000
        self.createPort("peer-ear", fmt)

    def onFrameReceived(self, frame: Any) -> None:  # noqa: N802
        if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO:
            return
        samples = np.frombuffer(vector_bytes(frame.buf), dtype="<i2").astype(np.float64)
        rms = float(np.sqrt(np.mean(samples * samples))) if len(samples) else 0.0
        now = time.monotonic()
        with self.lock:
            if not self.armed:  # the tail of the prompt just answered is not a new prompt
                self.armed = rms < LOUD_RMS
                return
            if rms >= LOUD_RMS:
                if self.loud_since is None or now - self.last_loud > PROMPT_GAP_S:
                    self.loud_since = now
                self.last_loud = now

    def onFrameRequested(self, frame: Any) -> None:  # noqa: N802
        frame.type = pj.PJMEDIA_FRAME_TYPE_NONE

    def forget(self) -> None:
        """The next loud frame starts a new prompt (ours just answered this one)."""
        with self.lock:
            self.loud_since = None
            self.armed = False

    def state(self) -> tuple[float | None, float]:
        """Start of the current (or last) sound and when it was last loud."""
        with self.lock:
            return self.loud_since, self.last_loud


class PeerCall(pj.Call):  # type: ignore[misc]
    """Reports state changes; media is wired by the main loop."""

    def __init__(self, peer: Peer, account: Any, call_id: int) -> None:
        super().__init__(account, call_id)
        self.peer = peer

    def onCallState(self, prm: Any) -> None:  # noqa: N802
        info = self.getInfo()
        emit("state", state=info.stateText, code=info.lastStatusCode)
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.peer.done = True

    def onCallMediaState(self, prm: Any) -> None:  # noqa: N802
        self.peer.media_changed = True


class PeerAccount(pj.Account):  # type: ignore[misc]
    """Takes the incoming call."""

    def __init__(self, peer: Peer) -> None:
        super().__init__()
        self.peer = peer

    def onIncomingCall(self, prm: Any) -> None:  # noqa: N802
        self.peer.call = PeerCall(self.peer, self, prm.callId)
        self.peer.answer_at = time.monotonic() + 0.05


class Peer:
    """Endpoint, call and turn script, all driven from the main thread."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.turns = [Turn.parse(t) for t in args.turn]
        self.ep: Any = pj.Endpoint()
        self.account: PeerAccount | None = None
        self.call: PeerCall | None = None
        self.audio: Any = None
        self.ear: Ear | None = None
        self.players: list[Any] = []
        self.answer_at: float | None = None
        self.media_changed = False
        self.done = False
        self.handled_sound: float | None = None  # start of the last prompt a turn was used on

    def start(self) -> None:
        """Endpoint on 127.0.0.1, a free port, only the asked codec."""
        ep = self.ep
        ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = True
        cfg.logConfig.level = cfg.logConfig.consoleLevel = 1
        cfg.medConfig.noVad = True
        cfg.medConfig.clockRate = 16000
        ep.libInit(cfg)
        tc = pj.TransportConfig()
        tc.boundAddress = "127.0.0.1"
        tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
        port = int(ep.transportGetInfo(tid).localName.rsplit(":", 1)[1])
        ep.libStart()
        ep.audDevManager().setNullDev()
        for codec in ep.codecEnum2():
            wanted = codec.codecId.split("/")[0] == self.args.codec
            ep.codecSetPriority(codec.codecId, 200 if wanted else 0)
        acfg = pj.AccountConfig()
        acfg.idUri = f"sip:{self.args.user}@127.0.0.1:{port}"
        acfg.mediaConfig.transportConfig.port = 30000
        acfg.mediaConfig.transportConfig.portRange = 10000
        acfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
        self.account = PeerAccount(self)
        self.account.create(acfg)
        emit("ready", port=port)
        if self.args.dial:
            self.dial(self.args.dial)

    def dial(self, uri: str) -> None:
        """Call `uri` (e.g. `huifang serve`) instead of waiting to be called."""
        self.call = PeerCall(self, self.account, pj.PJSUA_INVALID_ID)
        self.call.makeCall(uri, pj.CallOpParam(True))

    def step(self) -> None:
        """One turn of the main loop: answer, wire media, act on what was heard."""
        now = time.monotonic()
        if self.answer_at is not None and now >= self.answer_at and self.call is not None:
            self.answer_at = None
            prm = pj.CallOpParam()
            prm.statusCode = 200
            self.call.answer(prm)
        if self.media_changed:
            self.media_changed = False
            self.wire()
        if self.ear is not None and self.turns and not self.done:
            self.maybe_act(now)

    def wire(self) -> None:
        """The call's audio into the ear."""
        call = self.call
        if call is None or self.audio is not None or self.done:
            return
        info = call.getInfo()  # keep it: its media vector dies with it
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.audio = call.getAudioMedia(index)
                self.ear = Ear()
                # pjsua2 frees a dropped port while the bridge may still call it (see
                # ivr/media_tap.py): hand the ear to pjsua2 for the life of the process.
                self.ear.__disown__()
                self.audio.startTransmit(self.ear)
                emit("media", codec=call.getStreamInfo(index).codecName)

    def maybe_act(self, now: float) -> None:
        """Run the next turn once its prompt has started (and ended, if it waits for that)."""
        assert self.ear is not None
        started, last_loud = self.ear.state()
        if started is None or started == self.handled_sound:
            return
        turn = self.turns[0]
        if turn.at_end and now - last_loud < PROMPT_GAP_S:
            return
        if not turn.at_end and last_loud - started < turn.delay_s:
            return  # a prompt that has really played this long, not the tail of the last one
        self.handled_sound = started
        self.ear.forget()
        self.turns.pop(0)
        self.act(turn)

    def act(self, turn: Turn) -> None:
        """Press a key, speak a file, or hang up."""
        assert self.call is not None
        emit("turn", action=turn.action, arg=turn.arg)
        if turn.action == "key":
            prm = pj.CallSendDtmfParam()
            prm.digits = turn.arg
            prm.method = pj.PJSUA_DTMF_METHOD_RFC2833
            self.call.sendDtmf(prm)
        elif turn.action == "say":
            player = pj.AudioMediaPlayer()
            player.createPlayer(turn.arg, pj.PJMEDIA_FILE_NO_LOOP)
            player.startTransmit(self.audio)
            self.players.append(player)
        elif turn.action == "hangup":
            self.call.hangup(pj.CallOpParam())

    def run(self) -> None:
        """Poll until the call is over or the lifetime is up."""
        deadline = time.monotonic() + self.args.lifetime
        while time.monotonic() < deadline and not self.done:
            self.ep.libHandleEvents(10)
            self.step()
        emit("ended", turns_left=len(self.turns))

    def stop(self) -> None:
        """Delete every pj object, then the library."""
        self.players.clear()
        self.ear = None
        self.audio = None
        self.call = None
        if self.account is not None:
            self.account.shutdown()
        self.account = None
        self.ep.libDestroy()
        emit("exit")


def main() -> None:
    """Run the customer's script."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--codec", default="PCMU", help="the only codec offered")
    p.add_argument("--turn", action="append", default=[], help="one per prompt, in order")
    p.add_argument("--lifetime", type=float, default=90.0, help="exit after this, whatever")
    p.add_argument("--dial", metavar="URI", help="place a call to URI rather than answer one")
    p.add_argument("--user", default="customer", help="user part of our SIP URI (caller ID)")
    peer = Peer(p.parse_args())
    peer.start()
    try:
        peer.run()
    finally:
        peer.stop()


if __name__ == "__main__":
    main()
