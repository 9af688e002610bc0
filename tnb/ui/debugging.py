"""The app's debugger part: debug a cell, follow stops in the view and the panel, variables."""

from __future__ import annotations

from tnb.kernels.protocol import KernelConnectionError
from tnb.notebook.model import Cell
from tnb.session.debugger import DebuggerError, DebugSession, Stop
from tnb.ui.host import AppHost
from tnb.ui.screens.debug_actions import DebugActions
from tnb.ui.screens.debug_panels import DebugPanel, VariablesScreen

_FAILED = (DebuggerError, KernelConnectionError)


class DebugParts(AppHost):
    """Answers the notebook screen's DebugRequested; draws where the debugger stopped."""

    def on_debug_actions_debug_requested(self, event: DebugActions.DebugRequested) -> None:
        debugger = self.kernels.debugger
        if debugger is None or self.kernels.backend is None:
            self.notify("No kernel is running.", timeout=4)
            return
        if event.action == "variables":
            self.push_screen(VariablesScreen(debugger))
        elif event.action == "debug_cell" and event.cell is not None:
            self.run_worker(
                self._debug_cell(debugger, event.cell, event.lines), exit_on_error=False
            )
        elif event.action == "stop":
            self.run_worker(self._stop_debugging(debugger), exit_on_error=False)
        elif event.action == "pause" or debugger.stopped is not None:
            self.run_worker(self._step(debugger, event.action), exit_on_error=False)
        else:
            self.notify("The debugger is not stopped anywhere.", timeout=4)

    async def _debug_cell(self, debugger: DebugSession, cell: Cell, lines: frozenset[int]) -> None:
        debugger.on_stopped = self._debug_stopped
        debugger.on_continued = self._debug_continued
        try:
            await debugger.start()
            await debugger.set_breakpoints(cell.source, set(lines))
        except _FAILED as exc:
            self.notify(str(exc), title="Cannot debug", severity="warning", timeout=8)
            return
        self.kernels.run([cell])

    async def _step(self, debugger: DebugSession, command: str) -> None:
        try:
            await debugger.step(command)
        except _FAILED as exc:
            self.notify(str(exc), title="Debugger", severity="warning", timeout=6)

    async def _stop_debugging(self, debugger: DebugSession) -> None:
        await debugger.stop()
        self._debug_continued()

    def _stopped_cell(self, stop: Stop) -> tuple[Cell, int] | None:
        """The notebook cell and line of the innermost frame that is in one."""
        debugger = self.kernels.debugger
        if debugger is None:
            return None
        paths = {
            debugger.cell_file(c.source): c for c in self.notebook.cells if c.cell_type == "code"
        }
        for frame in stop.frames:
            cell = paths.get(frame.path)
            if cell is not None:
                return cell, frame.line
        return None

    def _debug_stopped(self, stop: Stop) -> None:
        screen = self.notebook_screen
        debugger = self.kernels.debugger
        if screen is None or debugger is None:
            return
        found = self._stopped_cell(stop)
        view = screen.view
        where = "a library's code"
        if found is not None:
            cell, line = found
            index = self.notebook.cells.index(cell)
            view.stopped_at = (id(cell), line)
            view.refresh_cell(cell)
            view.move_cursor(index)
            where = f"cell {index + 1}, line {line}"
        if isinstance(self.screen, DebugPanel):
            self.screen.show(where)
        else:
            self.push_screen(DebugPanel(debugger, where), self._panel_closed)

    def _panel_closed(self, answer: str | None) -> None:
        debugger = self.kernels.debugger
        if answer == "stop" and debugger is not None:
            self.run_worker(self._stop_debugging(debugger), exit_on_error=False)

    def _debug_continued(self) -> None:
        screen = self.notebook_screen
        if screen is not None and screen.view.stopped_at is not None:
            screen.view.stopped_at = None
            screen.view.refresh_all()
        if self.screen_stack and isinstance(self.screen, DebugPanel):
            self.screen.running()

    def debug_kernel_gone(self) -> None:
        """The kernel restarted or died: its debug session is over, nothing is stopped."""
        self._debug_continued()
        if self.screen_stack and isinstance(self.screen, DebugPanel):
            self.screen.dismiss(None)

    def debug_cell_finished(self) -> None:
        """A cell ended: a debug panel left open closes; the variable explorer refreshes."""
        if not self.screen_stack:
            return
        debugger = self.kernels.debugger
        stopped = debugger is not None and debugger.stopped is not None
        if isinstance(self.screen, DebugPanel) and not stopped:
            self.screen.dismiss(None)
        if isinstance(self.screen, VariablesScreen):
            self.screen.action_refresh()
