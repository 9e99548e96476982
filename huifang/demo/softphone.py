"""The scripted SIP peer: a softphone in its own process (pjsua2 allows one Endpoint per
process), for the demo, the benchmarks and the tests of every package (ivr, calls, web).

It answers every call (`--respond` another final status, or 0 to ring for ever; a second
call while one is up is refused with 486), or places one (`--call URI`); plays a WAV and
records what it hears (`--play`, `--record`), sends keys (`--dtmf`), hangs up after a time,
and follows turns driven by what it hears:

    after:2.5:FILE          say FILE 2.5 s after the call's audio starts
    reply:FILE              say FILE once the other side has spoken and fallen silent
    end:key:1               press 1 once the other side's current sound (a prompt) has ended
    end:say:FILE / end:hangup
    start+1.5:say:FILE      say FILE 1.5 s into the other side's sound (barge-in)
    start+2:hangup          hang up 2 s into it

One JSON line per event on stdout: ready (port, uri), state, media (codec), dtmf (a key
received), dtmf_sent, turn (action, arg), said (wav, and the CLOCK_MONOTONIC start and end at
which it played, shared by every process on the machine), ended (turns_left), exit.
Run: `python -m huifang.demo.softphone --turn ...`.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pjsua2 as pj

from ivr.pj_bytes import vector_bytes

LOUD_RMS = 300.0  # PCM16: prompts and speech are far louder, line silence far quieter
SILENCE_GAP_S = 0.6  # silence that ends the other side's sound (pauses inside one are shorter)
LINGER_S = 0.3  # after the call ends, for the last messages


def emit(event: str, **fields: object) -> None:
    """One JSON line on stdout."""
    print(json.dumps({"event": event, **fields}, ensure_ascii=False), flush=True)


@dataclass(frozen=True)
class Turn:
    """One scripted action and when: at a time after the audio starts, at the end of the
    other side's sound, or some seconds into it."""

    when: str  # after / end / start
    delay_s: float
    action: str  # say / key / hangup
    arg: str

    @classmethod
    def parse(cls, text: str) -> Turn:
        """`after:2.5:FILE`, `reply:FILE`, `end:key:1`, `start+1.5:say:FILE`, `start+2:hangup`."""
        when, _, rest = text.partition(":")
        if when == "reply":
            return cls("end", 0.0, "say", rest)
        if when == "after":
            seconds, _, wav = rest.partition(":")
            return cls("after", float(seconds), "say", wav)
        action, _, arg = rest.partition(":")
        if when == "end":
            return cls("end", 0.0, action, arg)
        if when.startswith("start+"):
            return cls("start", float(when.removeprefix("start+")), action, arg)
        raise ValueError(f"turn {text!r}: use after:S:FILE, reply:FILE, end:ACTION or "
                         "start+S:ACTION (ACTION: say:FILE, key:DIGITS, hangup)")


def wav_seconds(path: str) -> float:
    """How long a WAV plays."""
    with wave.open(path, "rb") as wav:
        return wav.getnframes() / wav.getframerate()


