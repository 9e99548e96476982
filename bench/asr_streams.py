"""How many live call legs one machine transcribes in real time, and how fast finals come.

Each stream is fed like a call leg: real Mandarin utterances from the corpus with pauses
between them, pushed in 20 ms chunks paced by the wall clock. For every final transcript
the latency is measured from the moment the utterance's last voiced audio was pushed
(what a caller experiences, hang-over included) and from the VAD's end-of-utterance
decision (hang-over excluded: recognition alone).

    .venv/bin/python bench/asr_streams.py --streams 1 2 4 --seconds 60
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from asr.codec import Pcm16
from asr.engines import load_engine
from asr.events import Transcript
from asr.stream import RecognitionStream
from asr.wavfile import read_audio
from huifang.settings import Settings, asr_config

CHUNK_S = 0.02
PAUSE_S = 1.5


@dataclass
class LegRun:
    """What one stream saw: finals with their arrival times, and its counters."""

    t0: float = 0.0
    finals: list[tuple[Transcript, float]] = field(default_factory=list)
    fed_until: float = 0.0
    dropped: int = 0


def call_leg_audio(corpus: Path, band: str, seconds: float, rotate: int) -> Pcm16:
    """Corpus utterances (rotated per stream, so streams differ) with pauses, ~`seconds` long."""
    rows = list(csv.DictReader((corpus / f"{band}.tsv").open(encoding="utf-8"), delimiter="\t"))
    rows = rows[rotate % len(rows):] + rows[: rotate % len(rows)]
    pieces: list[Pcm16] = []
    total = 0.0
    while total < seconds:
        for row in rows:
            clip = read_audio(corpus / row["file"]).mono16k()
            pieces += [clip, np.zeros(int(PAUSE_S * 16000), dtype=np.int16)]
            total += len(clip) / 16000 + PAUSE_S
            if total >= seconds:
                break
    return np.concatenate(pieces)


def feed_in_real_time(stream: RecognitionStream, audio: Pcm16, run: LegRun) -> None:
    """Push 20 ms chunks at the pace a call delivers them."""
    n = int(CHUNK_S * 16000)
    run.t0 = time.perf_counter()
    for k, start in enumerate(range(0, len(audio), n)):
        delay = run.t0 + k * CHUNK_S - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        if not stream.push(audio[start : start + n]):
            run.dropped += 1
    run.fed_until = time.perf_counter()
    stream.end()


def run_streams(count: int, settings: Settings, corpus: Path, band: str, seconds: float,
                engine_name: str) -> dict[str, float]:
    """Run `count` streams at once; return latency percentiles and keep-up figures."""
    engine = load_engine(asr_config(settings, engine_name))
    runs = [LegRun() for _ in range(count)]
    streams = []
    for i, run in enumerate(runs):
        def on_result(r: Transcript, run: LegRun = run) -> None:
            if r.is_final:
                run.finals.append((r, time.perf_counter()))
        streams.append(RecognitionStream(engine, leg=f"leg{i}", on_result=on_result))
    audios = [call_leg_audio(corpus, band, seconds, i * 3) for i in range(count)]
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    feeders = [threading.Thread(target=feed_in_real_time, args=(s, a, r))
               for s, a, r in zip(streams, audios, runs, strict=True)]
    for t in feeders:
        t.start()
    for t in feeders:
        t.join()
    for s in streams:
        s.join()
    wall = time.perf_counter() - wall0
    cpu = time.process_time() - cpu0
    # Vosk ends utterances by its own endpointing, not by our VAD's hang-over.
    hangover = settings.vad_hangover_ms / 1000 if engine_name == "whisper" else 0.0
    from_speech_end, short = [], []
    for run in runs:
        for final, arrived in run.finals:
            latency = arrived - (run.t0 + final.end)
            from_speech_end.append(latency)
            if 3.0 <= final.end - final.start <= 6.0:
                short.append(latency)
    # How long after the last chunk was fed the last final came: grows if a stream falls behind.
    finish_lag = max(r.finals[-1][1] - r.fed_until if r.finals else 0.0 for r in runs)
    lat = np.array(from_speech_end)
    lat5 = np.array(short) if short else np.array([np.nan])
    return {
        "streams": count,
        "audio_s_per_stream": len(audios[0]) / 16000,
        "finals": len(lat),
        "p50_speech_end": float(np.percentile(lat, 50)),
        "p95_speech_end": float(np.percentile(lat, 95)),
        "p50_5s": float(np.percentile(lat5, 50)),
        "p95_5s": float(np.percentile(lat5, 95)),
        "p95_after_vad_end": float(np.percentile(lat, 95)) - hangover,
        "max_speech_end": float(lat.max()),
        "finish_lag_s": finish_lag,
        "dropped_chunks": float(sum(r.dropped for r in runs)),
        "cpu_cores_busy": cpu / wall,
        "early_decodes_used": float(_speculations(streams, "used")),
        "early_decodes_wasted": float(_speculations(streams, "wasted")),
    }


def _speculations(streams: list[RecognitionStream], kind: str) -> int:
    """Early decodes used or wasted over all streams (Whisper only)."""
    return sum(getattr(s.recognizer, "speculations", {}).get(kind, 0) for s in streams)


def main() -> None:
    """Print one line of figures per stream count."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=60.0, help="audio per stream")
    parser.add_argument("--band", choices=["clean", "tel"], default="tel")
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--engine", choices=["whisper", "vosk"], default="whisper")
    args = parser.parse_args()
    settings = Settings()
    print(f"# {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()},"
          f" engine {args.engine}, whisper beam {settings.whisper_beam_size}, workers"
          f" {settings.whisper_workers}x{settings.whisper_threads} threads, hang-over"
          f" {settings.vad_hangover_ms} ms, speculate {settings.asr_speculate_ms} ms,"
          f" band {args.band}")
    for count in args.streams:
        figures = run_streams(count, settings, args.corpus, args.band, args.seconds, args.engine)
        print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in figures.items()), flush=True)


if __name__ == "__main__":
    main()
