"""Real SIP peers for the campaign tests: SIPp lines that count the INVITEs they get, pjsua2
customers (huifang.demo.softphone) that key their answers, and `huifang campaign run`
as a subprocess with a loopback dial plan."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from free_ports import free_port

from huifang.demo.softphone_process import EventLines

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SIPP_DIR = HERE / "sipp"
# The one scripted SIP peer (the demo softphone), as the customer.
CUSTOMER_PEER = ("-m", "huifang.demo.softphone", "--codec", "PCMU")
PROMPT_CACHE = ROOT / "var" / "test-cache" / "prompts"  # shared with the callback tests
_INVITE = re.compile(r"^INVITE sip:([^@;>\s]+)@", re.MULTILINE)
_CALL_ID = re.compile(r"^Call-ID:\s*(\S+)", re.MULTILINE | re.IGNORECASE)
KEYPAD_ALL_CONFIRMED = ("end:key:1", "start+1:key:4021", *["start+1:key:1"] * 6)


class SippLine:
    """A SIPp user agent server taking any number of calls; logs every message it sees."""

    def __init__(self, scenario: str, workdir: Path, replace: dict[str, str] | None = None,
                 name: str | None = None) -> None:
        sipp = shutil.which("sipp")
        if sipp is None:
            raise AssertionError("sipp not found: install Debian's sip-tester (bin/setup does)")
        self.name = name or scenario.removesuffix(".xml")
        self.port = free_port()
        text = (SIPP_DIR / scenario).read_text()
        for placeholder, value in (replace or {}).items():
            text = text.replace(placeholder, value)
        script = workdir / f"{self.name}.xml"
        script.write_text(text)
        self.log = workdir / f"{self.name}.messages.log"
        cmd = [sipp, "-sf", str(script), "-i", "127.0.0.1", "-p", str(self.port),
               "-mp", str(free_port()), "-nostdin", "-trace_msg", "-message_file",
               str(self.log), "-trace_err", "-error_file", str(workdir / f"{self.name}.err")]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True, cwd=workdir)

    def template(self) -> str:
        """The dial-plan template that reaches this line."""
        return f"sip:{{phone}}@127.0.0.1:{self.port}"

    def invites(self) -> Counter[str]:
        """INVITEs received per number (user part), retransmissions counted once."""
        if not self.log.exists():
            return Counter()
        seen: set[tuple[str, str]] = set()
        for message in self.log.read_text(errors="replace").split("\n\n---")[0:]:
            for block in re.split(r"-{20,}", message):
                invite = _INVITE.search(block)
                call_id = _CALL_ID.search(block)
                if invite and call_id:
                    seen.add((invite.group(1), call_id.group(1)))
        return Counter(number for number, _ in seen)

    def kill(self) -> None:
        """SIGKILL SIPp."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


class KeypadCustomer:
    """One pjsua2 customer (one call) that keys its answers; its JSON events kept."""

    def __init__(self, *turns: str, lifetime: float = 240.0) -> None:
        args = [a for t in turns for a in ("--turn", t)]
        self.lines = EventLines([sys.executable, *CUSTOMER_PEER, "--lifetime", str(lifetime),
                                 *args], name="keypad-customer")
        self.proc = self.lines.proc
        ready = self.lines.next_event("ready", 15)
        if ready is None:
            self.kill()
            raise AssertionError("customer peer never became ready:\n" + self.lines.tail(20))
        self.port = int(ready["port"])

    def template(self) -> str:
        """The dial-plan template that reaches this customer."""
        return f"sip:{{phone}}@127.0.0.1:{self.port}"

    def calls_taken(self) -> int:
        """How many calls reached the customer (the peer answers only its first)."""
        return sum(1 for e in self.lines.seen
                   if e["event"] == "state" and e["state"] == "CONNECTING")

    def kill(self) -> None:
        """SIGKILL the peer."""
        self.lines.kill()


def campaign_env(workdir: Path, routes: dict[str, str], **extra: str) -> dict[str, str]:
    """Environment of a campaign run on loopback: any hour, no holidays, quick retries."""
    holidays = workdir / "no_holidays.tsv"
    holidays.write_text("date\tkind\tname\n", encoding="utf-8")
    env = dict(os.environ)
    env.update({
        "HF_HUB_OFFLINE": "1",
        "HUIFANG_DB_URL": f"sqlite:///{workdir / 'campaign.db'}",
        "HUIFANG_SIP_PORT": "0",
        "HUIFANG_SIP_BIND_ADDRESS": "127.0.0.1",
        "HUIFANG_SIP_TRANSPORT": "udp",
        "HUIFANG_SIP_RING_TIMEOUT_S": "2",
        "HUIFANG_SIP_MEDIA_TIMEOUT_S": "8",
        "HUIFANG_RECORDINGS_DIR": str(workdir / "recordings"),
        "HUIFANG_PROMPT_CACHE": str(PROMPT_CACHE),
        "HUIFANG_TTS_ENGINE": "espeak",  # fast prompts: espeak-ng at 450 wpm
        "HUIFANG_TTS_SPEED_WPM": "450",
        "HUIFANG_CALLBACK_ANSWER_TIMEOUT_S": "6",
        "HUIFANG_CAMPAIGN_DIAL_URI": "",
        "HUIFANG_CAMPAIGN_ROUTES": json.dumps(routes),
        "HUIFANG_CAMPAIGN_WINDOW_START": "00:00",
        "HUIFANG_CAMPAIGN_WINDOW_END": "23:59:59",
        "HUIFANG_CAMPAIGN_HOLIDAYS_FILE": str(holidays),
        "HUIFANG_CAMPAIGN_MAX_ATTEMPTS": "2",
        "HUIFANG_CAMPAIGN_ATTEMPTS_PER_DAY": "2",
        "HUIFANG_CAMPAIGN_SPACING_MINUTES": "0",
        "HUIFANG_CAMPAIGN_LETTER_LEAD_DAYS": "0",
    })
    env.update(extra)
    return env


def huifang(args: list[str], env: dict[str, str],
            timeout: float) -> subprocess.CompletedProcess[str]:
    """Run `huifang ARGS` to its end (killed after `timeout`)."""
    proc = subprocess.Popen([sys.executable, "-m", "huifang", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"huifang {args} ran over {timeout} s:\n{err[-4000:]}") from None
    return subprocess.CompletedProcess(args, proc.returncode, out, err)
