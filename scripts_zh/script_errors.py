"""Problems in script files, each naming the file, line and what is wrong."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from scripts_zh.yaml_source import MarkedYaml, Path_, position_of


@dataclass(frozen=True)
class ScriptProblem:
    """One thing wrong in one script file."""

    file: Path
    line: int
    column: int
    where: str  # the dotted path of the value, e.g. steps[3].retries
    message: str

    def __str__(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.file}:{self.line}:{self.column}: {where}{self.message}"


class ScriptError(Exception):
    """A script file (or a set of them) is unusable; every problem found is listed."""

    def __init__(self, problems: Iterable[ScriptProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def dotted(path: Path_) -> str:
    """steps[3].retries from ('steps', 3, 'retries')."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else str(part)
    return text


def problem_at(
    file: Path, marked: MarkedYaml, path: Path_, message: str, *, key: bool = False
) -> ScriptProblem:
    """A problem placed at the value (or key) a data path names."""
    position = position_of(marked, path, key=key)
    return ScriptProblem(file, position.line, position.column, dotted(path), message)


def validation_problems(
    file: Path, marked: MarkedYaml, error: ValidationError, models: Iterable[type[BaseModel]]
) -> list[ScriptProblem]:
    """Pydantic's errors mapped onto the lines of the YAML they came from."""
    known_keys = sorted({name for model in models for name in model.model_fields})
    problems = []
    for detail in error.errors():
        if _is_other_union_member(detail):
            continue
        path = _data_path(marked.data, detail["loc"])
        if detail["type"] == "extra_forbidden":
            problems.append(
                problem_at(file, marked, path, _unknown_key(path, known_keys), key=True)
            )
        else:
            message = str(detail["msg"])
            if detail["type"] != "missing":
                message += f" (got {_short(detail['input'])})"
            problems.append(problem_at(file, marked, path, message))
    return problems


def _is_other_union_member(detail: Any) -> bool:
    """StepId | StepOverride: keep only the complaint about the member the input looks like."""
    wanted_text = detail["type"] == "string_type" and isinstance(detail["input"], dict)
    wanted_mapping = detail["type"] == "model_type" and isinstance(detail["input"], str)
    return wanted_text or wanted_mapping


def _data_path(data: Any, loc: tuple[int | str, ...]) -> Path_:
    """The loc without the union-member names pydantic inserts (family_script, StepOverride)."""
    path: list[str | int] = []
    current = data
    for i, part in enumerate(loc):
        found = (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        )
        if found:
            path.append(part)
            current = current[part]
        elif i == len(loc) - 1:  # a missing or unknown key names itself last
            path.append(part)
    return tuple(path)


def _unknown_key(path: Path_, known_keys: list[str]) -> str:
    key = str(path[-1]) if path else ""
    close = difflib.get_close_matches(key, known_keys, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {key!r}{hint}"


def _short(value: Any) -> str:
    """A value's repr cut to a readable length (prompts are long)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
