"""Load on `huifang serve`'s lines: ordinary callers at a steady rate, never more than the lines.

Issue 17 found 89 of 210 callers stored as busy in a 150 s run although SIPp never had more
than 4 calls up: the switchboard counted its own tasks (a call still storing its last words
held a line) instead of pjsua's slots. This runs the same shape of load: SIPp callers
(tests/ivr/sipp/uac_normal.xml, from a number no policy holds: answered, the unknown-caller
prompt, hung up by us) at `--rate` calls a second, at most `--lines` at once, and counts how
serve handled each from its JSON lines.

    .venv/bin/python bench/serve_lines.py --calls 210 --rate 1.4
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "tests" / "ivr" / "sipp" / "uac_normal.xml"


def serve(env: dict[str, str]) -> tuple[subprocess.Popen[str], int, list[str]]:
    """`huifang serve` started; its SIP port once it listens, and a list its stdout fills."""
    proc = subprocess.Popen([sys.executable, "-m", "huifang", "serve"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    assert proc.stdout is not None and proc.stderr is not None
    threading.Thread(target=lambda: lines.extend(proc.stdout or []), daemon=True).start()
    for line in proc.stderr:
        found = re.search(r"listening on sip:\S+@[\d.]+:(\d+)", line)
        if found:
            threading.Thread(target=lambda: [None for _ in proc.stderr or []],
                             daemon=True).start()
            return proc, int(found.group(1)), lines
    raise SystemExit(f"huifang serve did not start (exit {proc.wait()})")


def main() -> None:
    """Run the load; print how the callers were handled."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--calls", type=int, default=210)
    p.add_argument("--rate", type=float, default=1.4, help="new callers a second")
    p.add_argument("--lines", type=int, default=4)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "HUIFANG_DB_URL": f"sqlite:///{tmp}/db.sqlite",
               "HUIFANG_SIP_PORT": "0", "HUIFANG_SIP_BIND_ADDRESS": "127.0.0.1",
               "HUIFANG_SIP_TRANSPORT": "udp", "HUIFANG_RECORDINGS_DIR": f"{tmp}/rec",
               "HUIFANG_TTS_ENGINE": "espeak", "HUIFANG_TTS_SPEED_WPM": "450",
               "HUIFANG_PROMPT_CACHE": str(ROOT / "var" / "bench-cache" / "prompts"),
               "HUIFANG_SERVE_MAX_CALLS": str(args.lines)}
        proc, port, lines = serve(env)
        started = time.monotonic()
        sipp = subprocess.run(
            [shutil.which("sipp") or "sipp", "-sf", str(SCENARIO), "-i", "127.0.0.1",
             "-m", str(args.calls), "-r", str(args.rate), "-l", str(args.lines), "-nostdin",
             "-timeout", f"{int(args.calls / args.rate) + 120}s", f"127.0.0.1:{port}"],
            capture_output=True, text=True, cwd=tmp)
        elapsed = time.monotonic() - started
        time.sleep(3)
        proc.terminate()
        proc.wait(60)
    handled = Counter(json.loads(line)["handling"] for line in lines if line.startswith("{"))
    succeeded = re.search(r"Successful call\s*\|\s*\d+\s*\|\s*(\d+)", sipp.stdout)
    load = os.getloadavg()
    print(f"{args.calls} callers at {args.rate}/s, at most {args.lines} at once, {elapsed:.0f} s: "
          f"serve handled {dict(handled)}; SIPp successful calls "
          f"{succeeded.group(1) if succeeded else '?'} (exit {sipp.returncode}); "
          f"load {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
