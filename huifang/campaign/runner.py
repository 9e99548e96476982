"""The dialler: plan a round, claim attempts in the database, place them, record outcomes.

One runner per process, up to ivr's MAX_CALLS calls at once on one Phone; more concurrency
means more processes, each claiming from the same database. A claim is committed before the
INVITE, so a killed runner leaves attempts that the next one settles from their call records
(ledger.resolve_abandoned) instead of dialling them again.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError

from huifang.campaign.configured import DialPlan
from huifang.campaign.ledger import Dial, finish, note_call, plan_round, resolve_abandoned
from huifang.campaign.schedule import CallingRules
from huifang.campaign.workers import new_worker_id, worker_gone
from storage.campaign_models import AttemptOutcome
from storage.database import Database

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class CallResult:
    """What placing one attempt's call gave: its outcome, a detail line, the call record."""

    outcome: AttemptOutcome
    detail: str
    call_id: int | None


# Place one claimed attempt; call the second argument with the CallRecord id before dialling.
PlaceCall = Callable[[Dial, Callable[[int], None]], Awaitable[CallResult]]
Clock = Callable[[], datetime]


UNDIALLED_RETRY = timedelta(minutes=1)  # after a failure before the INVITE (no attempt made)
DB_TRIES = 6  # a busy database (SQLite locked by another worker) is waited out, not fatal


