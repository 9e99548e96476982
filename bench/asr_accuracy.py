"""Character error rate per set and band: the pipeline beside a plain whole-file decode.

The sets (written down in BENCHMARKS.md before any change they judge):

- corpus: `../shared/corpus/clean.tsv` / `tel.tsv`, the 14 clips the pipeline was tuned on;
- dev: `bench/data/asr/dev_{clean,tel}.tsv`, half of `clean2/tel2` (tune on these);
- test: `bench/data/asr/test_{clean,tel}.tsv`, the other half — FROZEN: never tuned on, and
  never looked at clip by clip (this bench prints no per-file rows for it);
- dev-long / test-long: long two-leg calls built by `bench/long_calls.py` from the dev
  (corpus + dev) and the test clips, each as a stereo call and as its mono mix;
- fixtures: the three licence-cleared clips in `audio_fixtures/`.

Each row prints the pipeline's CER — `pipeline`: `transcribe_file` as `huifang eval-asr` and
`transcribe` run it (HUIFANG_AFTER_CALL_PASS decides: per utterance by default);
`after-call`: the after-call pass; `live`: the per-utterance path; `voted`: the per-utterance
path with every utterance decoded again with each `--contexts` and its characters voted
(context_vote.py) — beside the baseline's,
`plain`: faster-whisper called plainly on the whole file (its defaults, beam 5, language zh,
same model), OpenCC t2s, scored with the same `normalize_for_scoring`; on a row of five clips
or more each system's difference from plain follows, with a 95 % bootstrap interval over clips
and the clips it wins and loses (counts only). Every system's
temperature fallback samples with a seed taken from the audio (whisper_seeded.py), so each
row is the same on every run. Audio is read in place (most corpus licences forbid copying).

    .venv/bin/python bench/asr_accuracy.py [--sets dev dev-long] [--systems pipeline plain]
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import opencc
from long_calls import build as build_long_calls

from asr.context_vote import Context, parse_contexts
from asr.engines import Engine, load_engine
from asr.engines.whisper_seeded import SeededSampling
from asr.evaluation import ManifestEntry, character_error_rate, read_manifest
from asr.transcribe import transcribe_file
from huifang.settings import Settings, asr_config
from zhtext import normalize_for_scoring

ROOT = Path(__file__).resolve().parents[1]
SETS_DIR = ROOT / "bench" / "data" / "asr"
FROZEN = ("test", "test-long")
ALL_SETS = ("corpus", "dev", "test", "dev-long", "test-long", "fixtures")
SYSTEMS = ("pipeline", "after-call", "live", "plain", "rescored", "voted")


@dataclass(frozen=True)
class Scored:
    """One system on one set: CER, RTF and the hypotheses (for dev-set inspection only)."""

    cer: float
    rtf: float
    hypotheses: list[str]


def manifests(corpus: Path) -> dict[tuple[str, str], list[ManifestEntry]]:
    """Every (set, band) with its entries."""
    long_calls = build_long_calls()
    fixtures = read_manifest(ROOT / "audio_fixtures" / "manifest.tsv")
    found = {}
    for band, corpus_file in (("clean", "clean.tsv"), ("tel", "tel.tsv")):
        found[("corpus", band)] = read_manifest(corpus / corpus_file)
        found[("dev", band)] = read_manifest(SETS_DIR / f"dev_{band}.tsv")
        found[("test", band)] = read_manifest(SETS_DIR / f"test_{band}.tsv")
        found[("dev-long", band)] = read_manifest(long_calls[("dev", band)])
        found[("test-long", band)] = read_manifest(long_calls[("test", band)])
        folder = "speech" if band == "clean" else "tel"
        found[("fixtures", band)] = [e for e in fixtures if e.path.parent.name == folder]
    return found


def score(entries: list[ManifestEntry], decode: Callable[[ManifestEntry], tuple[str, float]],
          ) -> Scored:
    """CER over the entries (corpus-level) and decode time over audio time."""
    hyps, busy, audio = [], 0.0, 0.0
    for entry in entries:
        began = time.perf_counter()
        text, duration = decode(entry)
        busy += time.perf_counter() - began
        audio += duration
        hyps.append(text)
    return Scored(character_error_rate([e.reference for e in entries], hyps), busy / audio, hyps)


def clip_edits(reference: str, hypothesis: str) -> tuple[float, int]:
    """One clip's character edits and reference length, normalised as the CER is."""
    length = len(normalize_for_scoring(reference))
    return character_error_rate([reference], [hypothesis]) * length, length


def paired_difference(entries: list[ManifestEntry], ours: Scored, theirs: Scored,
                      resamples: int = 2000) -> str:
    """Our CER minus theirs in points, a 95 % bootstrap interval over clips, clips won/lost.

    Clips are resampled with a fixed seed, so the interval repeats; only counts are shown, no
    clip is named (the frozen sets allow it).
    """
    refs = [e.reference for e in entries]
    a = np.array([clip_edits(r, h) for r, h in zip(refs, ours.hypotheses, strict=True)])
    b = np.array([clip_edits(r, h) for r, h in zip(refs, theirs.hypotheses, strict=True)])
    picks = np.random.default_rng(14).integers(0, len(refs), (resamples, len(refs)))
    diffs = 100 * (a[picks, 0].sum(1) - b[picks, 0].sum(1)) / a[picks, 1].sum(1)
    low, high = np.percentile(diffs, [2.5, 97.5])
    better, worse = int((a[:, 0] < b[:, 0]).sum()), int((a[:, 0] > b[:, 0]).sum())
    return (f"{100 * (ours.cer - theirs.cer):+.2f} points, 95 % interval [{low:+.2f},"
            f" {high:+.2f}]; clips better {better}, worse {worse},"
            f" same {len(refs) - better - worse}")


