"""A scripted call, recogniser and TTS for session tests, no SIP, no model.

Everything the fake call does runs on one clock, its customer leg's sample count: audio
frames, keys, the end of a prompt, the customer hanging up; the scripted recogniser answers on
the same count. Each 20 ms tick is paced by the event loop (the session's own timeouts are
loop time), nothing in the fake races another timer, and the clock stands still while the
session works off the loop (a prompt rendered in the default executor), so a loaded machine
does not move the call on under the session's feet."""

from __future__ import annotations

import asyncio
import itertools
import threading
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import numpy as np

from asr.codec import Pcm16
from asr.events import Transcript, TranscriptKind
from ivr.events import AudioFrame, CallEnded, DtmfDigit, DtmfMethod, Leg
from ivr.frame_queue import FrameQueue
from ivr.outcome import CallOutcome
from ivr.prompt import Prompt, PromptEnd

RATE = 16000
FRAME = 320  # 20 ms
P = ParamSpec("P")
T = TypeVar("T")


class QuietExecutor(ThreadPoolExecutor):
    """A loop's default executor that knows when a prompt is being rendered in it (the fake's
    clock waits for that; other jobs, like a recognition stream's watcher, run all call long)."""

    def __init__(self) -> None:
        super().__init__(max_workers=4)
        self._lock = threading.Lock()
        self._running = 0

    @property
    def busy(self) -> bool:
        """Whether a prompt is queued or being rendered."""
        with self._lock:
            return self._running > 0

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Queue a job; a prompt's rendering (PromptCache.wav_for) is counted until done."""
        future = super().submit(fn, *args, **kwargs)
        if getattr(fn, "__name__", "") == "wav_for":
            with self._lock:
                self._running += 1
            future.add_done_callback(self._done)
        return future

    def _done(self, _: Future[Any]) -> None:
        with self._lock:
            self._running -= 1