async def in_db(step: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a database step in a thread; retry it with backoff while the database is busy."""
    for attempt in range(DB_TRIES):
        try:
            return await asyncio.to_thread(step, *args, **kwargs)
        except OperationalError as err:
            if attempt == DB_TRIES - 1:
                raise
            log.warning("database busy (%s); retrying %s", err.orig, step.__name__)
            await asyncio.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


_SOURCE_ROOT = str(Path(__file__).resolve().parents[2])


def failure_detail(err: BaseException) -> str:
    """What went wrong and where in our code, for the attempt's record (a bare TimeoutError
    from deep inside asyncio says nothing)."""
    ours = [f for f in traceback.extract_tb(err.__traceback__)
            if f.filename.startswith(_SOURCE_ROOT) and "site-packages" not in f.filename]
    where = f" (in {ours[-1].name}, {Path(ours[-1].filename).name}:{ours[-1].lineno})" \
        if ours else ""
    message = f": {err}" if str(err) else ""
    return f"{type(err).__name__}{message}{where}"


def utc_now() -> datetime:
    """The wall clock, aware UTC."""
    return datetime.now(UTC)


@dataclass
class RunStats:
    """What this runner did (the database holds the campaign's whole story)."""

    placed: int = 0
    finished: int = 0
    settled: list[str] = field(default_factory=list)  # dead workers' attempts it settled


class CampaignRunner:
    """Runs the campaign from the database until stopped (or idle)."""

    def __init__(self, db: Database, rules: CallingRules, dial_plan: DialPlan,
                 place: PlaceCall, *, max_concurrent: int, lease: timedelta,
                 worker: str | None = None, clock: Clock = utc_now,
                 gone: Callable[[str], bool] = worker_gone,
                 undialled_retry: timedelta = UNDIALLED_RETRY) -> None:
        self.db = db
        self.rules = rules
        self.dial_plan = dial_plan
        self.place = place
        self.max_concurrent = max_concurrent
        self.lease = lease
        self.worker = worker or new_worker_id()
        self.clock = clock
        self.gone = gone
        self.undialled_retry = undialled_retry
        self.stats = RunStats()
        self.stopping = asyncio.Event()  # set: claim nothing more, let running calls end
        self.tasks: set[asyncio.Task[None]] = set()

    async def run(self, *, until_idle: bool = False, idle_wait_s: float = 0.0,
                  poll_s: float = 1.0, on_tick: Callable[[], None] | None = None) -> RunStats:
        """Dial until `stop()`; with until_idle, also stop when nothing runs or falls due soon."""
        try:
            while not self.stopping.is_set():
                now = self.clock()
                # A call that ends while the round is planned may leave its policy due: only a
                # round that began with nothing running can prove the campaign idle.
                running_before = bool(self.tasks)
                settled = await in_db(resolve_abandoned, self.db, now, self.gone)
                self.stats.settled.extend(settled)
                for line in settled:
                    log.warning("settled an abandoned attempt: %s", line)
                dials, next_due = await self._claim_round(now)
                for dial in dials:
                    self._start(dial)
                if on_tick is not None:
                    await asyncio.to_thread(on_tick)  # reads the database: off the loop
                idle = not (running_before or self.tasks or dials)
                if until_idle and idle and not self._due_soon(now, next_due, idle_wait_s):
                    break
                await self._pause(poll_s)
            if self.tasks:
                await asyncio.gather(*self.tasks, return_exceptions=True)
        finally:
            for task in self.tasks:
                task.cancel()
            if self.tasks:
                await asyncio.gather(*self.tasks, return_exceptions=True)
        if on_tick is not None:
            await asyncio.to_thread(on_tick)  # reads the database: off the loop
        return self.stats

    def stop(self) -> None:
        """Claim no more attempts; the calls under way run to their end."""
        self.stopping.set()

    def _start(self, dial: Dial) -> None:
        task = asyncio.create_task(self._attempt(dial), name=f"attempt-{dial.attempt_id}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _claim_round(self, now: datetime) -> tuple[tuple[Dial, ...], datetime | None]:
        free = self.max_concurrent - len(self.tasks)
        done = await in_db(plan_round, self.db, self.rules, self.dial_plan, now,
                                       free, self.worker, now + self.lease)
        waiting = done.plan.next_due
        # Calls under way (here or in another worker), or claims another worker won (it read
        # the same due policies a moment before us): not idle yet, look again.
        if done.plan.waiting_for_line or done.running or done.lost:
            waiting = now
        return done.dials, waiting

    @staticmethod
    def _due_soon(now: datetime, next_due: datetime | None, idle_wait_s: float) -> bool:
        return next_due is not None and (next_due - now).total_seconds() <= idle_wait_s

    async def _pause(self, poll_s: float) -> None:
        """Sleep until a call ends, the poll interval passes, or stop() is called."""
        stop_wait: asyncio.Future[Any] = asyncio.ensure_future(self.stopping.wait())
        waiters: set[asyncio.Future[Any]] = {stop_wait, *self.tasks}
        await asyncio.wait(waiters, timeout=poll_s, return_when=asyncio.FIRST_COMPLETED)
        stop_wait.cancel()

    async def _attempt(self, dial: Dial) -> None:
        """Place one claimed attempt and record its outcome, whatever happens to the call."""
        call_ids: list[int] = []
        loop = asyncio.get_running_loop()

        def on_dialled(call_id: int) -> None:
            call_ids.append(call_id)
            loop.run_in_executor(None, note_call, self.db, dial.attempt_id, call_id)

        self.stats.placed += 1
        # Past its lease another worker may settle the attempt: this one must be done by then.
        limit = asyncio.timeout(self.lease.total_seconds())
        try:
            async with limit:
                result = await self.place(dial, on_dialled)
        except asyncio.CancelledError:
            await asyncio.shield(self._finish_failed(dial, call_ids, "campaign stopped mid-call"))
            raise
        except Exception as err:  # one broken call must not stop the campaign
            log.exception("attempt %s at %s failed", dial.attempt_id, dial.policy_no)
            detail = "the call outlived its lease" if limit.expired() else failure_detail(err)
            await self._finish_failed(dial, call_ids, detail)
            return
        await in_db(finish, self.db, dial.attempt_id, result.outcome, self.clock(),
                    detail=result.detail, call_id=result.call_id)
        self.stats.finished += 1

    async def _finish_failed(self, dial: Dial, call_ids: list[int], detail: str) -> None:
        now = self.clock()
        # A failure before the INVITE is no attempt, but retrying it at once would spin.
        retry_at = None if call_ids else now + self.undialled_retry
        await in_db(finish, self.db, dial.attempt_id, AttemptOutcome.FAILED, now, detail=detail,
                    call_id=call_ids[-1] if call_ids else None, dialled=bool(call_ids),
                    retry_at=retry_at)
        self.stats.finished += 1