def pipeline(engine: Engine, after_call: bool | None,
             contexts: tuple[Context, ...] | None = None
             ) -> Callable[[ManifestEntry], tuple[str, float]]:
    """The project's file transcription: as configured, the after-call pass, or the live path
    (with `contexts`: every utterance decoded again with each, characters voted)."""
    def decode(entry: ManifestEntry) -> tuple[str, float]:
        result = transcribe_file(engine, entry.path, legs=entry.legs, after_call=after_call,
                                 contexts=contexts)
        return result.text, result.duration_s
    return decode


def plain_whisper(settings: Settings) -> Callable[[ManifestEntry], tuple[str, float]]:
    """faster-whisper on the whole file with its defaults (beam 5), then OpenCC t2s.

    Its temperature fallback samples with a seed taken from the file's bytes, on a sampler of
    its own, so the baseline too is the same on every run.
    """
    import ctranslate2
    from faster_whisper import WhisperModel

    model: Any = WhisperModel(settings.whisper_model, device="cpu", compute_type="int8",
                              cpu_threads=settings.whisper_threads)
    sampling = SeededSampling(model.model, lambda: ctranslate2.models.Whisper(
        settings.whisper_model, device="cpu", compute_type="int8",
        intra_threads=settings.whisper_threads))
    model.model = sampling
    t2s = opencc.OpenCC("t2s")

    def decode(entry: ManifestEntry) -> tuple[str, float]:
        with sampling.utterance(np.frombuffer(entry.path.read_bytes(), dtype=np.uint8)):
            segments, info = model.transcribe(str(entry.path), language="zh", beam_size=5)
            text = "".join(s.text for s in segments)
        return t2s.convert(text), float(info.duration)
    return decode


def rescored(engine: Engine, settings: Settings
              ) -> Callable[[ManifestEntry], tuple[str, float]]:
    """Tried (dev only, not kept): the pipeline's and plain's texts of a clip of ≤ 28 s, both
    scored by the same model on the whole clip (forced decoding, whisper_phrases.py, without
    punctuation), the likelier kept; longer files keep the pipeline's text."""
    from asr.engines.base import TextScorer
    from asr.wavfile import read_audio
    from zhtext import strip_punctuation

    if not isinstance(engine, TextScorer):
        raise SystemExit(f"rescored: the {engine.name} engine cannot score texts")
    ours, theirs = pipeline(engine, None), plain_whisper(settings)

    def decode(entry: ManifestEntry) -> tuple[str, float]:
        (mine, duration), other = ours(entry), theirs(entry)[0]
        a, b = strip_punctuation(mine), strip_punctuation(other)
        if a == b or duration > 28.0:
            return mine, duration
        score_mine, score_other = engine.score_texts(read_audio(entry.path).mono16k(), [a, b])
        return (mine if score_mine >= score_other else other), duration
    return decode


def main() -> None:
    """Print one row per set and band: pipeline and plain CER side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--sets", nargs="+", choices=ALL_SETS, default=list(ALL_SETS))
    parser.add_argument("--bands", nargs="+", choices=("clean", "tel"), default=["clean", "tel"])
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS),
                        help="after-call: what the file commands run; live: the per-utterance"
                             " path of a live leg; plain: faster-whisper on the whole file")
    parser.add_argument("--contexts", default="300:300,500:500",
                        help="voted: the extra contexts (BEFORE_MS:AFTER_MS,…) each utterance"
                             " is decoded again with (HUIFANG_RECORDING_CONTEXTS's form)")
    parser.add_argument("--files", action="store_true",
                        help="also print each file's texts (refused for the frozen test sets)")
    args = parser.parse_args()
    if args.files and set(args.sets) & set(FROZEN):
        parser.error("--files would show the frozen test set clip by clip: use dev sets only")
    settings = Settings()
    engine = load_engine(asr_config(settings, "whisper"))
    makers = {"pipeline": lambda: pipeline(engine, None),
              "after-call": lambda: pipeline(engine, True),
              "live": lambda: pipeline(engine, False), "plain": lambda: plain_whisper(settings),
              "rescored": lambda: rescored(engine, settings),
              "voted": lambda: pipeline(engine, False, parse_contexts(args.contexts))}
    systems = {name: makers[name]() for name in args.systems}
    found = manifests(args.corpus)
    print(f"# {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()},"
          f" model {Path(settings.whisper_model).name}, beam {settings.whisper_beam_size},"
          f" voted contexts {args.contexts},"
          f" {time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.2f}")
    print(f"{'set':10} {'band':5} {'files':>5} {'audio s':>8} "
          + " ".join(f"{name + ' CER':>12} {'RTF':>6}" for name in systems))
    for set_name in args.sets:
        for band in args.bands:
            entries = found[(set_name, band)]
            results = {name: score(entries, decode) for name, decode in systems.items()}
            audio = sum(_duration(e) for e in entries)
            print(f"{set_name:10} {band:5} {len(entries):5d} {audio:8.1f} "
                  + " ".join(f"{r.cer:12.4f} {r.rtf:6.3f}" for r in results.values()),
                  flush=True)
            if "plain" in results and len(entries) >= 5:
                for name, result in results.items():
                    if name != "plain":
                        print(f"    {name} − plain: "
                              + paired_difference(entries, result, results["plain"]))
            if args.files:
                for n, entry in enumerate(entries):
                    shown = " | ".join(f"{k}={r.hypotheses[n]}" for k, r in results.items())
                    print(f"    {entry.path.name}: ref={entry.reference} | {shown}")


def _duration(entry: ManifestEntry) -> float:
    from asr.wavfile import read_audio

    return read_audio(entry.path).duration_s


if __name__ == "__main__":
    main()
