"""The debugger's screens: the variable explorer, the stopped-here panel, the data viewer."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ScrollableContainer, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Input, Label, Static, Tree
from textual.widgets.tree import TreeNode

from tnb.kernels.protocol import KernelConnectionError
from tnb.session.debugger import DebuggerError, DebugSession, Frame, Stop, Variable
from tnb.session.sanitize import strip_ansi
from tnb.ui.render.bundle import render_mime
from tnb.ui.render.mime import rank_mime
from tnb.ui.widgets.inline_input import InlineInput

CSS = Path(__file__).with_name("debug_panels.tcss")
_FAILED = (DebuggerError, KernelConnectionError)


def _add_variables(node: TreeNode[int], variables: list[Variable]) -> None:
    for v in variables[:200]:
        label = Text.assemble((v.name, "bold"), f": {v.type} = ", one_line(v.value, 80))
        if v.reference > 0:
            node.add(label, data=v.reference)
        else:
            node.add_leaf(label)


def one_line(value: str, width: int = 60) -> str:
    """A value's first line, cut to ``width`` (DataFrames and arrays repr over many)."""
    first, *more = strip_ansi(value).splitlines() or [""]
    shown = first + (" …" if more else "")
    return shown if len(shown) <= width else shown[: width - 1] + "…"


class VariablesScreen(ModalScreen[None]):
    """The kernel's variables: name, type, size or shape, value; enter opens the data viewer."""

    CSS_PATH = CSS
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "close"),
        Binding("r", "refresh", "refresh"),
    ]

    def __init__(self, debugger: DebugSession) -> None:
        super().__init__()
        self.debugger = debugger
        self.rows: list[Variable] = []
        self.note = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="variables-box"):
            yield Label("variables · enter views · r refreshes · esc closes", id="variables-title")
            table: DataTable[str] = DataTable(id="variables-table", cursor_type="row")
            table.add_columns("name", "type", "size", "value")
            yield table

    def on_mount(self) -> None:
        self.action_refresh()

    @work(exclusive=True, group="variables", exit_on_error=False)
    async def action_refresh(self) -> None:
        """Ask the kernel again (after each run the app does this)."""
        title = self.query_one("#variables-title", Label)
        try:
            self.rows = await self.debugger.variables()
        except _FAILED as exc:
            self.note = str(exc)
            title.update(f"variables · {exc}")
            return
        self.note = ""
        table = self.query_one("#variables-table", DataTable)
        table.clear()
        for v in self.rows:
            table.add_row(v.name, v.type, v.size, one_line(v.value), key=v.name)
        title.update(f"{len(self.rows)} variables · enter views · r refreshes · esc closes")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        name = str(event.row_key.value)
        variable = next((v for v in self.rows if v.name == name), None)
        if variable is not None:
            self.app.push_screen(DataViewer(self.debugger, variable))


class DataViewer(Screen[None]):
    """One variable as the kernel renders it (a DataFrame's table), scrollable both ways."""

    CSS_PATH = CSS
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "dismiss", "close")]
    WIDTH = 400  # columns drawn: wide tables keep their columns, the view scrolls sideways

    def __init__(self, debugger: DebugSession, variable: Variable) -> None:
        super().__init__()
        self.debugger = debugger
        self.variable = variable

    def compose(self) -> ComposeResult:
        v = self.variable
        yield Label(f"{v.name} · {v.type} {v.size} · esc closes", id="viewer-title")
        with ScrollableContainer(id="viewer-body"):
            yield Static(Text(strip_ansi(v.value)), id="viewer-content", expand=False)

    @work(exit_on_error=False)
    async def on_mount(self) -> None:
        try:
            bundle = await self.debugger.rich(self.variable.name)
        except _FAILED:
            return  # its value, already shown
        for mime in rank_mime(bundle, images=False):
            drawn = render_mime(mime, bundle[mime], width=self.WIDTH, max_lines=None)
            if drawn is not None:
                self.query_one("#viewer-content", Static).update(drawn)
                return


