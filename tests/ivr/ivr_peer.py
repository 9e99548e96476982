"""A scripted pjsua2 SIP peer for the ivr tests, run as its own process (one Endpoint each).

It answers (or places) one call, plays a WAV, records what it hears, sends DTMF and hangs
up as its arguments say, and prints one JSON object per line for the test to follow.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import pjsua2 as pj


def emit(event: str, **fields: object) -> None:
    """One line of JSON on stdout for the test."""
    print(json.dumps({"event": event, **fields}), flush=True)


def parse_args() -> argparse.Namespace:
    """The peer's script."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--transport", choices=["udp", "tcp"], default="udp")
    p.add_argument("--codec", default="PCMU", help="the only codec offered")
    p.add_argument("--call", help="place a call to this URI instead of waiting for one")
    p.add_argument("--respond", type=int, default=200, help="final answer to an INVITE")
    p.add_argument("--play", help="WAV to play once media is up")
    p.add_argument("--record", help="WAV to record what the peer hears")
    p.add_argument("--dtmf", default="", help="digits to send once media is up")
    p.add_argument("--dtmf-method", choices=["rfc4733", "info"], default="rfc4733")
    p.add_argument("--dtmf-at", type=float, default=0.5, help="seconds after media is up")
    p.add_argument("--hangup-after", type=float, help="seconds after answer")
    p.add_argument("--lifetime", type=float, default=20.0, help="exit after this, whatever")
    return p.parse_args()


class PeerCall(pj.Call):  # type: ignore[misc]
    """The peer's call: reports state, wires media, schedules the script."""

    def __init__(self, peer: Peer, account: Any, call_id: int = pj.PJSUA_INVALID_ID) -> None:
        super().__init__(account, call_id)
        self.peer = peer
        self.objects: list[Any] = []

    def onCallState(self, prm: Any) -> None:  # noqa: N802
        info = self.getInfo()
        emit("state", state=info.stateText, code=info.lastStatusCode)
        if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
            self.peer.on_confirmed()
        elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
            self.peer.later(0.0, self.peer.finish)

    def onCallMediaState(self, prm: Any) -> None:  # noqa: N802
        self.peer.later(0.0, self.peer.on_media)

    def onDtmfDigit(self, prm: Any) -> None:  # noqa: N802
        emit("dtmf", digit=prm.digit)


class PeerAccount(pj.Account):  # type: ignore[misc]
    """Takes the incoming call."""

    def __init__(self, peer: Peer) -> None:
        super().__init__()
        self.peer = peer

    def onIncomingCall(self, prm: Any) -> None:  # noqa: N802
        self.peer.on_incoming(prm.callId)


