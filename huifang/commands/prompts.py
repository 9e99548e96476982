"""`huifang prompts render [--script NAME] [--policy-json FILE]`: pre-render prompt audio."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from huifang.calls.policy_input import PolicyInputError, policy_from_json
from huifang.commands.common import EXIT_BAD_INPUT, Subparsers, report_error
from huifang.prompt_audio.configured import prompt_cache_from_settings
from huifang.prompt_audio.script_texts import script_templates
from huifang.prompt_audio.tts import TtsError
from huifang.settings import get_settings
from scripts_zh.script_errors import ScriptError
from scripts_zh.script_loader import compose_script, read_script_dir
from scripts_zh.script_schema import CallbackScript

EXIT_TTS_FAILED = 1


def register(sub: Subparsers) -> None:
    """Add the `prompts` sub-command."""
    parser = sub.add_parser("prompts", help="prompt audio of the callback scripts")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    render = actions.add_parser("render", help="render every prompt into the prompt cache")
    render.add_argument("--script", help="only this script id (traditional, participating …)")
    render.add_argument("--policy-json", type=Path,
                        help="also render prompts that name policy fields, for this policy")
    render.set_defaults(run=run_render)


def run_render(args: argparse.Namespace) -> int:
    """One JSON line per distinct prompt text, then a summary line."""
    try:
        policy = policy_from_json(args.policy_json) if args.policy_json else None
        scripts = _scripts(args.script)
    except (PolicyInputError, ScriptError, ValueError) as err:
        report_error("prompts", str(err).splitlines()[0])
        return EXIT_BAD_INPUT
    cache = prompt_cache_from_settings(get_settings())
    counts = {"rendered": 0, "already_cached": 0, "needs_policy": 0}
    seen: set[str] = set()
    for script in scripts:
        for template in script_templates(script):
            if template.needs_policy and policy is None:
                counts["needs_policy"] += 1
                continue
            text = template.text(policy)
            if text in seen:
                continue
            seen.add(text)
            try:
                wav = cache.wav_for(text)
            except TtsError as err:
                report_error("tts", str(err))
                return EXIT_TTS_FAILED
            counts["already_cached" if wav.cached else "rendered"] += 1
            _print({"script": script.script_id, "version": script.version,
                    "purpose": template.purpose, "step": template.step_id, "text": text,
                    "wav": str(wav.path), "seconds": round(wav.seconds, 2),
                    "cached": wav.cached})
    _print({"summary": counts, "cache": str(cache.directory), "engine": cache.engine.identity})
    return 0


def _scripts(script_id: str | None) -> list[CallbackScript]:
    """Every family's script and its 特别关注 variant, or those of one script id."""
    sources = read_script_dir()
    scripts = [compose_script(sources, family, variant)
               for family in sources.families for variant in (None, *sources.variants)]
    chosen = [s for s in scripts if script_id in (None, s.script_id)]
    if not chosen:
        known = ", ".join(sorted({s.script_id for s in scripts}))
        raise ValueError(f"no script {script_id!r}; known: {known}")
    return chosen


def _print(data: dict[str, object]) -> None:
    print(json.dumps(data, ensure_ascii=False), flush=True)