class Ear(pj.AudioMediaPort):  # type: ignore[misc]
    """When the other side's current sound started and was last loud (pjmedia's clock thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Lock()
        self.loud_since: float | None = None
        self.last_loud = 0.0
        self.armed = True  # False from our action until the sound acted on falls silent once
        fmt = pj.MediaFormatAudio()
        fmt.type = pj.PJMEDIA_TYPE_AUDIO
        fmt.clockRate, fmt.channelCount, fmt.bitsPerSample = 16000, 1, 16
        fmt.frameTimeUsec = 20000
        self.createPort("softphone-ear", fmt)

    def onFrameReceived(self, frame: Any) -> None:  # noqa: N802
        if frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO:
            return
        samples = np.frombuffer(vector_bytes(frame.buf), dtype="<i2").astype(np.float64)
        rms = float(np.sqrt(np.mean(samples * samples))) if len(samples) else 0.0
        now = time.monotonic()
        with self.lock:
            if not self.armed:  # the tail of the sound just acted on is not a new one
                self.armed = rms < LOUD_RMS
                return
            if rms >= LOUD_RMS:
                if self.loud_since is None or now - self.last_loud > SILENCE_GAP_S:
                    self.loud_since = now
                self.last_loud = now

    def onFrameRequested(self, frame: Any) -> None:  # noqa: N802
        frame.type = pj.PJMEDIA_FRAME_TYPE_NONE

    def forget(self) -> None:
        """We acted on the current sound: the next loud frame starts a new one."""
        with self.lock:
            self.loud_since = None
            self.armed = False

    def state(self) -> tuple[float | None, float]:
        """Start of the current (or last) sound and when it was last loud."""
        with self.lock:
            return self.loud_since, self.last_loud


class _Call(pj.Call):  # type: ignore[misc]
    def __init__(self, phone: Softphone, account: Any, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(account, call_id)
        self.phone = phone

    def onCallState(self, prm: Any) -> None:  # noqa: N802
        info = self.getInfo()
        emit("state", state=info.stateText, code=info.lastStatusCode)
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.phone.later(0.0, self.phone.on_confirmed)
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.phone.later(0.0, self.phone.finish)

    def onCallMediaState(self, prm: Any) -> None:  # noqa: N802
        self.phone.later(0.0, self.phone.wire)

    def onDtmfDigit(self, prm: Any) -> None:  # noqa: N802
        emit("dtmf", digit=prm.digit)


class _Account(pj.Account):  # type: ignore[misc]
    def __init__(self, phone: Softphone) -> None:
        super().__init__()
        self.phone = phone

    def onIncomingCall(self, prm: Any) -> None:  # noqa: N802
        self.phone.incoming(self, prm.callId)


def _status(code: int) -> Any:
    prm = pj.CallOpParam()
    prm.statusCode = code
    return prm


class Softphone:
    """The endpoint, one call, its media and its script, all driven from the main thread."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.turns = [Turn.parse(text) for text in args.turn]
        self.ep: Any = pj.Endpoint()
        self.account: _Account | None = None
        self.call: _Call | None = None
        self.audio: Any = None
        self.ear: Ear | None = None
        self.media_objects: list[Any] = []  # players and the recorder (deleted at the end)
        self.refused: list[Any] = []
        self.timers: list[tuple[float, Callable[[], None]]] = []
        self.media_at: float | None = None
        self.speaking_until = 0.0
        self.handled_sound: float | None = None  # start of the last sound a turn was used on
        self.done = False

    def later(self, delay: float, fn: Callable[[], None]) -> None:
        """Run `fn` on the main loop after `delay` seconds (never inside a pj callback)."""
        self.timers.append((time.monotonic() + delay, fn))

    def start(self) -> None:
        """Endpoint, one transport on 127.0.0.1, the codecs asked for, an account."""
        args, ep = self.args, self.ep
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
        tc.port = args.port
        kind = pj.PJSIP_TRANSPORT_TCP if args.transport == "tcp" else pj.PJSIP_TRANSPORT_UDP
        tid = ep.transportCreate(kind, tc)
        port = int(ep.transportGetInfo(tid).localName.rsplit(":", 1)[1])
        ep.libStart()
        ep.audDevManager().setNullDev()
        if args.codec:  # only these, in this order; otherwise pjsua2's own preference
            for codec in ep.codecEnum2():
                name = codec.codecId.split("/")[0]
                ranked = 200 - args.codec.index(name) if name in args.codec else 0
                ep.codecSetPriority(codec.codecId, ranked)
        acfg = pj.AccountConfig()
        acfg.idUri = f"sip:{args.user}@127.0.0.1:{port}"
        acfg.mediaConfig.transportConfig.port = args.rtp_port
        acfg.mediaConfig.transportConfig.portRange = 10000
        acfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
        self.account = _Account(self)
        self.account.create(acfg)
        emit("ready", port=port, uri=acfg.idUri)
        if args.call:
            self.call = _Call(self, self.account)
            self.call.makeCall(args.call, pj.CallOpParam(True))

    # --- the call ---------------------------------------------------------------------------

    def incoming(self, account: Any, call_id: int) -> None:
        """Ring, then answer as told; a second call while one is up is busy."""
        if self.call is not None:
            refused = pj.Call(account, call_id)
            refused.answer(_status(486))
            self.refused.append(refused)  # pj objects die on the main thread, at stop
            return
        self.call = _Call(self, account, call_id)
        self.call.answer(_status(180))
        self.later(0.05, self.respond)

    def respond(self) -> None:
        """The final response (200, 486, 404 …); 0 means ring for ever."""
        code = self.args.respond
        if self.call is None or code == 0:
            return
        if code == 200:
            self.call.answer(_status(200))
        else:
            self.call.hangup(_status(code))

    def on_confirmed(self) -> None:
        """Schedule the hang-up after the answer, if asked."""
        if self.args.hangup_after is not None:
            self.later(self.args.hangup_after, self.hangup)

    def wire(self) -> None:
        """Once audio flows: the ear, the player and the recorder, and the keys to send."""
        call = self.call
        if call is None or self.audio is not None or self.done:
            return
        info = call.getInfo()  # keep it: its media vector dies with it
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.audio = call.getAudioMedia(index)
                self.media_at = time.monotonic()
                self.ear = Ear()
                # pjsua2 frees a dropped port while the bridge may still call it (see
                # ivr/media_tap.py): hand the ear to pjsua2 for the life of the process.
                self.ear.__disown__()
                self.audio.startTransmit(self.ear)
                self._play_and_record()
                emit("media", codec=call.getStreamInfo(index).codecName)
                return

    def _play_and_record(self) -> None:
        if self.args.play:
            self._player(self.args.play)
        if self.args.record:
            recorder = pj.AudioMediaRecorder()
            recorder.createRecorder(self.args.record)
            self.audio.startTransmit(recorder)
            self.media_objects.append(recorder)
        if self.args.dtmf:
            self.later(self.args.dtmf_at, lambda: self.send_keys(self.args.dtmf,
                                                                 self.args.dtmf_method))

    def _player(self, wav: str) -> None:
        player = pj.AudioMediaPlayer()
        player.createPlayer(wav, pj.PJMEDIA_FILE_NO_LOOP)
        player.startTransmit(self.audio)
        self.media_objects.append(player)

    def send_keys(self, digits: str, method: str = "rfc4733") -> None:
        """The digits, by RTP events or SIP INFO."""
        if self.call is None or self.done:
            return
        prm = pj.CallSendDtmfParam()
        prm.digits = digits
        prm.method = (pj.PJSUA_DTMF_METHOD_SIP_INFO if method == "info"
                      else pj.PJSUA_DTMF_METHOD_RFC2833)
        self.call.sendDtmf(prm)
        emit("dtmf_sent", digits=digits)

    def hangup(self) -> None:
        """BYE (or CANCEL)."""
        if self.call is not None and not self.done:
            self.call.hangup(pj.CallOpParam())

    def finish(self) -> None:
        """The call ended: close the recording (its header is written when the recorder is
        deleted) and stop following the script."""
        if self.done:
            return
        self.media_objects.clear()
        self.done = True
        emit("ended", turns_left=len(self.turns))

    # --- the script -------------------------------------------------------------------------

    def step(self, now: float) -> None:
        """Run the next turn when it is due (never while our own line is playing)."""
        if self.done or self.media_at is None or self.ear is None or now < self.speaking_until:
            return
        if not self.turns:
            self._maybe_hang_up(now)
            return
        turn = self.turns[0]
        if turn.when == "after":
            due = now >= self.media_at + turn.delay_s
        else:
            due = self._heard(turn, now)
        if due:
            self.turns.pop(0)
            self.act(turn, now)

    def _heard(self, turn: Turn, now: float) -> bool:
        """The other side's sound has ended (`end`), or played `delay_s` (`start`)."""
        assert self.ear is not None
        started, last_loud = self.ear.state()
        if started is None or started == self.handled_sound:
            return False
        if turn.when == "end" and now - last_loud < SILENCE_GAP_S:
            return False
        if turn.when == "start" and last_loud - started < turn.delay_s:
            return False  # a sound that has really played this long, not a tail
        self.handled_sound = started
        self.ear.forget()
        return True

    def act(self, turn: Turn, now: float) -> None:
        """Say a file, press keys, or hang up."""
        assert self.call is not None
        emit("turn", action=turn.action, arg=turn.arg)
        if turn.action == "say":
            self._player(turn.arg)
            seconds = wav_seconds(turn.arg)
            self.speaking_until = now + seconds
            if self.ear is not None:
                self.ear.forget()
            emit("said", wav=turn.arg, start=now, end=now + seconds)
        elif turn.action == "key":
            self.send_keys(turn.arg)
        elif turn.action == "hangup":
            self.hangup()
        else:
            raise ValueError(f"unknown turn action {turn.action!r}")

    def _maybe_hang_up(self, now: float) -> None:
        wait = self.args.hangup_after_turns
        if wait is None or self.call is None:
            return
        if now >= self.speaking_until + wait:
            self.args.hangup_after_turns = None
            self.hangup()

    def run(self) -> None:
        """Poll until the call is over (and a moment for the last messages) or time is up."""
        deadline = time.monotonic() + self.args.lifetime
        finished_at: float | None = None
        while time.monotonic() < deadline:
            self.ep.libHandleEvents(10)
            now = time.monotonic()
            due = [t for t in self.timers if t[0] <= now]
            self.timers = [t for t in self.timers if t[0] > now]
            for _, fn in due:
                fn()
            self.step(now)
            if self.done and finished_at is None:
                finished_at = now
            if finished_at is not None and now - finished_at > LINGER_S:
                break
        if not self.done:
            emit("ended", turns_left=len(self.turns))

    def stop(self) -> None:
        """Delete every pj object, then the library."""
        self.media_objects.clear()
        self.refused.clear()
        self.ear = None
        self.audio = None
        self.call = None
        if self.account is not None:
            self.account.shutdown()
        self.account = None
        self.ep.libDestroy()
        emit("exit")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The softphone's script."""
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--user", default="softphone", help="user part of our SIP URI (caller ID)")
    p.add_argument("--port", type=int, default=0, help="SIP port (0: any free one)")
    p.add_argument("--transport", choices=["udp", "tcp"], default="udp")
    p.add_argument("--rtp-port", type=int, default=40000, help="first RTP port to try")
    p.add_argument("--codec", action="append", default=[],
                   help="offer only this codec (repeat: in this order); default all")
    p.add_argument("--call", "--dial", dest="call", metavar="URI",
                   help="place a call to URI rather than answer one")
    p.add_argument("--respond", type=int, default=200,
                   help="final answer to an INVITE (0: ring for ever)")
    p.add_argument("--play", help="WAV to play once the audio is up")
    p.add_argument("--record", help="WAV to record what we hear")
    p.add_argument("--dtmf", default="", help="keys to send once the audio is up")
    p.add_argument("--dtmf-method", choices=["rfc4733", "info"], default="rfc4733")
    p.add_argument("--dtmf-at", type=float, default=0.5, help="seconds after the audio is up")
    p.add_argument("--turn", action="append", default=[], help="see above; in order")
    p.add_argument("--hangup-after", type=float, default=None, metavar="S",
                   help="hang up S seconds after the call is answered")
    p.add_argument("--hangup-after-turns", type=float, default=None, metavar="S",
                   help="hang up S seconds after the last turn has played")
    p.add_argument("--lifetime", type=float, default=300.0, help="exit after this, whatever")
    return p.parse_args(argv)


def main() -> None:
    """Run one call's script."""
    phone = Softphone(parse_args())
    phone.start()
    try:
        phone.run()
    finally:
        phone.stop()


if __name__ == "__main__":
    main()
