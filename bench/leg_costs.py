"""What one call leg costs besides Whisper, stage by stage, and what Whisper costs per utterance
alone and batched: CPU time (process_time, all threads), not wall time, so a busy machine
changes the figures less.

A leg is corpus utterances (telephone band) with pauses, at 8 kHz as a G.711 trunk delivers
it, in 20 ms frames. Each stage runs over the whole leg on its own: the tap's frame queue, the
resampling to 16 kHz, the VAD segmenter (the recogniser runs one; a scripted call's listener
a second), the live voice cues' per-frame work, and the voice measurement itself (in the voice
worker process: measured here in-process, once per measurement a call makes).

    .venv/bin/python bench/leg_costs.py --seconds 60 --corpus ../shared/corpus
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from agent_assist.live_voice import LIVE_MIN_SPEECH_S, LiveVoiceCues, Measurement, VoiceCueSetup
from agent_assist.live_voice import _measure as measure_in_worker
from asr.codec import Pcm16, StreamResampler, pcm16_to_float, resample
from asr.engines import load_engine
from asr.engines.whisper import WhisperEngine
from asr.vad import VadConfig, VadSegmenter
from asr.wavfile import read_audio
from huifang.calls.options import callback_asr_config
from huifang.settings import Settings
from ivr.events import AudioFrame, Leg
from ivr.frame_queue import FrameQueue

TRUNK_RATE = 8000
FRAME_S = 0.02


def corpus_clips(corpus: Path, bands: tuple[str, ...]) -> list[Pcm16]:
    """The corpus utterances of these bands, 16 kHz."""
    clips = []
    for band in bands:
        path = corpus / f"{band}.tsv"
        if path.exists():
            rows = csv.DictReader(path.open(encoding="utf-8"), delimiter="\t")
            clips += [read_audio(corpus / row["file"]).mono16k() for row in rows]
    return clips


def leg_audio(clips: list[Pcm16], seconds: float, pause_s: float) -> Pcm16:
    """Utterances with pauses, about `seconds` long, at the trunk's 8 kHz."""
    pieces: list[Pcm16] = []
    total = 0.0
    while total < seconds:
        for clip in clips:
            pieces += [clip, np.zeros(int(pause_s * 16000), np.int16)]
            total += len(clip) / 16000 + pause_s
            if total >= seconds:
                break
    return resample(np.concatenate(pieces), 16000, TRUNK_RATE)


def frames_of(audio: Pcm16, rate: int) -> list[Pcm16]:
    """20 ms frames."""
    n = int(FRAME_S * rate)
    return [audio[k:k + n] for k in range(0, len(audio) - n + 1, n)]


def cpu_of(work: Callable[[], object]) -> float:
    """CPU seconds (all threads of the process) that `work` took."""
    start = time.process_time()
    work()
    return time.process_time() - start


def tap_queue(frames: list[Pcm16]) -> None:
    """The tap's side: each frame wrapped, offered to the frame queue, read on a loop."""
    async def run() -> None:
        queue = FrameQueue(asyncio.get_running_loop(), maxsize=len(frames) + 1)
        for k, pcm in enumerate(frames):
            queue.offer(AudioFrame("bench", Leg.CUSTOMER, pcm.tobytes(), TRUNK_RATE,
                                   k * len(pcm)))
        queue.close()
        async for frame in queue:
            frame.samples()
    asyncio.run(run())


def resampling(frames: list[Pcm16]) -> list[Pcm16]:
    """8 → 16 kHz, frame by frame, as the leg listener does."""
    resampler = StreamResampler(TRUNK_RATE)
    return [resampler.process(frame) for frame in frames]


def vad(frames16: list[Pcm16], config: VadConfig) -> None:
    """One VAD segmenter over the leg."""
    segmenter = VadSegmenter(config)
    for frame in frames16:
        segmenter.push(frame)
    segmenter.flush()


class _NoWorker:
    """A voice worker that measures nothing (the per-frame part is measured alone)."""

    def submit(self, audio: Pcm16, rate: int, want_voiceprint: bool = False
               ) -> Future[Measurement]:
        future: Future[Measurement] = Future()
        future.set_result(Measurement("not measured here"))
        return future


def voice_frames(frames: list[Pcm16]) -> None:
    """The live voice cues' per-frame work: its VAD and keeping the speech."""
    cues = LiveVoiceCues(_NoWorker(), VoiceCueSetup(None))  # type: ignore[arg-type]
    for frame in frames:
        cues.on_audio(frame, TRUNK_RATE)


