"""Read YAML keeping where every key and value starts, so schema errors can name a line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int


@dataclass(frozen=True)
class YamlProblem:
    """Something wrong with a YAML document before any schema is applied."""

    position: Position
    message: str


@dataclass(frozen=True)
class MarkedYaml:
    """Plain data, the position of each path's value, and of each mapping key (for typos)."""

    data: Any
    values: dict[Path_, Position]
    keys: dict[Path_, Position]
    problems: tuple[YamlProblem, ...]


class YamlSyntaxError(Exception):
    """The text is not YAML at all."""

    def __init__(self, position: Position, message: str) -> None:
        super().__init__(message)
        self.position = position
        self.message = message


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


class _Walker:
    """Turns a composed node tree into plain data while noting positions."""

    def __init__(self) -> None:
        self.values: dict[Path_, Position] = {}
        self.keys: dict[Path_, Position] = {}
        self.problems: list[YamlProblem] = []
        self._scalars = yaml.constructor.SafeConstructor()

    def walk(self, node: yaml.Node, path: Path_) -> Any:
        self.values[path] = _position(node)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalars.construct_object(node, deep=True)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._scalars.construct_object(key_node, deep=True)
            if key in result:  # plain YAML keeps the last silently; a script must not
                self.problems.append(YamlProblem(_position(key_node), f"duplicate key {key!r}"))
            self.keys[(*path, key)] = _position(key_node)
            result[key] = self.walk(value_node, (*path, key))
        return result


def load_marked_yaml(text: str) -> MarkedYaml:
    """Parse one YAML document; raises YamlSyntaxError with the position of a syntax error."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        raise YamlSyntaxError(where, str(err.problem or err)) from err
    if root is None:
        return MarkedYaml(None, {}, {}, ())
    walker = _Walker()
    data = walker.walk(root, ())
    return MarkedYaml(data, walker.values, walker.keys, tuple(walker.problems))


def position_of(marked: MarkedYaml, path: Path_, *, key: bool = False) -> Position:
    """The position of the longest known prefix of a path (a missing field → its parent)."""
    table = marked.keys if key else marked.values
    for end in range(len(path), -1, -1):
        found = table.get(path[:end]) or marked.values.get(path[:end])
        if found:
            return found
    return Position(1, 1)
