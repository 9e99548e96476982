"""How many live call legs one machine transcribes in real time, and how fast finals come.

Each stream is fed like a call leg: real Mandarin utterances from the corpus with pauses
between them, pushed in 20 ms chunks paced by the wall clock. For every final transcript
the latency is measured from the moment the utterance's last voiced audio was pushed
(what a caller experiences, hang-over included) and from the VAD's end-of-utterance
decision (hang-over excluded: recognition alone).

    .venv/bin/python bench/asr_streams.py --streams 1 2 4 --seconds 60

`--recognizer callback` uses the callbacks' recogniser (10 s short window) and `--batch both`
runs every stream count unbatched and batched (HUIFANG_WHISPER_BATCH) one after the other,
so their ratio comes from the same machine load; `--check-texts` first decodes the corpus
clips one by one and as one batch and counts the texts that differ.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import platform
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from asr.codec import Pcm16, pcm16_to_float
from asr.engines import AsrConfig, load_engine
from asr.engines.whisper import WhisperEngine
from asr.events import Transcript
from asr.stream import RecognitionStream
from asr.wavfile import read_audio
from huifang.calls.options import callback_asr_config
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


def call_leg_audio(corpus: Path, band: str, seconds: float, rotate: int,
                   pause_s: float = PAUSE_S) -> Pcm16:
    """Corpus utterances (rotated per stream, so streams differ) with pauses, ~`seconds` long."""
    rows = list(csv.DictReader((corpus / f"{band}.tsv").open(encoding="utf-8"), delimiter="\t"))
    rows = rows[rotate % len(rows):] + rows[: rotate % len(rows)]
    pieces: list[Pcm16] = []
    total = 0.0
    while total < seconds:
        for row in rows:
            clip = read_audio(corpus / row["file"]).mono16k()
            pieces += [clip, np.zeros(int(pause_s * 16000), dtype=np.int16)]
            total += len(clip) / 16000 + pause_s
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


def run_streams(count: int, settings: Settings, config: AsrConfig, corpus: Path, band: str,
                seconds: float, pause_s: float = PAUSE_S, aligned: bool = False
                ) -> dict[str, float]:
    """Run `count` streams at once; return latency percentiles and keep-up figures."""
    engine = load_engine(config)
    engine_name = config.engine
    batches_before = dict(getattr(engine, "batch_sizes", {}))
    runs = [LegRun() for _ in range(count)]
    streams = []
    for i, run in enumerate(runs):
        def on_result(r: Transcript, run: LegRun = run) -> None:
            if r.is_final:
                run.finals.append((r, time.perf_counter()))
        streams.append(RecognitionStream(engine, leg=f"leg{i}", on_result=on_result))
    audios = [call_leg_audio(corpus, band, seconds, 0 if aligned else i * 3, pause_s)
              for i in range(count)]
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
    batches = {size: n - batches_before.get(size, 0)
               for size, n in getattr(engine, "batch_sizes", {}).items()}
    batched = sum(batches.values())
    return {
        "streams": count,
        "batch": float(config.whisper_batch),
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
        "batches": float(batched),
        "mean_batch": sum(k * n for k, n in batches.items()) / batched if batched else 0.0,
    }


def texts_agree(config: AsrConfig, corpus: Path) -> tuple[int, int]:
    """Corpus clips (both bands) decoded one by one and as batches of 8: (differing, clips)."""
    engine = load_engine(config)
    assert isinstance(engine, WhisperEngine) and engine._short is not None
    decoder = engine._short
    clips = []
    for band in ("tel", "clean", "tel2", "clean2"):
        if (corpus / f"{band}.tsv").exists():
            rows = csv.DictReader((corpus / f"{band}.tsv").open(encoding="utf-8"),
                                  delimiter="\t")
            clips += [pcm16_to_float(read_audio(corpus / row["file"]).mono16k())
                      for row in rows]
    clips = [c for c in clips if decoder.fits(len(c))]
    alone = [decoder.decode(c) for c in clips]
    together = [r for k in range(0, len(clips), 8) for r in decoder.decode_batch(clips[k:k + 8])]
    differing = sum((a and a[0]) != (b and b[0]) for a, b in zip(alone, together, strict=True))
    return differing, len(clips)


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
    parser.add_argument("--recognizer", choices=["plain", "callback"], default="plain",
                        help="plain: asr_config (30 s window); callback: the callbacks' one")
    parser.add_argument("--batch", choices=["settings", "off", "on", "both"],
                        default="settings", help="both: each count unbatched, then batched")
    parser.add_argument("--pause", type=float, default=PAUSE_S,
                        help="silence between utterances (s)")
    parser.add_argument("--aligned", action="store_true",
                        help="every stream the same audio: utterances end together (the most"
                             " batching can share)")
    parser.add_argument("--check-texts", action="store_true",
                        help="first count corpus texts that differ batched and one by one")
    args = parser.parse_args()
    settings = Settings()
    base = (callback_asr_config(settings) if args.recognizer == "callback"
            else asr_config(settings, args.engine))
    batches = {"settings": [base.whisper_batch], "off": [False], "on": [True],
               "both": [False, True]}[args.batch]
    configs = [dataclasses.replace(base, whisper_batch=b) for b in batches]
    print(f"# {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()},"
          f" engine {args.engine}, whisper beam {settings.whisper_beam_size}, workers"
          f" {settings.whisper_workers}x{settings.whisper_threads} threads, hang-over"
          f" {settings.vad_hangover_ms} ms, speculate {settings.asr_speculate_ms} ms,"
          f" band {args.band}, recogniser {args.recognizer} (window"
          f" {base.whisper_short_window_s} s), batch window {base.whisper_batch_window_ms} ms"
          f" max {base.whisper_batch_max}, pause {args.pause} s, aligned {args.aligned},"
          f" load {os.getloadavg()}")
    if args.check_texts:
        differing, clips = texts_agree(configs[0], args.corpus)
        print(f"# texts batched vs one by one: {differing} of {clips} corpus clips differ")
    for count in args.streams:
        for config in configs:
            figures = run_streams(count, settings, config, args.corpus, args.band,
                                  args.seconds, args.pause, args.aligned)
            print(f"load={os.getloadavg()[0]:.2f} ", end="")
            print(" ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in figures.items()), flush=True)


if __name__ == "__main__":
    main()
