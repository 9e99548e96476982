"""Which policy a recording of a folder belongs to, for `huifang analyze DIR`.

In this order, the first that gives one wins:
1. a sidecar `<recording stem>.json` beside it: a policy number of the database
   (`{"policy_no": …}`), or a full policy record as `--policy-json` takes;
2. the command line's `--policy NO` or `--policy-json FILE` (a folder of one policy's calls);
3. a policy number in the file name (e.g. `8644012024110001_20241110.wav`): each run of at
   least 6 digits, with any letters before it, that the database holds.
Without any, the call is stored without a policy and voice cues are skipped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from agent_assist.policyholder_input import PolicyholderInputError, policyholder_from_json
from agent_assist.voice_cues import PolicyholderRecord
from storage.models import Policy
from storage.policy_view import policyholder_from_policy
from storage.repository import Repository

_NUMBER_IN_NAME = re.compile(r"[A-Za-z]*\d{6,}")


@dataclass(frozen=True, slots=True)
class RecordingPolicy:
    """The stored policy (if the database holds it), the record the voice is compared with."""

    policy: Policy | None
    record: PolicyholderRecord | None
    source: str  # sidecar, --policy, --policy-json, file name; "" when none was found


NO_POLICY = RecordingPolicy(None, None, "")


def _stored(repo: Repository, record: PolicyholderRecord, source: str) -> RecordingPolicy:
    return RecordingPolicy(repo.policy(record.policy_no), record, source)


def from_policy_no(repo: Repository, policy_no: str, source: str) -> RecordingPolicy | None:
    """The stored policy with this number, None if the database lacks it."""
    policy = repo.policy(policy_no)
    if policy is None:
        return None
    return RecordingPolicy(policy, policyholder_from_policy(policy), source)


def _sidecar(repo: Repository, path: Path) -> RecordingPolicy | None:
    """The sidecar's policy; PolicyholderInputError when it is unreadable or names nothing."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise PolicyholderInputError(f"{path}: not valid JSON: {err}") from err
    policy_no = data.get("policy_no") if isinstance(data, dict) else None
    if not isinstance(policy_no, str):
        raise PolicyholderInputError(f"{path}: expected a JSON object with policy_no")
    if "holder_birth_date" in data:
        return _stored(repo, policyholder_from_json(path), "sidecar")
    found = from_policy_no(repo, policy_no, "sidecar")
    if found is None:
        raise PolicyholderInputError(
            f"{path}: policy {policy_no} is not in the database (import it, or give the "
            "holder's gender and birth date in the file)"
        )
    return found


def _from_name(repo: Repository, recording: Path) -> RecordingPolicy | None:
    for candidate in _NUMBER_IN_NAME.findall(recording.stem):
        found = from_policy_no(repo, candidate, "file name")
        if found is not None:
            return found
    return None


def policy_for_recording(
    repo: Repository, recording: Path, given: RecordingPolicy | None
) -> RecordingPolicy:
    """The recording's policy by sidecar, then the command line's, then its file name."""
    sidecar = _sidecar(repo, recording.with_suffix(".json"))
    if sidecar is not None:
        return sidecar
    if given is not None:
        return given
    return _from_name(repo, recording) or NO_POLICY


def given_policy(
    repo: Repository, policy_no: str | None, policy_json: Path | None
) -> RecordingPolicy | None:
    """The command line's policy for every recording; PolicyholderInputError if unusable."""
    if policy_json is not None:
        return _stored(repo, policyholder_from_json(policy_json), "--policy-json")
    if policy_no is None:
        return None
    found = from_policy_no(repo, policy_no, "--policy")
    if found is None:
        raise PolicyholderInputError(f"--policy {policy_no}: not in the database")
    return found
