"""The file browser of a Jupyter server: folders and notebooks; open, new, rename, delete."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from tnb.kernels.server.contents import ContentsEntry
from tnb.session.server_files import ServerFiles, describe_failure
from tnb.ui.screens.dialogs import ConfirmScreen, NameScreen

_PARENT = ".."


def when_text(stamp: str | None) -> str:
    """A Contents API timestamp in local time, as the browser and checkpoint list show it."""
    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return stamp
    return moment.strftime("%Y-%m-%d %H:%M")


def _size(entry: ContentsEntry) -> str:
    if entry.type == "directory" or entry.size is None:
        return ""
    size = float(entry.size)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


class ServerBrowserScreen(Screen[str | None]):
    """Lists one folder of the server; answers the path of the notebook to open (or None)."""

    CSS_PATH = Path(__file__).with_name("server_browser.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "close"),
        Binding("backspace,left", "parent", "up a folder"),
        Binding("n", "new_notebook", "new notebook"),
        Binding("r", "rename", "rename"),
        Binding("d,delete", "delete", "delete"),
        Binding("f5,ctrl+r", "refresh", "refresh"),
    ]

    def __init__(self, files: ServerFiles, folder: str = "") -> None:
        super().__init__()
        self.files = files
        self.folder = folder.strip("/")
        self.entries: list[ContentsEntry] = []

    def compose(self) -> ComposeResult:
        """Where we are, the folder's entries, what went wrong last, the keys."""
        yield Static("", id="browser-where", markup=False)
        table: DataTable[str] = DataTable(id="browser-list", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static("", id="browser-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """Columns, then the folder's listing."""
        table = self.table
        table.add_column("Name", key="name", width=48)
        table.add_column("Last modified", key="modified", width=18)
        table.add_column("Size", key="size", width=10)
        table.focus()
        self.load()

    @property
    def table(self) -> DataTable[str]:
        """The listing."""
        return self.query_one("#browser-list", DataTable)

    def say(self, text: str) -> None:
        """A line under the listing (errors, what was done)."""
        self.query_one("#browser-status", Static).update(text)

    @work(group="browser", exclusive=True, exit_on_error=False)
    async def load(self, select: str | None = None) -> None:
        """List the folder (``select``: put the cursor on that path)."""
        try:
            entries = await self.files.contents.list_folder(self.folder)
        except Exception as exc:  # any failure is shown; the browser stays usable
            self.say(f"cannot list {self.folder or 'the root folder'}: {describe_failure(exc)}")
            return
        self.entries = entries
        where = f"{self.files.server}tree/{self.folder}" if self.folder else self.files.server
        self.query_one("#browser-where", Static).update(
            f"{where}   (enter: open · ←: up · n: new · r: rename · d: delete · esc: close)"
        )
        table = self.table
        table.clear()
        if self.folder:
            table.add_row("📁 ..", "", "", key=_PARENT)
        for entry in entries:
            icon = {"directory": "📁", "notebook": "📓"}.get(entry.type, "  ")
            name = f"{icon} {entry.name}" + ("/" if entry.type == "directory" else "")
            table.add_row(name, when_text(entry.last_modified), _size(entry), key=entry.path)
        if select is not None:
            for row, entry in enumerate(entries):
                if entry.path == select:
                    table.move_cursor(row=row + (1 if self.folder else 0))

    def _selected(self) -> ContentsEntry | None:
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((e for e in self.entries if e.path == key), None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter: a folder opens, a notebook is the answer; other files are not notebooks."""
        event.stop()
        if event.row_key.value == _PARENT:
            self.action_parent()
            return
        entry = self._selected()
        if entry is None:
            return
        if entry.type == "directory":
            self.folder = entry.path
            self.load()
        elif entry.type == "notebook" or entry.name.endswith(".ipynb"):
            self.dismiss(entry.path)
        else:
            self.say(f"{entry.name} is not a notebook")

    def action_parent(self) -> None:
        """Up one folder."""
        if self.folder:
            came_from = self.folder
            self.folder = self.folder.rsplit("/", 1)[0] if "/" in self.folder else ""
            self.load(select=came_from)

    def action_refresh(self) -> None:
        """List again."""
        self.load()

    def action_close(self) -> None:
        """Close without opening anything."""
        self.dismiss(None)

    @work(group="browser-op", exit_on_error=False)
    async def action_new_notebook(self) -> None:
        """A new notebook in this folder (the server names it), opened at once."""
        try:
            entry = await self.files.contents.new_notebook(self.folder)
        except Exception as exc:  # shown; nothing changed
            self.say(f"no new notebook: {describe_failure(exc)}")
            return
        self.dismiss(entry.path)

    def action_rename(self) -> None:
        """Rename the selected file or folder (asked in a dialog)."""
        entry = self._selected()
        if entry is None:
            return

        def answered(name: str | None) -> None:
            if name and name != entry.name:
                new_path = f"{self.folder}/{name}" if self.folder else name
                self._rename(entry, new_path)

        self.app.push_screen(NameScreen(f"Rename {entry.name} to:", entry.name), answered)

    @work(group="browser-op", exit_on_error=False)
    async def _rename(self, entry: ContentsEntry, new_path: str) -> None:
        try:
            await self.files.contents.rename(entry.path, new_path)
        except Exception as exc:  # shown; nothing changed
            self.say(f"{entry.name} not renamed: {describe_failure(exc)}")
            return
        self.say(f"renamed {entry.name} to {new_path.rsplit('/', 1)[-1]}")
        self.load(select=new_path)

    def action_delete(self) -> None:
        """Delete the selected file or folder, once confirmed."""
        entry = self._selected()
        if entry is None:
            return
        kind = "folder" if entry.type == "directory" else "file"

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(entry)

        self.app.push_screen(
            ConfirmScreen(f"Delete the {kind} {entry.name} on the server?"), answered
        )

    @work(group="browser-op", exit_on_error=False)
    async def _delete(self, entry: ContentsEntry) -> None:
        try:
            await self.files.contents.delete(entry.path)
        except Exception as exc:  # shown; nothing changed
            self.say(f"{entry.name} not deleted: {describe_failure(exc)}")
            return
        self.say(f"deleted {entry.name}")
        self.load()
