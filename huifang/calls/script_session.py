"""A scripted (robot) callback on one answered call: prompts out, answers in, the dialogue
in between; every call kind that runs a script (outbound, inbound, handed over) runs this.

Every input (transcript, speech start, key, prompt end, hang-up) arrives on one queue and
is handled by one loop, so the dialogue sees them in a single order, the order recorded in
`events` and handed to the call's run (checks, bus, storage) as it is recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from asr.engines import Engine, TextScorer
from asr.events import Transcript
from asr.vad import VadConfig, VadEvent, VadEventKind
from huifang.calls.call_port import CallPort
from huifang.calls.events import PromptPlayed, SessionEvent
from huifang.calls.legs import LegListener, Post
from huifang.calls.options import CallbackOptions
from huifang.calls.outcome import CallbackOutcome, outcome_of
from huifang.prompt_audio.cache import PromptCache
from ivr.call import CallEndedError
from ivr.events import CallEnded, DtmfDigit, Leg
from ivr.prompt import Prompt as PlayingPrompt
from ivr.prompt import PromptEnd
from scripts_zh.dialogue import CallbackDialogue
from scripts_zh.dialogue_events import CallEnded as DialogueEnded
from scripts_zh.dialogue_events import DialogueEvent, Prompt, PromptPurpose, TransferToHuman

# Purposes the customer may talk over; the opening carries the recording notice (全程录音).
_INTERRUPTIBLE = frozenset({PromptPurpose.ASK, PromptPurpose.RETRY, PromptPurpose.EXPLAIN})
_NEVER = 1 << 62


@dataclass(frozen=True)
class _PromptDone:
    """A prompt stopped (internal: becomes a PromptPlayed event)."""

    prompt_id: int
    end: PromptEnd


@dataclass
class _Playing:
    prompt: Prompt
    handle: PlayingPrompt
    started_ms: int
    interruptible: bool


Inbox = Transcript | VadEvent | DtmfDigit | CallEnded | _PromptDone
# Bridge the customer to a human on this same call (转人工); False when nobody took it.
HandOver = Callable[[], Awaitable[bool]]


class SessionRun(Protocol):
    """What a session needs of its call's run (huifang.calls.run.CallRun)."""

    @property
    def engine(self) -> Engine:
        """The recogniser (a TextScorer too, for a second listen to an unclear answer)."""
        ...

    def customer_ear(self, post: Post, vad: VadConfig) -> LegListener:
        """The customer leg's listener, posting finals and speech boundaries to `post`."""
        ...

    def on_session_event(self, event: SessionEvent) -> None:
        """An event as the session records it."""
        ...


