"""Per-utterance latency of the live CallAssistant while the customer's voice is measured.

Feeds calls of real speaker audio (audio_fixtures/speakers, 20 ms frames, paced at 5x real
time) with an utterance of the evaluation set every 0.5 s of audio. An utterance's latency is
from when it was due (its place in the paced schedule) to its flags being out, so time spent
waiting for the GIL counts. Mode `worker`: voice cues as shipped (Praat in a worker process).
Mode `thread`: the same Praat measurement in a thread of this process, to show what the GIL
would cost the rules.

    .venv/bin/python bench/live_voice_latency.py --calls 6
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from pathlib import Path

import numpy as np

from agent_assist.engine import AssistFactory
from agent_assist.evaluation import load_labelled
from agent_assist.events import AudioFrame, Leg, Utterance
from agent_assist.live_voice import VoiceCueSetup
from agent_assist.voice_features import measure_voice
from asr.codec import Pcm16
from asr.wavfile import read_audio

ROOT = Path(__file__).resolve().parents[1]
SPEAKERS = ROOT / "audio_fixtures" / "speakers"
EVAL = ROOT / "bench" / "data" / "misleading_sale_eval.tsv"
FRAME = 320
PACE_S = 0.02 / 5  # one 20 ms frame every 4 ms


def _call_audio() -> Pcm16:
    clips = [read_audio(p).mono16k() for p in sorted(SPEAKERS.glob("srdata_*.wav"))]
    return np.concatenate(clips)  # ~32 s


def _quantiles(values: list[float]) -> str:
    q = statistics.quantiles(values, n=100)
    return f"p50 {q[49]:.2f} ms, p95 {q[94]:.2f} ms, max {max(values):.1f} ms"


def run(mode: str, calls: int) -> None:
    """Time every on_utterance and on_audio over `calls` calls."""
    factory = AssistFactory()
    audio = _call_audio()
    texts = [item.text for item in load_labelled(EVAL)]
    utterance_ms: list[float] = []
    audio_ms: list[float] = []
    for number in range(calls):
        voice = VoiceCueSetup(None) if mode == "worker" else None
        call = factory.new_call(voice=voice)
        if mode == "thread":  # what measuring in-process would do to the rules
            threading.Thread(target=measure_voice, args=(audio,), daemon=True).start()
        began_call = time.perf_counter()
        for index, start in enumerate(range(0, len(audio), FRAME)):
            due = began_call + index * PACE_S
            time.sleep(max(0.0, due - time.perf_counter()))
            call.on_audio(AudioFrame(Leg.CUSTOMER, audio[start : start + FRAME]))
            audio_ms.append((time.perf_counter() - due) * 1000)
            if index % 25 == 0:
                text = texts[(number * 997 + index) % len(texts)]
                call.on_utterance(Utterance(Leg.CUSTOMER, text))
                utterance_ms.append((time.perf_counter() - due) * 1000)
        call.end_call()
    factory.close()
    print(f"{mode:6}: on_utterance {_quantiles(utterance_ms)} ({len(utterance_ms)} utterances); "
          f"on_audio (from due) {_quantiles(audio_ms)}")


def main() -> None:
    """Both modes, one after the other."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=6)
    parser.add_argument("--modes", nargs="+", default=["worker", "thread"])
    args = parser.parse_args()
    print(f"# {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    for mode in args.modes:
        run(mode, args.calls)


if __name__ == "__main__":
    main()