class Peer:
    """The endpoint, the one call and a tiny timer list, all on the main thread."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.ep: Any = pj.Endpoint()
        self.account: Any = None
        self.call: PeerCall | None = None
        self.timers: list[tuple[float, Callable[[], None]]] = []
        self.done = False
        self.media_up = False

    def later(self, delay: float, fn: Callable[[], None]) -> None:
        """Run `fn` on the main loop after `delay` seconds (never inside a callback)."""
        self.timers.append((time.monotonic() + delay, fn))

    def start(self) -> None:
        """Endpoint, one transport on 127.0.0.1 with a free port, the codec, an account."""
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
        kind = pj.PJSIP_TRANSPORT_TCP if self.args.transport == "tcp" else pj.PJSIP_TRANSPORT_UDP
        tid = ep.transportCreate(kind, tc)
        port = int(ep.transportGetInfo(tid).localName.rsplit(":", 1)[1])
        ep.libStart()
        ep.audDevManager().setNullDev()
        for codec in ep.codecEnum2():
            wanted = codec.codecId.split("/")[0] == self.args.codec
            ep.codecSetPriority(codec.codecId, 200 if wanted else 0)
        acfg = pj.AccountConfig()
        acfg.idUri = f"sip:peer@127.0.0.1:{port}"
        acfg.mediaConfig.transportConfig.port = 20000
        acfg.mediaConfig.transportConfig.portRange = 20000
        acfg.mediaConfig.transportConfig.boundAddress = "127.0.0.1"
        self.account = PeerAccount(self)
        self.account.create(acfg)
        emit("ready", port=port)
        if self.args.call:
            self.call = PeerCall(self, self.account)
            self.call.makeCall(self.args.call, pj.CallOpParam(True))

    def on_incoming(self, call_id: int) -> None:
        """Ring, then answer as told."""
        self.call = PeerCall(self, self.account, call_id)
        prm = pj.CallOpParam()
        prm.statusCode = 180
        self.call.answer(prm)
        if self.args.respond is not None:
            self.later(0.05, self.respond)

    def respond(self) -> None:
        """The final response (200, 486, 404 ...); 0 means never answer."""
        if self.call is None or self.args.respond == 0:
            return
        prm = pj.CallOpParam()
        prm.statusCode = self.args.respond
        if self.args.respond == 200:
            self.call.answer(prm)
        else:
            self.call.hangup(prm)

    def on_confirmed(self) -> None:
        """Schedule the hang-up, if asked."""
        if self.args.hangup_after is not None:
            self.later(self.args.hangup_after, self.hangup)

    def on_media(self) -> None:
        """Play, record, and schedule DTMF once the audio is up."""
        call = self.call
        if call is None or self.media_up or self.done:
            return
        info = call.getInfo()
        for index, media in enumerate(info.media):
            if media.type == pj.PJMEDIA_TYPE_AUDIO and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                self.media_up = True
                self.wire(call, call.getAudioMedia(index))
                emit("media", codec=call.getStreamInfo(index).codecName)

    def wire(self, call: PeerCall, audio: Any) -> None:
        """Player into the call, call into the recorder."""
        if self.args.play:
            player = pj.AudioMediaPlayer()
            player.createPlayer(self.args.play, pj.PJMEDIA_FILE_NO_LOOP)
            player.startTransmit(audio)
            call.objects.append(player)
        if self.args.record:
            recorder = pj.AudioMediaRecorder()
            recorder.createRecorder(self.args.record)
            audio.startTransmit(recorder)
            call.objects.append(recorder)
        if self.args.dtmf:
            self.later(self.args.dtmf_at, self.send_dtmf)

    def send_dtmf(self) -> None:
        """The digits, by RTP events or SIP INFO."""
        if self.call is None or self.done:
            return
        prm = pj.CallSendDtmfParam()
        prm.digits = self.args.dtmf
        prm.method = (pj.PJSUA_DTMF_METHOD_SIP_INFO if self.args.dtmf_method == "info"
                      else pj.PJSUA_DTMF_METHOD_RFC2833)
        self.call.sendDtmf(prm)
        emit("dtmf_sent", digits=self.args.dtmf)

    def hangup(self) -> None:
        """BYE."""
        if self.call is not None and not self.done:
            self.call.hangup(pj.CallOpParam())

    def finish(self) -> None:
        """Close the recording (its header is written when the recorder is deleted)."""
        if self.call is not None:
            self.call.objects.clear()
        self.done = True
        emit("ended")

    def run(self) -> None:
        """Poll until the call is over (plus a moment for the last messages) or time is up."""
        deadline = time.monotonic() + self.args.lifetime
        finished_at: float | None = None
        while time.monotonic() < deadline:
            self.ep.libHandleEvents(10)
            now = time.monotonic()
            due = [t for t in self.timers if t[0] <= now]
            self.timers = [t for t in self.timers if t[0] > now]
            for _, fn in due:
                fn()
            if self.done and finished_at is None:
                finished_at = now
            if finished_at is not None and now - finished_at > 0.3:
                break

    def stop(self) -> None:
        """Delete every pj object, then the library."""
        if self.call is not None:
            self.call.objects.clear()
        self.call = None
        if self.account is not None:
            self.account.shutdown()
        self.account = None
        self.ep.libDestroy()
        emit("exit")


def main() -> None:
    """Run the peer's script."""
    peer = Peer(parse_args())
    peer.start()
    try:
        peer.run()
    finally:
        peer.stop()


if __name__ == "__main__":
    main()
