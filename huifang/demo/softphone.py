"""A scripted softphone in its own process (pjsua2 allows one Endpoint per process).

It answers every call and speaks WAV files, each on a turn: `after:2.5:FILE` 2.5 s after its
audio starts, `reply:FILE` once the other side has spoken and fallen silent. It prints one JSON
line per event; a `said` line carries the CLOCK_MONOTONIC times (shared by every process on
the machine) at which the file started and ended playing, so a benchmark can time what
follows the end of an utterance. Run: `python -m huifang.demo.softphone --turn ...`.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pjsua2 as pj

from ivr.pj_bytes import vector_bytes

LOUD_RMS = 300.0  # PCM16: espeak speech is far louder, line silence far quieter
REPLY_GAP_S = 0.7  # silence that ends the other side's turn


def emit(event: str, **fields: object) -> None:
    """One JSON line on stdout."""
    print(json.dumps({"event": event, **fields}, ensure_ascii=False), flush=True)


@dataclass(frozen=True)
class Turn:
    """One file to speak, at a fixed time after the audio starts or as a reply."""

    reply: bool
    after_s: float
    wav: Path

    @classmethod
    def parse(cls, text: str) -> Turn:
        """`after:2.5:/tmp/a.wav` or `reply:/tmp/a.wav`."""
        kind, rest = text.split(":", 1)
        if kind == "reply":
            return cls(True, 0.0, Path(rest))
        if kind == "after":
            seconds, wav = rest.split(":", 1)
            return cls(False, float(seconds), Path(wav))
        raise ValueError(f"turn {text!r}: use after:SECONDS:FILE or reply:FILE")

    @property
    def seconds(self) -> float:
        """How long the file plays."""
        with wave.open(str(self.wav), "rb") as wav:
            return wav.getnframes() / wav.getframerate()


class Ear(pj.AudioMediaPort):  # type: ignore[misc]
    """When the other side was last loud; runs on pjmedia's clock thread."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._first_loud: float | None = None  # since the last forget()
        self._last_loud = 0.0
        fmt = pj.MediaFormatAudio()
        fmt.type = pj.PJMEDIA_TYPE_AUDIO
        fmt.clockRate, fmt.channelCount, fmt.bitsPerSample = 16000, 1, 16
        fmt.frameTimeUsec = 20000
        self.createPort("softphone-ear", fmt)

    def onFrameReceived(self, frame: Any) -> None:  # noqa: N802
        if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO:
            return
        samples = np.frombuffer(vector_bytes(frame.buf), dtype="<i2").astype(np.float64)
        if len(samples) and float(np.sqrt(np.mean(samples * samples))) >= LOUD_RMS:
            now = time.monotonic()
            with self._lock:
                self._first_loud = self._first_loud or now
                self._last_loud = now

    def onFrameRequested(self, frame: Any) -> None:  # noqa: N802
        frame.type = pj.PJMEDIA_FRAME_TYPE_NONE

    def other_side_done(self, now: float) -> bool:
        """The other side has spoken since forget() and been quiet for REPLY_GAP_S."""
        with self._lock:
            return self._first_loud is not None and now - self._last_loud >= REPLY_GAP_S

    def forget(self) -> None:
        """Wait for a new turn of the other side."""
        with self._lock:
            self._first_loud = None


class _Call(pj.Call):  # type: ignore[misc]
    def __init__(self, phone: Softphone, account: Any, call_id: int) -> None:
        super().__init__(account, call_id)
        self.phone = phone

    def onCallState(self, prm: Any) -> None:  # noqa: N802
        info = self.getInfo()
        emit("state", state=info.stateText, code=info.lastStatusCode)
        if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.phone.done = True

    def onCallMediaState(self, prm: Any) -> None:  # noqa: N802
        self.phone.media_changed = True


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, phone: Softphone) -> None:
        super().__init__()
        self.phone = phone

    def onIncomingCall(self, prm: Any) -> None:  # noqa: N802
        if self.phone.call is not None:  # one call at a time: a second is busy
            refused = pj.Call(self, prm.callId)
            refused.answer(_status(486))
            self.phone.refused.append(refused)  # pj objects die on the main thread, at stop
            return
        self.phone.call = _Call(self.phone, self, prm.callId)
        self.phone.answer_at = time.monotonic() + 0.05


def _status(code: int) -> Any:
    prm = pj.CallOpParam()
    prm.statusCode = code
    return prm


