"""Palette actions on the file's format: upgrade nbformat, record cell timing (asked first)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tnb.notebook.model import FIRST_MINOR_WITH_IDS, FIRST_MINOR_WITH_TIMING
from tnb.ui.screens.dialogs import ChoiceScreen

if TYPE_CHECKING:
    from tnb.ui.app import TnbApp


def _name(app: TnbApp) -> str:
    path = app.notebook.path
    return path.name if path is not None else "This notebook"


def _note(app: TnbApp, text: str) -> None:
    screen = app.notebook_screen
    if screen is not None:
        screen.update_bars(text)


def upgrade_format(app: TnbApp) -> None:
    """Ask, then save the notebook as nbformat 4.5 (cell ids) from the next save on."""
    nb = app.notebook
    if nb.nbformat_minor >= FIRST_MINOR_WITH_IDS:
        app.notify(
            f"{_name(app)} is nbformat 4.{nb.nbformat_minor}, the newest tnb writes.", timeout=5
        )
        return
    question = (
        f"Upgrade {_name(app)} from nbformat 4.{nb.nbformat_minor} to "
        f"4.{FIRST_MINOR_WITH_IDS}?\nEvery cell gets an id; tools with an nbformat older "
        "than 5.1 (2021) may refuse the file. The file changes when you save."
    )

    def answered(answer: str | None) -> None:
        if answer == "upgrade" and app.notebook.upgrade_format(FIRST_MINOR_WITH_IDS):
            _note(app, f"saving writes nbformat 4.{FIRST_MINOR_WITH_IDS}")

    app.push_screen(
        ChoiceScreen(question, [("upgrade", "u", "Upgrade"), ("cancel", "c", "Cancel")]),
        answered,
    )


def set_record_timing(app: TnbApp, on: bool) -> None:
    """Record each run cell's times in metadata.execution (JupyterLab's recordTiming), or
    stop. A notebook older than 4.4, where that metadata is not defined, is upgraded to 4.4
    if the user agrees; otherwise timing stays off."""
    kernels = app.kernels
    if not on:
        kernels.set_record_timing(False)
        _note(app, "cell timing is not recorded")
        return
    minor = app.notebook.nbformat_minor
    if minor >= FIRST_MINOR_WITH_TIMING:
        kernels.set_record_timing(True)
        _note(app, "cell timing is recorded (metadata.execution)")
        return
    question = (
        f"Cell timing (metadata.execution) is part of nbformat 4.{FIRST_MINOR_WITH_TIMING}; "
        f"{_name(app)} is nbformat 4.{minor}.\nRecord it, and save the notebook as "
        f"4.{FIRST_MINOR_WITH_TIMING}?"
    )

    def answered(answer: str | None) -> None:
        if answer == "upgrade":
            app.notebook.upgrade_format(FIRST_MINOR_WITH_TIMING)
            kernels.set_record_timing(True)
            _note(app, f"cell timing is recorded; saving writes 4.{FIRST_MINOR_WITH_TIMING}")
        else:
            _note(app, "cell timing is not recorded")

    record = ("upgrade", "u", f"Record, as 4.{FIRST_MINOR_WITH_TIMING}")
    app.push_screen(ChoiceScreen(question, [record, ("cancel", "c", "Cancel")]), answered)
