"""`huifang eval-asr MANIFEST [--engine E]`: character error rate and real-time factor."""

from __future__ import annotations

import argparse

from asr.engines import load_engine
from asr.errors import AsrError, AudioInputError
from asr.evaluation import ManifestError, character_error_rate, read_manifest
from asr.transcribe import transcribe_file
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.settings import asr_config, get_settings


def register(sub: Subparsers) -> None:
    """Add the `eval-asr` sub-command."""
    parser = sub.add_parser("eval-asr", help="score recognition against reference texts")
    parser.add_argument("manifest", help="TSV with columns file (relative to it), reference,"
                        " optionally legs (agent,customer: a stereo call)")
    parser.add_argument("--engine", choices=["whisper", "vosk"],
                        help="overrides HUIFANG_ASR_ENGINE")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print per-file CER, then the overall line `CER=… RTF=… files=…`."""
    settings = get_settings()
    try:
        entries = read_manifest(args.manifest)
        engine = load_engine(asr_config(settings, args.engine))
    except (ManifestError, AsrError) as err:
        report_error(args.manifest, str(err))
        return EXIT_BAD_INPUT
    status, refs, hyps, audio_s, busy_s = 0, [], [], 0.0, 0.0
    for entry in entries:
        try:
            result = transcribe_file(engine, entry.path, settings.max_audio_s, entry.legs)
        except AudioInputError as err:
            report_error(f"{args.manifest}:{entry.line}: {err.source}", err.problem)
            status = EXIT_BAD_INPUT
            continue
        cer = character_error_rate([entry.reference], [result.text])
        print(f"{entry.path}\tCER={cer:.4f}\tRTF={result.processing_s / result.duration_s:.3f}"
              f"\tref={entry.reference}\thyp={result.text}", flush=True)
        refs.append(entry.reference)
        hyps.append(result.text)
        audio_s += result.duration_s
        busy_s += result.processing_s
    if not refs:
        report_error(args.manifest, "no file could be transcribed")
        return EXIT_BAD_INPUT
    overall = character_error_rate(refs, hyps)
    print(f"CER={overall:.4f} RTF={busy_s / audio_s:.4f} files={len(refs)}")
    return status