def whisper_per_utterance(engine: WhisperEngine, clips: list[Pcm16], batch: int
                          ) -> tuple[float, float]:
    """CPU seconds per utterance of the short-window decode in batches of `batch`: all of it
    (features made by the callers excluded), and the encoder pass alone."""
    import ctranslate2

    decoder = engine._short
    assert decoder is not None
    features = [decoder.features(pcm16_to_float(c)) for c in clips if decoder.fits(len(c))]
    batches = [features[k:k + batch] for k in range(0, len(features), batch)]
    total = cpu_of(lambda: [decoder.decode_features(b) for b in batches])
    model = engine._model.model
    encoder = cpu_of(lambda: [model.encode(ctranslate2.StorageView.from_array(np.stack(b)))
                              for b in batches])
    return total / len(features), encoder / len(features)


def burst(engine: WhisperEngine, clips: list[Pcm16], legs: int) -> tuple[float, float]:
    """`legs` legs end an utterance at the same moment (each decoded on its own thread, as its
    stream's worker does): wall seconds until the last text, CPU seconds per utterance."""
    threads = [threading.Thread(target=engine.transcribe, args=(clips[k % len(clips)],))
               for k in range(legs)]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - wall0, (time.process_time() - cpu0) / legs


def main() -> None:
    """Print CPU per second of leg audio for each stage, and Whisper's per utterance."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pause", type=float, default=1.5)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 2, 4, 8])
    parser.add_argument("--bursts", type=int, nargs="+", default=[2, 4, 8],
                        help="legs whose utterances end together, batched and not")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    settings = Settings()
    clips = corpus_clips(args.corpus, ("tel", "tel2"))
    audio = leg_audio(clips, args.seconds, args.pause)
    seconds = len(audio) / TRUNK_RATE
    frames = frames_of(audio, TRUNK_RATE)
    frames16 = resampling(frames)
    config = dataclasses.replace(callback_asr_config(settings), whisper_batch=False)
    print(f"# {os.cpu_count()} cores, load {os.getloadavg()}, leg {seconds:.1f} s at"
          f" {TRUNK_RATE} Hz, {len(frames)} frames of 20 ms, pause {args.pause} s")
    stages = {
        "tap frame queue (wrap, offer, read)": lambda: tap_queue(frames),
        "resampling 8 -> 16 kHz": lambda: resampling(frames),
        "VAD segmenter (one; scripted calls run two)": lambda: vad(frames16, config.vad),
        "live voice cues, per frame (VAD + keep speech)": lambda: voice_frames(frames),
    }
    for name, work in stages.items():
        cpu = cpu_of(work)
        print(f"stage={name!r} cpu_ms_per_leg_s={1000 * cpu / seconds:.3f}"
              f" core_share={cpu / seconds:.4f}")
    speech = np.concatenate(clips)
    for speech_s in (LIVE_MIN_SPEECH_S, 2 * LIVE_MIN_SPEECH_S):
        stretch = resample(speech[: int(speech_s * 16000)], 16000, TRUNK_RATE)
        cpu = cpu_of(lambda: measure_in_worker(stretch, TRUNK_RATE))  # noqa: B023
        print(f"stage='voice features of {speech_s:.0f} s of speech (voice worker, once)'"
              f" cpu_s={cpu:.3f}")
    engine = load_engine(config)
    assert isinstance(engine, WhisperEngine)
    whisper_per_utterance(engine, clips[:2], 1)  # warm up
    alone, _ = whisper_per_utterance(engine, clips, 1)
    for batch in args.batches:
        per, encoder = whisper_per_utterance(engine, clips, batch)
        print(f"stage='whisper short window, batches of {batch}' cpu_s_per_utterance={per:.3f}"
              f" of_which_encoder={encoder:.3f} vs_alone={per / alone:.3f}")
    batched = load_engine(dataclasses.replace(config, whisper_batch=True))
    assert isinstance(batched, WhisperEngine)
    short = [c for c in clips if engine._short is not None and engine._short.fits(len(c))]
    for legs in args.bursts:
        runs: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
        for _ in range(args.repeats):  # alternated, so both see the same machine load
            runs[False].append(burst(engine, short, legs))
            runs[True].append(burst(batched, short, legs))
        (wall_off, cpu_off), (wall_on, cpu_on) = (np.median(np.array(runs[b]), axis=0)
                                                  for b in (False, True))
        print(f"burst legs={legs} median_of={args.repeats} wall_s unbatched={wall_off:.2f}"
              f" batched={wall_on:.2f} ratio={wall_on / wall_off:.2f}; cpu_s_per_utterance"
              f" unbatched={cpu_off:.3f} batched={cpu_on:.3f} ratio={cpu_on / cpu_off:.2f};"
              f" load={os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