class Softphone:
    """Endpoint, one call and the turns, all driven from the main thread."""

    def __init__(self, user: str, turns: list[Turn], hangup_after_s: float | None) -> None:
        self.user = user
        self.turns = turns
        self.hangup_after_s = hangup_after_s
        self.ep: Any = pj.Endpoint()
        self.account: _Account | None = None
        self.call: _Call | None = None
        self.audio: Any = None
        self.ear: Ear | None = None
        self.players: list[Any] = []
        self.refused: list[Any] = []
        self.answer_at: float | None = None
        self.media_at: float | None = None
        self.speaking_until = 0.0
        self.media_changed = False
        self.done = False

    def start(self, port: int) -> None:
        """Endpoint on 127.0.0.1 (port 0: any free one), PCMU and G.722."""
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
        tc.port = port
        tid = ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tc)
        bound = int(ep.transportGetInfo(tid).localName.rsplit(":", 1)[1])
        ep.libStart()
        ep.audDevManager().setNullDev()
        acfg = pj.AccountConfig()
        acfg.idUri = f"sip:{self.user}@127.0.0.1:{bound}"
        acfg.mediaConfig.transportConfig.port = 40000
        acfg.mediaConfig.transportConfig.portRange = 10000
        acfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
        self.account = _Account(self)
        self.account.create(acfg)
        emit("ready", port=bound, uri=acfg.idUri)

    def step(self) -> None:
        """Answer, wire media, speak the next turn when it is due, hang up at the end."""
        now = time.monotonic()
        if self.answer_at is not None and now >= self.answer_at and self.call is not None:
            self.answer_at = None
            self.call.answer(_status(200))
        if self.media_changed:
            self.media_changed = False
            self._wire()
        if self.media_at is None or self.done or now < self.speaking_until:
            return
        if self.turns and self._due(self.turns[0], now):
            self._say(self.turns.pop(0), now)
        elif not self.turns:
            self._maybe_hang_up(now)

    def _maybe_hang_up(self, now: float) -> None:
        if self.hangup_after_s is None or self.call is None:
            return
        if now >= self.speaking_until + self.hangup_after_s:
            self.hangup_after_s = None
            self.call.hangup(pj.CallOpParam())

    def _due(self, turn: Turn, now: float) -> bool:
        assert self.media_at is not None and self.ear is not None
        if turn.reply:
            return self.ear.other_side_done(now)
        return now >= self.media_at + turn.after_s

    def _say(self, turn: Turn, now: float) -> None:
        player = pj.AudioMediaPlayer()
        player.createPlayer(str(turn.wav), pj.PJMEDIA_FILE_NO_LOOP)
        player.startTransmit(self.audio)
        self.players.append(player)
        seconds = turn.seconds
        self.speaking_until = now + seconds
        assert self.ear is not None
        self.ear.forget()
        emit("said", wav=str(turn.wav), start=now, end=now + seconds)

    def _wire(self) -> None:
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
                self.media_at = time.monotonic()
                emit("media", codec=call.getStreamInfo(index).codecName)

    def run(self, lifetime_s: float) -> None:
        """Poll until the call is over or the lifetime is up."""
        deadline = time.monotonic() + lifetime_s
        while time.monotonic() < deadline and not self.done:
            self.ep.libHandleEvents(10)
            self.step()
        emit("ended", turns_left=len(self.turns))

    def stop(self) -> None:
        """Delete every pj object, then the library."""
        self.players.clear()
        self.refused.clear()
        self.ear = None
        self.audio = None
        self.call = None
        if self.account is not None:
            self.account.shutdown()
        self.account = None
        self.ep.libDestroy()
        emit("exit")


def main() -> None:
    """Answer one call and speak the turns."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--user", default="softphone", help="user part of our SIP URI")
    parser.add_argument("--port", type=int, default=0, help="SIP port (0: any free one)")
    parser.add_argument("--turn", action="append", default=[], help="after:S:FILE or reply:FILE")
    parser.add_argument("--hangup-after", type=float, default=None, metavar="S",
                        help="hang up S seconds after the last turn has played")
    parser.add_argument("--lifetime", type=float, default=300.0, help="exit after this, whatever")
    args = parser.parse_args()
    phone = Softphone(args.user, [Turn.parse(t) for t in args.turn], args.hangup_after)
    phone.start(args.port)
    try:
        phone.run(args.lifetime)
    finally:
        phone.stop()


if __name__ == "__main__":
    main()
