"""The error storage raises when the database cannot be opened or used as asked."""

from __future__ import annotations


class StorageError(Exception):
    """A database problem worth one clear line to the operator; `code` is stable for callers."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
