"""The live progress line of `huifang campaign run` (stderr), read from the database."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from sqlalchemy.exc import OperationalError

from storage.campaigns import CampaignCounts, CampaignStore
from storage.database import Database

_TTY_INTERVAL_S = 1.0
_LOG_INTERVAL_S = 10.0  # to a file or pipe: a line every so often, not a flood


def progress_line(counts: CampaignCounts, elapsed_s: float) -> str:
    """`campaign 00:12:30  dialling 4 | pending 120 | done 80 (success 70, …) | letter 3 | …`."""
    states = counts.states
    finals = ", ".join(f"{k} {n}" for k, n in sorted(counts.final_outcomes.items()))
    attempts = sum(counts.attempt_outcomes.values())
    minutes, seconds = divmod(int(elapsed_s), 60)
    hours, minutes = divmod(minutes, 60)
    done = states.get("done", 0)
    return (f"campaign {hours:02d}:{minutes:02d}:{seconds:02d}  "
            f"dialling {counts.attempts_running} | pending {states.get('pending', 0)} | "
            f"done {done}{f' ({finals})' if finals else ''} | "
            f"letter/visit {states.get('letter_or_visit', 0)} | attempts {attempts}")


class ProgressDisplay:
    """Rewrites one stderr line on a terminal; prints a line every 10 s elsewhere."""

    def __init__(self, db: Database, stream: TextIO = sys.stderr) -> None:
        self.db = db
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.last = float("-inf")

    def tick(self, *, force: bool = False) -> None:
        """Show the campaign's state, unless it was shown a moment ago."""
        now = time.monotonic()
        if not force and now - self.last < (_TTY_INTERVAL_S if self.tty else _LOG_INTERVAL_S):
            return
        self.last = now
        try:
            with self.db.session() as session:
                counts = CampaignStore(session).counts()
        except OperationalError:  # busy: the line is shown again on the next tick
            return
        line = progress_line(counts, now - self.started)
        if self.tty:
            self.stream.write("\r" + line + "\x1b[K")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """The final state on its own line."""
        self.tick(force=True)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
