"""Character error rate and real-time factor per engine, clean and telephone band.

Reads the real recordings where they lie (../shared/corpus, read in place: most of their
licences forbid copying) and the project's own fixtures. Vosk has no Chinese model on this
machine, so for Vosk only the real-time factor is measured (on the Korean model).

    .venv/bin/python bench/asr_accuracy.py
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from asr.engines import Engine, load_engine
from asr.evaluation import character_error_rate, read_manifest
from asr.transcribe import transcribe_file
from huifang.settings import Settings, asr_config

ROOT = Path(__file__).resolve().parents[1]


def measure(engine: Engine, manifest: Path, band: str | None) -> tuple[float, float, int]:
    """CER, RTF and file count over one manifest (optionally one band of it)."""
    entries = read_manifest(manifest)
    if band is not None:
        entries = [e for e in entries if e.path.parent.name == band]
    refs, hyps, audio_s, busy_s = [], [], 0.0, 0.0
    for entry in entries:
        result = transcribe_file(engine, entry.path)
        refs.append(entry.reference)
        hyps.append(result.text)
        audio_s += result.duration_s
        busy_s += result.processing_s
    return character_error_rate(refs, hyps), busy_s / audio_s, len(entries)


def main() -> None:
    """Print one row per engine and data set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--engines", nargs="+", default=["whisper", "vosk"])
    args = parser.parse_args()
    settings = Settings()
    sets = [
        ("corpus clean", args.corpus / "clean.tsv", None),
        ("corpus telephone", args.corpus / "tel.tsv", None),
        ("fixtures clean", ROOT / "audio_fixtures" / "manifest.tsv", "speech"),
        ("fixtures telephone", ROOT / "audio_fixtures" / "manifest.tsv", "tel"),
    ]
    print(f"# {platform.node()} {os.cpu_count()} cores, Python {platform.python_version()},"
          f" beam {settings.whisper_beam_size}, {time.strftime('%Y-%m-%d')}")
    print(f"{'engine':8} {'set':20} {'files':>5} {'CER':>7} {'RTF':>6}")
    for name in args.engines:
        engine = load_engine(asr_config(settings, name))
        for label, manifest, band in sets:
            cer, rtf, files = measure(engine, manifest, band)
            shown = f"{cer:7.4f}" if name == "whisper" else "    n/a"
            print(f"{name:8} {label:20} {files:5d} {shown} {rtf:6.3f}", flush=True)


if __name__ == "__main__":
    main()
