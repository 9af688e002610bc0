"""The one table of notebook keys: bindings, the help screen and the command palette read it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from textual.binding import Binding

Mode = Literal["command", "edit", "any"]


@dataclass(frozen=True)
class KeyAction:
    """A notebook action, the keys that trigger it and where it shows."""

    action: str  # a NotebookScreen action name (without "action_")
    keys: str  # Textual key names, comma separated; "" for palette-only actions
    title: str
    mode: Mode
    footer: bool = False
    shown_keys: str = ""  # how the help screen spells the keys, when not the key names

    @property
    def display_keys(self) -> str:
        """The keys as a person would type them."""
        return self.shown_keys or self.keys.replace(",", " / ")


# Run keys: terminals and tmux often swallow ctrl/shift+enter, so each has a plain fallback.
KEY_ACTIONS: tuple[KeyAction, ...] = (
    KeyAction(
        "run_and_advance",
        "shift+enter,ctrl+e",
        "Run cell and select below",
        "any",
        True,
        "shift+enter / ctrl+e",
    ),
    KeyAction("run", "ctrl+enter,ctrl+r,f5", "Run cell", "any", True, "ctrl+enter / ctrl+r / F5"),
    KeyAction("run_and_insert", "alt+enter", "Run cell and insert below", "any"),
    KeyAction("run_all", "", "Run all cells", "any"),
    KeyAction("run_above", "", "Run all cells above", "any"),
    KeyAction("run_below", "", "Run this cell and all below", "any"),
    KeyAction("restart_and_run_all", "", "Restart kernel and run all", "any"),
    KeyAction("change_kernel", "", "Change kernel", "any"),
    KeyAction("enter_edit", "enter", "Edit cell", "command"),
    KeyAction("command_mode", "escape", "Leave the editor (command mode)", "edit", True, "esc"),
    KeyAction("cursor_down", "j,down", "Select cell below", "command", shown_keys="j / ↓"),
    KeyAction("cursor_up", "k,up", "Select cell above", "command", shown_keys="k / ↑"),
    KeyAction(
        "extend_down", "J,shift+down", "Extend selection down", "command", shown_keys="J / shift+↓"
    ),
    KeyAction(
        "extend_up", "K,shift+up", "Extend selection up", "command", shown_keys="K / shift+↑"
    ),
    KeyAction("first_cell", "home,g", "Select first cell", "command", shown_keys="home / g"),
    KeyAction("last_cell", "end,G", "Select last cell", "command", shown_keys="end / G"),
    KeyAction("page_down", "pagedown,space", "Page down", "command", shown_keys="pgdn / space"),
    KeyAction("page_up", "pageup", "Page up", "command", shown_keys="pgup"),
    KeyAction("insert_above", "a", "Insert cell above", "command"),
    KeyAction("insert_below", "b", "Insert cell below", "command"),
    KeyAction("chord('d')", "d", "Delete selected cells", "command", shown_keys="d d"),
    KeyAction("undo", "z", "Undo cell operation", "command"),
    KeyAction("redo", "Z", "Redo cell operation", "command", shown_keys="shift+z"),
    KeyAction("cut", "x", "Cut selected cells", "command"),
    KeyAction("copy", "c", "Copy selected cells", "command"),
    KeyAction("paste_below", "v", "Paste cells below", "command"),
    KeyAction("paste_above", "V", "Paste cells above", "command"),
    KeyAction("to_code", "y", "Change to code", "command"),
    KeyAction("to_markdown", "m", "Change to markdown", "command"),
    KeyAction("to_raw", "r", "Change to raw", "command"),
    KeyAction("merge", "M", "Merge selected cells (or with the one below)", "command"),
    KeyAction(
        "split",
        "ctrl+shift+minus,ctrl+underscore,ctrl+minus",
        "Split cell at the cursor",
        "edit",
        shown_keys="ctrl+shift+-",
    ),
    KeyAction(
        "move_up",
        "ctrl+shift+up,alt+up",
        "Move cells up",
        "command",
        shown_keys="ctrl+shift+↑ / alt+↑",
    ),
    KeyAction(
        "move_down",
        "ctrl+shift+down,alt+down",
        "Move cells down",
        "command",
        shown_keys="ctrl+shift+↓ / alt+↓",
    ),
    KeyAction("toggle_output", "o", "Show / hide output", "command"),
    KeyAction("interact_widgets", "w", "Interact with the cell's widgets", "command"),
    KeyAction("toggle_breakpoint", "f9", "Toggle Breakpoint", "any", shown_keys="F9"),
    KeyAction("remove_all_breakpoints", "", "Remove All Breakpoints", "any"),
    KeyAction("debug_cell", "D", "Debug Cell", "command", shown_keys="shift+d"),
    KeyAction("show_variables", "", "Show Variables", "any"),
    KeyAction("debug('continue')", "", "Debugger: Continue", "any"),
    KeyAction("debug('next')", "", "Debugger: Step Over", "any"),
    KeyAction("debug('stepIn')", "", "Debugger: Step Into", "any"),
    KeyAction("debug('stepOut')", "", "Debugger: Step Out", "any"),
    KeyAction("debug('pause')", "", "Debugger: Pause", "any"),
    KeyAction("debug('stop')", "", "Debugger: Stop", "any"),
    KeyAction("toggle_output_scrolling", "", "Toggle Output Scrolling", "command"),
    KeyAction(
        "scroll_output(3)",
        "ctrl+down",
        "Scroll the cell's output down",
        "command",
        shown_keys="ctrl+↓",
    ),
    KeyAction(
        "scroll_output(-3)",
        "ctrl+up",
        "Scroll the cell's output up",
        "command",
        shown_keys="ctrl+↑",
    ),
    KeyAction(
        "collapse_heading",
        "left",
        "Collapse heading (or select the heading above)",
        "command",
        shown_keys="←",
    ),
    KeyAction(
        "expand_heading",
        "right",
        "Expand heading (or select the heading below)",
        "command",
        shown_keys="→",
    ),
    KeyAction("collapse_all_headings", "", "Collapse All Headings", "command"),
    KeyAction("expand_all_headings", "", "Expand All Headings", "command"),
    KeyAction("toggle_toc", "T", "Table of Contents", "command"),
    KeyAction("open_output", "O", "Open the cell's output in the pager", "command"),
    KeyAction("copy_output", "Y", "Copy the cell's output (OSC 52 clipboard)", "command"),
    KeyAction("view_picture", "p", "View the cell's picture full size", "command"),
    KeyAction("clear_outputs", "", "Clear outputs of selected cells", "command"),
    KeyAction("clear_all_outputs", "", "Clear all outputs", "any"),
    KeyAction("toggle_line_numbers", "l", "Toggle line numbers", "command"),
    KeyAction("chord('i')", "i", "Interrupt kernel", "command", shown_keys="i i"),
    KeyAction("chord('0')", "0", "Restart kernel", "command", shown_keys="0 0"),
    KeyAction("find", "slash,ctrl+f", "Find in inputs and outputs", "command", True, "/ / ctrl+f"),
    KeyAction("find_replace", "ctrl+backslash", "Find and Replace", "any", shown_keys="ctrl+\\"),
    KeyAction("find_next", "n", "Next match", "command"),
    KeyAction("find_previous", "N", "Previous match", "command"),
    KeyAction("save", "ctrl+s", "Save", "any", True),
    KeyAction("save_as", "", "Save as…", "any"),
    KeyAction("upgrade_format", "", "Upgrade notebook format (nbformat 4.5, cell ids)", "any"),
    KeyAction("browse_server_files", "", "Open from the server… (file browser)", "any"),
    KeyAction("revert_to_checkpoint", "", "Revert to checkpoint…", "any"),
    KeyAction("toggle_record_timing", "", "Record cell timing on/off (metadata.execution)", "any"),
    KeyAction("command_palette", "ctrl+p", "Command palette", "any", shown_keys="ctrl+p"),
    KeyAction("help", "question_mark,h", "Keys help", "command", True, "? / h"),
    KeyAction("quit", "q", "Quit (asks when unsaved)", "command", True),
    KeyAction("quit", "ctrl+q", "Quit (asks when unsaved)", "any"),
)

# Edit-mode keys that are TextArea's own, listed in help only.
EDITOR_KEYS: tuple[tuple[str, str], ...] = (
    ("ctrl+z / ctrl+y", "Undo / redo inside the cell"),
    ("tab", "Complete from the kernel (indent at the start of a line)"),
    ("shift+tab", "The kernel's help for the name at the cursor"),
    ("ctrl+] / ctrl+[", "Indent / dedent (ctrl+[ is esc in most terminals)"),
    ("home / end", "Start / end of line (ctrl+e runs the cell here)"),
)


def bindings_for(mode: Mode) -> list[Binding]:
    """Textual bindings for the actions of ``mode`` (namespaced to the screen)."""
    bindings: list[Binding] = []
    for item in KEY_ACTIONS:
        if item.mode != mode or not item.keys:
            continue
        bindings.append(
            Binding(
                item.keys,
                f"screen.{item.action}",
                item.title if not item.footer else _footer_label(item),
                show=item.footer,
                key_display=_FOOTER_KEYS.get(item.action) if item.footer else None,
                # Priority bindings run while the app dispatches the key, before the next key
                # is routed: keys typed right after `enter` or `/` reach the editor or find box.
                priority=True,
            )
        )
    return bindings


# The key the footer shows: the fallback that arrives in every terminal, or the short one.
_FOOTER_KEYS = {
    "run_and_advance": "^e",
    "run": "^r",
    "find": "/",
    "help": "?",
    "save": "^s",
    "quit": "q",
    "command_mode": "esc",
}


def _footer_label(item: KeyAction) -> str:
    return {
        "run_and_advance": "run+next",
        "run": "run",
        "save": "save",
        "help": "help",
        "quit": "quit",
        "find": "find",
        "command_mode": "command mode",
    }.get(item.action, item.title)