class ToneTts:
    """Writes a short tone for any text (what it says does not matter to the session)."""

    identity = "tone"

    def render(self, text: str, out: Path) -> None:
        """A 0.3 s tone."""
        t = np.arange(int(0.3 * RATE)) / RATE
        with wave.open(str(out), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(RATE)
            w.writeframes((8000 * np.sin(2 * np.pi * 600 * t)).astype("<i2").tobytes())


class ScriptedRecognizer:
    """Says `text` as a final transcript once the stream has passed `at_s` seconds."""

    def __init__(self, finals: list[tuple[float, str]], ended: bool = False) -> None:
        self._finals = list(finals)
        self._samples = 0
        self._ended = ended  # the utterance ends where it is emitted (its audio already in)

    def accept(self, pcm: Pcm16) -> list[Transcript]:
        """Count samples; emit what is due."""
        self._samples += len(pcm)
        now = self._samples / RATE
        due = [(at, text) for at, text in self._finals if at <= now]
        self._finals = self._finals[len(due):]
        start = -0.4 if self._ended else 0.0
        return [Transcript(TranscriptKind.FINAL, text, at + start, at + start + 0.4, "customer")
                for at, text in due]

    def finish(self) -> list[Transcript]:
        """Nothing left to decode."""
        return []


class ScriptedEngine:
    """An Engine whose one recogniser follows a timeline."""

    name = "scripted"

    def __init__(self, finals: list[tuple[float, str]] | None = None) -> None:
        self.finals = finals or []

    def new_recognizer(self, leg: str | None = None) -> ScriptedRecognizer:
        """The scripted recogniser."""
        return ScriptedRecognizer(self.finals)


class ListeningEngine(ScriptedEngine):
    """A scripted engine that also scores texts (a second listen): `prefer` scores best."""

    def __init__(self, finals: list[tuple[float, str]], prefer: str) -> None:
        super().__init__(finals)
        self.prefer = prefer
        self.listened: list[tuple[int, tuple[str, ...]]] = []  # (samples, texts) per call

    def new_recognizer(self, leg: str | None = None) -> ScriptedRecognizer:
        """The scripted recogniser, each final emitted once its audio has been pushed."""
        return ScriptedRecognizer(self.finals, ended=True)

    def score_texts(self, audio: Pcm16, texts: Sequence[str]) -> list[float]:
        """The preferred text a little likelier than the heard one (first), the rest far off."""
        self.listened.append((len(audio), tuple(texts)))
        return [-4.0 if text == self.prefer else -5.0 if i == 0 else -30.0
                for i, text in enumerate(texts)]


class FakeCall:
    """An answered call: silence from the customer, keys on a timeline, prompts of 0.3 s."""

    _ids = itertools.count(1)

    def __init__(self, keys: list[tuple[float, str]] | None = None,
                 prompt_s: float = 0.3, hang_up_at_s: float | None = None) -> None:
        self.remote_uri = "sip:customer@fake"
        self.loop = asyncio.get_running_loop()
        self._executor = QuietExecutor()  # the session's off-loop work, which the clock awaits
        self.loop.set_default_executor(self._executor)
        self.prompt_s = prompt_s
        self.played: list[Path] = []
        self.transferred_to: str | None = None
        self._keys = list(keys or [])
        self._hang_up_at_s = hang_up_at_s  # the customer leaves then (keeps tests short)
        self._dtmf: asyncio.Queue[DtmfDigit | None] = asyncio.Queue()
        self._end: asyncio.Future[CallEnded] = self.loop.create_future()
        # The prompt playing: its id, its end, and the sample count at which it finishes.
        self._prompt: tuple[int, asyncio.Future[PromptEnd], int] | None = None
        self._taps: list[FrameQueue] = []
        self._samples = 0  # the one clock: samples of the customer leg so far
        self._clock = asyncio.create_task(self._run_clock())

    @property
    def ended(self) -> bool:
        """True once hung up or transferred."""
        return self._end.done()

    def tap(self, leg: Leg, max_frames: int | None = None) -> FrameQueue:
        """Silence frames every 20 ms until the end."""
        frames = FrameQueue(self.loop, max_frames or 500)
        self._taps.append(frames)
        return frames

    async def play(self, wav: Path) -> Prompt:
        """A prompt that finishes prompt_s of call audio later unless stopped."""
        self._finish_prompt(PromptEnd.STOPPED)
        prompt_id = next(self._ids)
        ended: asyncio.Future[PromptEnd] = self.loop.create_future()
        self._prompt = (prompt_id, ended, self._samples + round(self.prompt_s * RATE))
        self.played.append(wav)
        return Prompt(prompt_id, wav, ended)

    async def stop_prompt(self) -> None:
        """Barge-in."""
        self._finish_prompt(PromptEnd.STOPPED)

    async def hangup(self, status_code: int = 0) -> None:
        """We end the call."""
        self._end_call(CallOutcome.COMPLETED)

    async def transfer(self, uri: str) -> None:
        """The human answers at once."""
        self.transferred_to = uri
        self._end_call(CallOutcome.TRANSFERRED)

    async def next_dtmf(self, timeout: float) -> DtmfDigit | None:
        """The next scripted key."""
        try:
            return await asyncio.wait_for(self._dtmf.get(), timeout)
        except TimeoutError:
            return None

    async def wait_ended(self, timeout: float) -> CallEnded:
        """How it ended."""
        return await asyncio.wait_for(asyncio.shield(self._end), timeout)

    async def _run_clock(self) -> None:
        """One tick per 20 ms frame: the frame, then what falls due on its sample count."""
        while not self.ended:
            while self._executor.busy:  # the session is preparing something: time stands still
                await asyncio.sleep(0.001)
            for frames in self._taps:
                frames.offer(AudioFrame("fake", Leg.CUSTOMER, bytes(2 * FRAME), RATE,
                                        self._samples))
            self._samples += FRAME
            now = self._samples / RATE
            if self._prompt is not None and self._samples >= self._prompt[2]:
                self._finish_prompt(PromptEnd.FINISHED)
            while self._keys and self._keys[0][0] <= now:
                _, digit = self._keys.pop(0)
                self._dtmf.put_nowait(DtmfDigit("fake", digit, DtmfMethod.RFC4733))
            if self._hang_up_at_s is not None and now >= self._hang_up_at_s:
                self._end_call(CallOutcome.PEER_HUNG_UP)
            await asyncio.sleep(FRAME / RATE)

    def _finish_prompt(self, reason: PromptEnd) -> None:
        if self._prompt is not None:
            _, ended, _ = self._prompt
            self._prompt = None
            if not ended.done():
                ended.set_result(reason)

    def _end_call(self, outcome: CallOutcome) -> None:
        if self.ended:
            return
        self._finish_prompt(PromptEnd.CALL_ENDED)
        for frames in self._taps:
            frames.close()
        self._dtmf.put_nowait(None)
        self._end.set_result(CallEnded("fake", outcome, 200, "OK", True, 1.0, None))
