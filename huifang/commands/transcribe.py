"""`huifang transcribe AUDIO... [--engine E] [--json]`: the text of each recording."""

from __future__ import annotations

import argparse
import json

from asr.engines import load_engine
from asr.errors import AsrError, AudioInputError
from asr.transcribe import transcribe_file
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.settings import asr_config, get_settings

# Channel order of huifang's own call recordings (ivr/recorder.py): system/agent, customer.
CALL_RECORDING_LEGS = ("agent", "customer")


def register(sub: Subparsers) -> None:
    """Add the `transcribe` sub-command."""
    parser = sub.add_parser("transcribe", help="print the recognised text of recordings")
    parser.add_argument("audio", nargs="+", help="WAV (any rate/width/channels), .ul/.al/.pcm")
    parser.add_argument("--engine", choices=["whisper", "vosk"],
                        help="overrides HUIFANG_ASR_ENGINE")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--split-legs", action="store_true",
                        help="a stereo call recording: channel 1 is the agent (or robot) leg,"
                             " channel 2 the customer; segments name their leg")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Transcribe every file; a bad file is reported and the others still processed."""
    settings = get_settings()
    try:
        engine = load_engine(asr_config(settings, args.engine))
    except AsrError as err:
        report_error("engine", str(err))
        return EXIT_BAD_INPUT
    status = 0
    for path in args.audio:
        try:
            legs = CALL_RECORDING_LEGS if args.split_legs else None
            result = transcribe_file(engine, path, settings.max_audio_s, legs)
        except AudioInputError as err:
            report_error(err.source, err.problem)
            status = EXIT_BAD_INPUT
            continue
        if args.json:
            print(json.dumps(result.as_json(), ensure_ascii=False), flush=True)
        else:
            print(f"{path}\t{result.text}", flush=True)
    return status