class DebugPanel(ModalScreen[str | None]):
    """Where the debugger stopped: the line, the call stack, the frame's variables, evaluate.

    Keys as pdb (c n s r q, u/d up and down the stack) and as VS Code (F5 F10 F11 shift+F11
    shift+F5). The frame's variables are a tree: ↑/↓ move, enter expands (asked lazily).
    """

    CSS_PATH = CSS
    AUTO_FOCUS = None
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c,f5", "step('continue')", "continue"),
        Binding("n,f10", "step('next')", "step over"),
        Binding("s,f11", "step('stepIn')", "step into"),
        Binding("r,shift+f11", "step('stepOut')", "step out"),
        Binding("q,shift+f5", "stop", "stop debugging"),
        Binding("e", "ask", "evaluate"),
        Binding("u", "frame(1)", "caller", show=False),
        Binding("d", "frame(-1)", "callee", show=False),
        Binding("escape", "close", "hide", priority=True),
    ]
    HINT = (
        "c continue · n step over · s step into · r step out · q stop · e evaluate · "
        "u/d frame · ↑/↓ enter variables · esc hide"
    )

    def __init__(self, debugger: DebugSession, where: str) -> None:
        super().__init__()
        self.debugger = debugger
        self.where = where
        self.frame_index = 0
        self.locals: list[Variable] = []
        self.answer = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="debug-box"):
            yield Label(self.HINT, id="debug-hint")
            yield Static(id="debug-where")
            yield Static(id="debug-stack")
            tree: Tree[int] = Tree("variables", id="debug-locals")
            tree.show_root = False
            yield tree
            yield Static(id="debug-answer")
            yield InlineInput(placeholder="an expression, in the frame", id="debug-eval")

    def on_mount(self) -> None:
        self.show(self.where)
        self.set_focus(self.query_one("#debug-locals", Tree))

    @property
    def stop(self) -> Stop | None:
        return self.debugger.stopped

    @property
    def frame(self) -> Frame | None:
        stop = self.stop
        if stop is None or not stop.frames:
            return None
        return stop.frames[min(self.frame_index, len(stop.frames) - 1)]

    def show(self, where: str) -> None:
        """The debuggee stopped (again): draw where, the stack, and the frame's locals."""
        self.where = where
        self.frame_index = 0
        self.answer = ""
        self._draw()
        self._load_locals()

    def running(self) -> None:
        """The debuggee runs again (until it stops or the cell ends)."""
        self.where = "running…"
        self.locals = []
        self._draw()

    def _draw(self) -> None:
        stop = self.stop
        where = self.where
        if stop is not None:
            why = f" ({stop.reason}{': ' + stop.description if stop.description else ''})"
            where = f"stopped at {where}{why}"
        self.query_one("#debug-where", Static).update(Text(where))
        frames = stop.frames if stop is not None else []
        stack = Text()
        for i, frame in enumerate(frames[:8]):
            mark = "▶ " if i == self.frame_index else "  "
            stack.append(f"{mark}{frame.name}  line {frame.line}\n", "bold" if mark != "  " else "")
        self.query_one("#debug-stack", Static).update(stack)
        tree = self.query_one("#debug-locals", Tree)
        tree.clear()
        _add_variables(tree.root, self.locals)
        answer = Text(f"› {self.answer}", style="italic") if self.answer else Text("")
        self.query_one("#debug-answer", Static).update(answer)

    @work(exclusive=True, group="locals", exit_on_error=False)
    async def _load_locals(self) -> None:
        frame = self.frame
        if frame is None:
            return
        try:
            self.locals = await self.debugger.frame_variables(frame)
        except _FAILED as exc:
            self.answer = str(exc)
        self._draw()

    @work(exit_on_error=False)
    async def on_tree_node_expanded(self, event: Tree.NodeExpanded[int]) -> None:
        node = event.node
        if node.data is None or node.children:
            return
        try:
            kids = await self.debugger.children(node.data)
        except _FAILED as exc:
            node.add_leaf(Text(str(exc), style="italic"))
            return
        _add_variables(node, kids)

    def action_frame(self, by: int) -> None:
        stop = self.stop
        if self._asking() or stop is None or not stop.frames:
            return
        self.frame_index = max(0, min(len(stop.frames) - 1, self.frame_index + by))
        self._draw()
        self._load_locals()

    def action_step(self, command: str) -> None:
        if not self._asking():
            self._send(command)

    @work(exit_on_error=False)
    async def _send(self, command: str) -> None:
        try:
            await self.debugger.step(command)
        except _FAILED as exc:
            self.answer = str(exc)
            self._draw()

    def action_stop(self) -> None:
        if not self._asking():
            self.dismiss("stop")  # the app stops the debugger and clears the stopped line

    def variables_text(self) -> str:
        """The variables as shown, one per line, expanded ones with their children."""
        lines: list[str] = []

        def walk(node: TreeNode[int], depth: int) -> None:
            for child in node.children:
                lines.append("  " * depth + str(child.label))
                if child.is_expanded:
                    walk(child, depth + 1)

        walk(self.query_one("#debug-locals", Tree).root, 0)
        return "\n".join(lines)

    def _asking(self) -> bool:
        return self.query_one("#debug-eval", InlineInput).asking

    def action_ask(self) -> None:
        self.query_one("#debug-eval", InlineInput).ask()

    @work(exit_on_error=False)
    async def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._end_ask()
        try:
            value = await self.debugger.evaluate(event.value, self.frame)
            self.answer = f"{event.value} = {one_line(value, 100)}"
        except _FAILED as exc:
            self.answer = f"{event.value}: {exc}"
        self._draw()

    def _end_ask(self) -> None:
        self.query_one("#debug-eval", InlineInput).done()

    def action_close(self) -> None:
        if self._asking():
            self._end_ask()
            return
        self.dismiss(None)  # the debuggee stays stopped; "Debugger: Continue" in the palette
