"""Errors raised when a notebook file cannot be read or written."""

from __future__ import annotations


class NotebookError(Exception):
    """A notebook could not be loaded or saved; the message names the file and the problem."""


class SchemaError(ValueError):
    """JSON that does not have a notebook's shape; ``where`` is a path like ``cells[3].source``."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where = where
        self.problem = problem
