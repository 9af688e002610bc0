"""The widget panel: step through a cell's widgets and change them from the keyboard."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.console import Group
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tnb.session.widgets import TEXT_MODELS, WidgetManager, press_control, set_text, step_control
from tnb.ui.render.palette import PALETTES, Theme
from tnb.ui.render.widgets import WidgetContext, focusable, render_widget
from tnb.ui.widgets.inline_input import InlineInput

HINT = "tab/↓ next · ↑ previous · ←/→ change (shift: ×10) · enter/space press or type · esc close"


class WidgetPanel(ModalScreen[None]):
    """A cell's widgets drawn live, one control focused; keys change it in the kernel."""

    CSS_PATH = Path(__file__).with_name("widget_panel.tcss")
    AUTO_FOCUS = None  # keys go to the panel; the text field takes them only while typing
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "close", priority=True),
        Binding("tab,down,j", "move(1)", "next", show=False),
        Binding("shift+tab,up,k", "move(-1)", "previous", show=False),
        Binding("left,h", "step(-1)", "less", show=False),
        Binding("right,l", "step(1)", "more", show=False),
        Binding("shift+left,H", "step(-10)", "much less", show=False),
        Binding("shift+right,L", "step(10)", "much more", show=False),
        Binding("enter,space", "press", "press", show=False),
    ]

    def __init__(self, manager: WidgetManager, roots: list[str], *, theme: Theme) -> None:
        super().__init__()
        self.manager = manager
        self.roots = roots
        self.theme_name: Theme = theme
        self.current: str | None = None
        self.note = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="widget-box"):
            yield Label(HINT, id="widget-hint", markup=False)
            yield Static(id="widget-view")
            yield InlineInput(id="widget-text")

    def on_mount(self) -> None:
        controls = self.controls()
        self.current = controls[0] if controls else None
        self.redraw()

    def controls(self) -> list[str]:
        """The controls of the cell's widgets, in reading order."""
        return [c for root in self.roots for c in focusable(root, self.manager.models)]

    def redraw(self) -> None:
        """Draw the widgets again (the kernel or a key changed one)."""
        view = self.query_one("#widget-view", Static)
        ctx = WidgetContext(
            self.manager.models, PALETTES[self.theme_name], self.theme_name, self.current
        )
        width = max(20, self.size.width - 4)
        drawn = [render_widget(root, ctx, width) for root in self.roots]
        notes = []
        if not self.controls():
            notes.append("nothing to change here: these widgets only show")
        elif not any(m.live for m in self.manager.models.values() if m.model_id in self.roots):
            notes.append("not live: the kernel that made these widgets is gone")
        if self.note:
            notes.append(self.note)
        view.update(Group(*drawn, *notes))

    def _typing(self) -> bool:
        return self.query_one("#widget-text", InlineInput).asking

    def action_move(self, by: int) -> None:
        controls = self.controls()
        if self._typing() or not controls:
            return
        at = controls.index(self.current) if self.current in controls else -by
        self.current = controls[(at + by) % len(controls)]
        self.note = ""
        self.redraw()

    def action_step(self, by: int) -> None:
        if self._typing():
            return
        if self.current is not None and not step_control(self.manager, self.current, by):
            self.note = "←/→ change sliders, numbers and choices"
        self.redraw()

    def action_press(self, *_: object) -> None:
        model = self.manager.models.get(self.current or "")
        if model is None:
            return
        if model.model_name in TEXT_MODELS:
            value = model.state.get("value")
            self.query_one("#widget-text", InlineInput).ask(
                "" if value is None else str(value), password=model.model_name == "PasswordModel"
            )
            return
        if not press_control(self.manager, model.model_id):
            self.note = "enter presses buttons and flips checkboxes"
        self.redraw()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.current is not None:
            self.note = set_text(self.manager, self.current, event.value) or ""
        self._stop_typing()

    def action_close(self) -> None:
        if self._typing():
            self._stop_typing()  # esc while typing drops what was typed, not the panel
            return
        self.dismiss(None)

    def _stop_typing(self) -> None:
        self.query_one("#widget-text", InlineInput).done()
        self.redraw()
