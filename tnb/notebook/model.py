"""Notebook, Cell and Output dataclasses over nbformat's JSON, with the editing operations."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

CellType = Literal["code", "markdown", "raw"]


@dataclass(eq=False)
class Output:
    """One output of a code cell, as nbformat v4 stores it (multiline strings joined).

    Keys this class does not know are kept in ``extra`` so they survive a round trip.
    ``display_id`` comes from the kernel's transient dict and is never saved.
    """

    output_type: str  # "stream" | "display_data" | "execute_result" | "error" | unknown
    name: str = ""  # stream: "stdout" / "stderr"
    text: str = ""  # stream text
    data: dict[str, Any] = field(default_factory=dict)  # mime bundle
    metadata: dict[str, Any] = field(default_factory=dict)
    execution_count: int | None = None  # execute_result
    ename: str = ""
    evalue: str = ""
    traceback: list[str] = field(default_factory=list)
    display_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Cell:
    """One cell. ``id`` is stable (nbformat 4.5); unknown keys live in ``extra``."""

    cell_type: CellType
    source: str = ""
    id: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    outputs: list[Output] = field(default_factory=list)  # code cells only
    execution_count: int | None = None  # code cells only
    attachments: dict[str, Any] | None = None  # markdown and raw cells
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class Notebook:
    """A whole notebook document and where it lives on disk."""

    cells: list[Cell] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    nbformat: int = 4
    nbformat_minor: int = 5
    path: Path | None = None