class ScriptSession:
    """Binds an answered ivr Call, a scripts_zh dialogue and the customer leg for one callback.

    With `hand_over`, 转人工 bridges the customer to an agent on the same call (the session
    then listens on until the call ends) instead of transferring the call away.
    """

    def __init__(self, call: CallPort, dialogue: CallbackDialogue, run: SessionRun,
                 prompts: PromptCache, options: CallbackOptions, *,
                 hand_over: HandOver | None = None) -> None:
        self.call = call
        self.dialogue = dialogue
        self.prompts = prompts
        self.options = options
        self.events: list[SessionEvent] = []  # the whole call, in the order it was handled
        self._run = run
        self._hand_over = hand_over
        self._handed_over = False
        self._inbox: asyncio.Queue[Inbox] = asyncio.Queue()
        self._ear = run.customer_ear(self._inbox.put_nowait, options.vad)
        engine = run.engine
        listens = options.second_listen and isinstance(engine, TextScorer)
        self._scorer: TextScorer | None = engine if listens else None  # type: ignore[assignment]
        self._queue: deque[Prompt] = deque()
        self._playing: _Playing | None = None
        self._deadline: float | None = None  # loop time of the answer timeout
        self._listen_from_ms = 0  # speech that starts earlier is not an answer
        self._speaking = False
        self._heard_unrecognised = False  # speech ended, its final transcript not yet here
        self._finishing = False  # the dialogue has ended; play what is left, then leave
        self._transfer: TransferToHuman | None = None
        self._ended: CallEnded | None = None
        self._watchers: set[asyncio.Task[None]] = set()  # prompt watchers, kept alive

    async def run(self) -> CallbackOutcome:
        """Run the script until the call ends; the outcome of call and dialogue together."""
        workers = [asyncio.create_task(coro) for coro in (
            self._ear.listen(self.call.tap(Leg.CUSTOMER)), self._ear.transcripts(),
            self._read_keys(), self._watch_end())]
        try:
            await asyncio.wait_for(self._converse(), self.options.max_call_s)
        except TimeoutError:
            await self._leave_after_deadline()
        finally:
            await self._stop(workers)
        assert self._ended is not None
        return outcome_of(self.dialogue, self.call.remote_uri, self._ended, self.events,
                          self._ear.counters)

    # --- the loop ------------------------------------------------------------------------

    async def _converse(self) -> None:
        await self._apply(self.dialogue.start())
        while self._ended is None:
            loop = asyncio.get_running_loop()
            wait = None if self._deadline is None else max(0.0, self._deadline - loop.time())
            try:
                item = await asyncio.wait_for(self._inbox.get(), wait)
            except TimeoutError:
                self._deadline = None
                await self._apply(self.dialogue.on_timeout(self._ear.audio_ms))
                self._expect_answer()
                continue
            await self._handle(item)

    async def _handle(self, item: Inbox) -> None:
        if isinstance(item, _PromptDone):
            await self._prompt_done(item)
        elif isinstance(item, VadEvent):
            await self._speech(item)
        elif isinstance(item, Transcript):
            await self._transcript(item)
        elif isinstance(item, DtmfDigit):
            await self._key(item)
        else:
            if self._playing is not None:  # its own end may still be on the way: record it now
                self._record_played(self._playing, PromptEnd.CALL_ENDED)
                self._playing = None
            self._record(item)
            self._ended = item
            await self._apply(self.dialogue.on_hangup(self._ear.audio_ms))

    # --- inputs --------------------------------------------------------------------------

    async def _speech(self, event: VadEvent) -> None:
        self._record(event)
        self._speaking = event.kind is VadEventKind.SPEECH_STARTED
        if not self._speaking:
            self._heard_unrecognised = True
            self._expect_answer()
            return
        self._deadline = None
        if self._may_interrupt(int(event.start_s * 1000)):
            await self._barge_in()

    async def _transcript(self, result: Transcript) -> None:
        self._record(result)
        self._heard_unrecognised = False
        start_ms, end_ms = int(result.start * 1000), int(result.end * 1000)
        if self._finishing or not result.text or start_ms < self._listen_from_ms:
            self._expect_answer()  # the timeout waited for this: restart it
            return  # noise, or spoken over a prompt that may not be interrupted
        if self._playing is not None:
            await self._barge_in()  # an engine without our VAD's timing: answer wins
        scores = await self._listen_again(result)
        await self._apply(self.dialogue.on_answer(result.text, start_ms, end_ms, scores))
        self._expect_answer()

    async def _listen_again(self, result: Transcript) -> list[float] | None:
        """The recogniser's scores of the texts the dialogue would weigh against an unclear
        answer's audio (scripts_zh/answer_hearing.py), off the event loop; None if it can't."""
        texts = self.dialogue.second_listen(result.text)
        audio = self._ear.utterance(result.start, result.end) if texts else None
        if self._scorer is None or audio is None:
            return None
        return await asyncio.get_running_loop().run_in_executor(
            None, self._scorer.score_texts, audio, texts)

    async def _key(self, digit: DtmfDigit) -> None:
        self._record(digit)
        if self._finishing or not self._may_interrupt(self._ear.audio_ms, keys=True):
            return
        if self._playing is not None:
            await self._barge_in()
        await self._apply(self.dialogue.on_dtmf(digit.digit, self._ear.audio_ms))
        self._expect_answer()

    def _may_interrupt(self, at_ms: int, keys: bool = False) -> bool:
        playing = self._playing
        if playing is None:
            return keys or at_ms >= self._listen_from_ms
        return playing.interruptible and at_ms >= self._listen_from_ms

    async def _barge_in(self) -> None:
        """Stop the prompt and drop the rest of this turn: the customer is answering."""
        self._queue.clear()
        with contextlib.suppress(CallEndedError):
            await self.call.stop_prompt()

    # --- dialogue output -----------------------------------------------------------------

    async def _apply(self, events: list[DialogueEvent]) -> None:
        for event in events:
            self._record(event)
            if isinstance(event, Prompt):
                self._queue.append(event)
            elif isinstance(event, TransferToHuman):
                self._transfer = event
            elif isinstance(event, DialogueEnded):
                self._finishing = True
                self._deadline = None
        if self._playing is None and self._ended is None:
            await self._next_prompt()

    async def _next_prompt(self) -> None:
        if not self._queue:
            if self._finishing:
                await self._leave()
            return
        prompt = self._queue.popleft()
        wav = await asyncio.get_running_loop().run_in_executor(
            None, self.prompts.wav_for, prompt.text)
        try:
            handle = await self.call.play(wav.path)
        except CallEndedError:
            return  # the hang-up is already on its way to the inbox
        interruptible = self._interruptible(prompt)
        now = self._ear.audio_ms
        self._playing = _Playing(prompt, handle, now, interruptible)
        self._listen_from_ms = now if interruptible else _NEVER
        self._deadline = None
        watcher = asyncio.create_task(self._watch_prompt(handle, wav.seconds))
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)

    def _interruptible(self, prompt: Prompt) -> bool:
        if not self.options.barge_in or prompt.purpose not in _INTERRUPTIBLE:
            return False
        step = prompt.step_id
        return step is None or self.dialogue.script.step(step).barge_in

    async def _watch_prompt(self, handle: PlayingPrompt, seconds: float) -> None:
        try:
            end = await handle.wait(seconds + self.options.prompt_slack_s)
        except TimeoutError:
            with contextlib.suppress(CallEndedError):
                await self.call.stop_prompt()
            end = await handle.wait(self.options.hangup_wait_s)
        self._inbox.put_nowait(_PromptDone(handle.prompt_id, end))

    async def _prompt_done(self, done: _PromptDone) -> None:
        playing = self._playing
        if playing is None or playing.handle.prompt_id != done.prompt_id:
            return
        self._playing = None
        self._record_played(playing, done.end)
        if not playing.interruptible:
            self._listen_from_ms = self._ear.audio_ms
        if self._ended is None:
            await self._next_prompt()
            self._expect_answer()

    def _record_played(self, playing: _Playing, end: PromptEnd) -> None:
        prompt = playing.prompt
        self._record(PromptPlayed(prompt.text, prompt.purpose, prompt.step_id,
                                  str(playing.handle.path), playing.started_ms,
                                  self._ear.audio_ms, end))

    def _expect_answer(self) -> None:
        """(Re)start the answer timeout when the customer's turn begins."""
        if (self._playing is not None or self._queue or self._finishing or self._speaking
                or self._ended is not None):
            return
        loop = asyncio.get_running_loop()
        # Speech heard but not yet recognised (a busy recogniser) is an answer on its way:
        # give it longer before the silence counts.
        grace = self.options.recognition_grace_s if self._heard_unrecognised else 0.0
        self._deadline = loop.time() + self.options.answer_timeout_s + grace

    # --- the end -------------------------------------------------------------------------

    async def _leave(self) -> None:
        """The dialogue is over and its last prompt played: hand over, transfer, or hang up."""
        if self._handed_over:
            return  # asked again once the agent is on: the call is theirs now
        if (self._transfer is not None and self._hand_over is not None
                and await self._hand_over()):
            self._handed_over = True
            return  # the call goes on with the agent; the session ends when it does
        if self._transfer is not None and self.options.transfer_uri:
            with contextlib.suppress(CallEndedError):
                await self.call.transfer(self.options.transfer_uri)
            return  # ivr hangs up once the transfer target answers (ends as TRANSFERRED)
        await self.call.hangup()

    async def _leave_after_deadline(self) -> None:
        await self.call.hangup()
        if self._ended is None:
            ended = await self.call.wait_ended(self.options.hangup_wait_s)
            self._record(ended)
            self._ended = ended
            self._record_all(self.dialogue.on_hangup(self._ear.audio_ms))

    async def _read_keys(self) -> None:
        while not self.call.ended:
            digit = await self.call.next_dtmf(timeout=3600.0)
            if digit is not None:
                self._inbox.put_nowait(digit)

    async def _watch_end(self) -> None:
        ended = await self.call.wait_ended(self.options.max_call_s + 3600.0)
        self._inbox.put_nowait(ended)

    async def _stop(self, workers: list[asyncio.Task[None]]) -> None:
        """Let the ear decode its last audio (the call's taps close at its end), then stop."""
        listen, transcripts, *others = workers
        for task in others:
            task.cancel()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(listen, transcripts), self.options.hangup_wait_s)
        for task in workers:
            task.cancel()
        while not self._inbox.empty():  # late transcripts, for the record only
            item = self._inbox.get_nowait()
            if isinstance(item, Transcript | DtmfDigit):
                self._record(item)

    def _record(self, event: SessionEvent) -> None:
        if isinstance(event, VadEvent) and event.audio is not None:
            event = dataclasses.replace(event, audio=None)
        self.events.append(event)
        self._run.on_session_event(event)

    def _record_all(self, events: list[DialogueEvent]) -> None:
        for event in events:
            self._record(event)
