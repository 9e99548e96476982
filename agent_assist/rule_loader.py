"""Load YAML data files into pydantic models, reporting errors as file:line: problem."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


class RuleFileError(ValueError):
    """A data file that cannot be used, with the file and the 1-based line of the problem."""

    def __init__(self, path: Path, line: int, problem: str) -> None:
        super().__init__(f"{path}:{line}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


def _node_at(root: yaml.Node, loc: Sequence[int | str]) -> yaml.Node:
    """The deepest YAML node along a pydantic error location."""
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            values = [v for k, v in node.value if k.value == key]
            if not values:
                break
            node = values[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
    return node


def load_model(path: Path, model: type[ModelT]) -> ModelT:
    """Parse one YAML file and validate it as `model`; RuleFileError on any problem."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise RuleFileError(path, 0, f"cannot read: {err}") from err
    try:
        root = yaml.compose(source)
        data = yaml.safe_load(source)
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else 0
        raise RuleFileError(path, line, f"not valid YAML: {err.problem}") from err
    if root is None:
        raise RuleFileError(path, 1, "the file is empty")
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        line = _node_at(root, first["loc"]).start_mark.line + 1
        raise RuleFileError(path, line, f"{where}: {first['msg']}") from err
