"""The call pipeline: every kind of call huifang makes or takes, through the same stages.

    legs ─────────────► recognition ──► checks ───────► event bus ─────► storage
    legs.py             (asr streams,   checks.py       bus.py           record.py
    one LegListener     one per leg)    rules, voice,   EventBus: the    the call record,
    per leg of a call                   voiceprints,    agent screen     flags, cues and
                                        identity        (in-process;     item answers as
                                                        a PostgreSQL     they happen; the
                                                        bus later)       end, however
                                                                         the call ended

`pipeline.py` holds what a process shares (recogniser, checks, bus, record writer) and
`CallPipeline.call()`, the one way a call runs: `run.py`'s CallRun binds one call's legs to its
checks, the bus and its record, and ends it the same way whether it hung up, failed or was
cancelled (a killed process leaves what was already written: flags and answers are written
as they happen).

The kinds of call, each a short driver over that run:
- outbound robot callbacks (`huifang call`, campaign attempts): outbound.py;
- inbound calls (`huifang serve`): inbound.py, switchboard.py;
- an agent's bridged callback, and a robot callback handed over to a free agent (转人工 on
  the same call): bridged.py, started by the web app's live desk (desk.py, agent_pool.py).
A robot call's script runs in script_session.py (scripts_zh's dialogue, prompts, barge-in).

The vocabulary the pipeline adds to the packages' own events is events.py; how a robot
call ended is outcome.py; the policy a call is about is policy_lookup.py.
"""
