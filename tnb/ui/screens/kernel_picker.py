"""The kernel picker: local (raw) and Jupyter server kernels side by side, grouped, searchable."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tnb.kernels.protocol import KernelChoice, KernelConnectionError, KernelProvider
from tnb.kernels.selection import NoSuchKernelError, select_choice
from tnb.session.sources import ProviderEntry, connected_server_entry

ADD_SERVER = "add-server"

# (heading, kinds) of the groups of this computer's kernels, in the order they are shown.
_LOCAL_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Local kernelspecs · raw", ("spec",)),
    ("Python environments · raw", ("environment",)),
    ("Running local kernels · raw, attach", ("running", "existing")),
)
_SERVER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("kernelspecs · start", ("spec",)),
    ("sessions · attach", ("session",)),
    ("running kernels · attach", ("running",)),
)


@dataclass(frozen=True)
class PickedKernel:
    """What the user chose: start or attach ``choice`` with ``provider``."""

    provider: KernelProvider
    choice: KernelChoice


@dataclass
class _Source:
    entry: ProviderEntry
    state: Literal["connecting", "ready", "error"] = "connecting"
    choices: list[KernelChoice] = field(default_factory=list)
    error: str = ""
    needs_token: bool = False  # refused our credentials: enter asks for a token, not a retry
    stopped_hub: bool = False  # a JupyterHub server that is not running: enter starts it
    progress: str = ""  # the hub's spawn progress while it starts


def _now() -> datetime:
    return datetime.now(UTC)


def activity(value: str, now: datetime | None = None) -> str:
    """A server's ``last_activity`` timestamp as "active 3 min ago"; "" if unreadable."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return ""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = ((now or _now()) - when).total_seconds()
    if seconds < 60:
        return "active just now"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"active {int(seconds // size)} {unit} ago"
    return ""


def _short_path(text: str) -> str:
    home = str(Path.home())
    if home != "/" and (text == home or text.startswith(home + "/")):
        return "~" + text[len(home) :]
    return text


def _short_url(url: str) -> str:
    return url.split("://", 1)[-1]


def where(choice: KernelChoice) -> str:
    """Where a choice lives, as a row shows it: backend, language, place and state."""
    parts: list[str] = [choice.backend]
    if choice.language:
        parts.append(choice.language)
    if choice.backend == "server":
        if choice.kind in ("session", "running"):
            parts.append("attach")
            state = str(choice.details.get("state") or "")
            if state:
                parts.append(state)
            when = activity(str(choice.details.get("last_activity") or ""))
            if when:
                parts.append(when)
        parts.append(_short_url(choice.location))
    else:
        if choice.kind in ("running", "existing"):
            parts.append("attach")
        parts.append(_short_path(choice.location))
    return " · ".join(parts)


def _wrapped(text: str, style: str, width: int, indent: int) -> list[Content]:
    """``text`` as whole lines: reasons, fixes and errors must be read (and copied) in full."""
    pad = " " * indent
    lines = textwrap.wrap(
        text, max(20, width - indent), break_long_words=True, break_on_hyphens=False
    )
    return [Content.assemble(pad, (line, style)) for line in lines or [""]]


def _choice_prompt(choice: KernelChoice, width: int) -> Content:
    if choice.available:
        return Content.assemble(
            "  ", (choice.display_name, "bold"), "  ", (where(choice), "$text-muted")
        )
    first = Content.assemble("  ", (choice.display_name, "$text-disabled"))
    lines = [first, *_wrapped(f"✗ {choice.reason or 'not available'}", "$text-warning", width, 4)]
    if choice.fix:
        lines += _wrapped(f"fix: {choice.fix}", "$text-muted", width, 4)
    return Content("\n").join(lines)


def _matches(words: list[str], *texts: str) -> bool:
    haystack = " ".join(texts).casefold()
    return all(word in haystack for word in words)


class PickerList(OptionList):
    """The picker's rows; printable keys go to the filter box."""


class KernelPickerScreen(ModalScreen[PickedKernel | None]):
    """Choose a kernel from this computer or any Jupyter server; esc cancels (None).

    Each provider loads on its own worker: a slow or dead server shows "connecting…" and then
    its error while the other groups are usable. Servers added from the dialog are appended to
    ``entries`` (the list given, when it is one), so the caller can close them later.
    """

    # Absolute, so that subclasses defined in other folders (tests) find it.
    CSS_PATH = Path(__file__).with_name("kernel_picker.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel"),
        Binding("slash", "filter", "filter", show=False),
        Binding("ctrl+r", "reload", "reload", show=False),
        # While the filter box has focus these move the list (it has no use for them).
        Binding("up", "move('cursor_up')", show=False),
        Binding("down", "move('cursor_down')", show=False),
        Binding("pageup", "move('page_up')", show=False),
        Binding("pagedown", "move('page_down')", show=False),
    ]

    def __init__(
        self,
        providers: Sequence[ProviderEntry | KernelProvider],
        *,
        preferred: dict[str, Any] | None = None,
        notebook_path: Path | None = None,
        note: str = "",
    ) -> None:
        super().__init__()
        self.note = note  # why the picker opened, shown above the list
        if isinstance(providers, list) and all(isinstance(p, ProviderEntry) for p in providers):
            self.entries: list[ProviderEntry] = providers
        else:
            self.entries = [_as_entry(p) for p in providers]
        self.preferred = dict(preferred or {})
        self.notebook_path = notebook_path
        self._sources = [_Source(entry) for entry in self.entries]
        self._filter_words: list[str] = []
        self._auto_highlight: str | None = None
        self._user_moved = False
        self._user_row: str | None = None  # the row the user last moved to, if any
        self._focus_source: int | None = None
        self._message = ""

    # ----------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        """Filter box, a message line, the rows, the highlighted row's details."""
        with Vertical(id="picker-panel") as panel:
            name = self.notebook_path.name if self.notebook_path else "this notebook"
            panel.border_title = f"Choose a kernel for {name}"
            panel.border_subtitle = "enter choose · / filter · ctrl+r reload · esc cancel"
            yield Input(
                placeholder="type to filter (name, language, raw/server, place)",
                select_on_focus=False,
                id="picker-filter",
            )
            yield Static("", id="picker-message")
            yield PickerList(id="picker-list")
            yield Static("", id="picker-details")

    @property
    def option_list(self) -> OptionList:
        """The rows."""
        return self.query_one("#picker-list", OptionList)

    @property
    def filter_input(self) -> Input:
        """The filter box."""
        return self.query_one("#picker-filter", Input)

    @property
    def listing(self) -> bool:
        """True while any provider is still being listed (a server still connecting)."""
        return any(source.state == "connecting" for source in self._sources)

    @property
    def message(self) -> str:
        """The message line's text (the missing-kernel notice)."""
        return self._message

    def on_mount(self) -> None:
        """Show every group as connecting, then load each provider on its own worker."""
        self._set_message("")
        self._rebuild()
        self.option_list.focus()
        for source in self._sources:
            self._load(source)

    def on_resize(self, event: events.Resize) -> None:
        """Wrapped rows (reasons, fixes, errors) follow the width."""
        self.call_after_refresh(self._rebuild)

    def _load(self, source: _Source) -> None:
        source.state, source.error, source.needs_token = "connecting", "", False
        source.stopped_hub, source.progress = False, ""
        self.run_worker(self._list(source), group="providers", exit_on_error=False)

    async def _list(self, source: _Source) -> None:
        from tnb.kernels.server.provider import HubServerStoppedError
        from tnb.kernels.server.rest import ServerAuthError

        try:
            choices = await source.entry.list_choices()
        except KernelConnectionError as exc:
            source.state, source.error = "error", str(exc)
            source.needs_token = isinstance(exc, ServerAuthError)
            source.stopped_hub = isinstance(exc, HubServerStoppedError)
        except Exception as exc:  # a provider bug must not take the picker down
            source.state, source.error = "error", f"{type(exc).__name__}: {exc}"
        else:
            source.state, source.choices = "ready", choices
        if not self.is_attached:
            return
        self._rebuild()
        self._apply_preferred()
        self._focus_added(source)

    # ----------------------------------------------------------------- rows

    def _options(self) -> list[Option]:
        words = self._filter_words
        width = self.option_list.scrollable_content_region.width or 76
        options: list[Option] = []
        for index, source in enumerate(self._sources):
            options += self._source_options(index, source, words, width)
        if words and not any(o.id and o.id.startswith("c:") for o in options):
            shown = " ".join(words)
            options.append(_note(f"no kernel matches {shown!r}", "none"))
        add = Content.assemble(("＋ Add a Jupyter server…", "$text-accent"))
        options.append(Option(add, id=ADD_SERVER))
        return options

    def _source_options(
        self, index: int, source: _Source, words: list[str], width: int
    ) -> list[Option]:
        """One provider's rows: its groups, or "connecting…", or its error."""
        entry = source.entry
        local = entry.backend == "raw"
        if source.state == "connecting":
            text = "looking for kernels…" if local else source.progress or "connecting…"
            return [_heading(entry.label, f"h:{index}"), _note(text, f"w:{index}")]
        if source.state == "error":
            lines = _wrapped(f"✗ {source.error}", "$text-error", width, 2)
            lines.append(Content.assemble("  ", (_error_hint(source), "$text-muted")))
            error = Option(Content("\n").join(lines), id=f"e:{index}")
            return [_heading(entry.label, f"h:{index}"), error]
        options: list[Option] = []
        for title, kinds in _LOCAL_GROUPS if local else _SERVER_GROUPS:
            heading = title if local else f"{entry.label} · {title}"
            rows = [
                c
                for c in source.choices
                if c.kind in kinds
                and _matches(
                    words, c.display_name, c.name, c.language, c.backend, c.location, heading
                )
            ]
            if rows:
                options.append(_heading(heading, f"h:{index}:{title}"))
                options += [Option(_choice_prompt(c, width), id=f"c:{index}:{c.key}") for c in rows]
        if not options and not words:
            return [_heading(entry.label, f"h:{index}"), _note("no kernels here", f"w:{index}")]
        return options

    def _rebuild(self, *, first: bool = False) -> None:
        """Rebuild the rows, keeping the highlighted one (``first``: the first match instead)."""
        option_list = self.option_list
        current = option_list.highlighted_option
        wanted = current.id if current is not None and not first else None
        if wanted == ADD_SERVER and self._user_row != ADD_SERVER:
            # Only highlighted because nothing else was listed yet (typing a filter while the
            # kernels load must not leave enter on "Add a server" once they arrive).
            wanted = None
        options = self._options()
        option_list.set_options(options)
        index = next((i for i, o in enumerate(options) if o.id == wanted and not o.disabled), None)
        if index is None:
            index = self._first_choice(options)
        self._highlight(index)

    def _first_choice(self, options: list[Option]) -> int:
        """The first usable kernel, else the first row that can be highlighted."""
        for i, option in enumerate(options):
            found = self._lookup(option.id)
            if found is not None and found[1] is not None and found[1].available:
                return i
        enabled = [i for i, o in enumerate(options) if not o.disabled and o.id != ADD_SERVER]
        return enabled[0] if enabled else len(options) - 1

    def _highlight(self, index: int) -> None:
        option_list = self.option_list
        self._auto_highlight = option_list.get_option_at_index(index).id
        option_list.highlighted = index
        self._show_details()

    def _select_id(self, option_id: str) -> None:
        try:
            index = self.option_list.get_option_index(option_id)
        except Exception:  # filtered out: leave the highlight alone
            return
        self._highlight(index)

    def _lookup(self, option_id: str | None) -> tuple[_Source, KernelChoice | None] | None:
        if not option_id or option_id[:2] not in ("c:", "e:"):
            return None
        _, index, *rest = option_id.split(":", 2)
        source = self._sources[int(index)]
        if not rest:
            return source, None
        key = rest[0]
        return source, next((c for c in source.choices if c.key == key), None)

    def _show_details(self) -> None:
        option = self.option_list.highlighted_option
        details = self.query_one("#picker-details", Static)
        found = self._lookup(option.id if option else None)
        if option is not None and option.id == ADD_SERVER:
            details.update(
                "Connect to a Jupyter server by its URL (as it printed it), token asked separately."
            )
            return
        if found is None:
            details.update("")
            return
        source, choice = found
        if choice is None:
            details.update(
                Content.assemble((source.error, "$text-error"), f"\n{_error_hint(source)}")
            )
            return
        lines = [
            Content.assemble(
                (choice.display_name, "bold"),
                "  ",
                (f"{choice.backend} · {choice.kind} · {choice.name}", "$text-muted"),
            )
        ]
        lines.append(Content(choice.location))
        path = choice.details.get("path")
        state = choice.details.get("state")
        if path or state:
            when = activity(str(choice.details.get("last_activity") or ""))
            parts = [f"notebook {path}" if path else "", str(state or ""), when]
            lines.append(Content(" · ".join(p for p in parts if p)))
        if not choice.available:
            lines.append(Content.assemble(("not usable: ", "$text-warning"), choice.reason))
            if choice.fix:
                lines.append(Content.assemble(("fix: ", "$text-muted"), choice.fix))
        details.update(Content("\n").join(lines))

    # ----------------------------------------------------------------- preferred kernel

    def _loaded(self) -> list[tuple[int, KernelChoice]]:
        return [
            (index, choice)
            for index, source in enumerate(self._sources)
            if source.state == "ready"
            for choice in source.choices
        ]

    def _apply_preferred(self) -> None:
        """Say whether the notebook's kernel exists; select it or the closest match, unless
        the user has moved already."""
        name = str(self.preferred.get("name") or "")
        language = str(self.preferred.get("language") or "")
        loaded = self._loaded()
        exact = (
            next(
                (
                    (i, c)
                    for i, c in loaded
                    if c.available and c.name == name and c.kind in ("spec", "environment")
                ),
                None,
            )
            if name
            else None
        )
        if exact is not None:
            self._set_message("")
            if not self._user_moved:
                self._select_id(f"c:{exact[0]}:{exact[1].key}")
            return
        closest: tuple[int, KernelChoice] | None = None
        if language:
            try:
                picked = select_choice([c for _, c in loaded], language=language)
            except NoSuchKernelError:
                picked = None
            closest = next(((i, c) for i, c in loaded if c is picked), None)
        if name:
            shown = str(self.preferred.get("display_name") or name)
            text = f"This notebook's kernel {shown!r} ({name}) is not available here"
            pending = sum(1 for s in self._sources if s.state == "connecting")
            if pending:
                text += f" (still looking on {pending} more source{'s' if pending > 1 else ''})"
            if closest is not None:
                text += f". Closest match ({language}): {closest[1].display_name}."
            elif language:
                text += f". No {language} kernel found: pick another or install one."
            else:
                text += "."
            self._set_message(text)
        if closest is not None and not self._user_moved:
            self._select_id(f"c:{closest[0]}:{closest[1].key}")

    def _set_message(self, text: str) -> None:
        self._message = text
        shown = "\n".join(t for t in (self.note, text) if t)
        line = self.query_one("#picker-message", Static)
        line.update(Content(shown))
        line.display = bool(shown)

    def _focus_added(self, source: _Source) -> None:
        if self._focus_source is None or self._sources[self._focus_source] is not source:
            return
        self._focus_source = None
        index = self._sources.index(source)
        first = next((c for c in source.choices if c.available), None)
        if first is not None:
            self._select_id(f"c:{index}:{first.key}")
        else:
            self._select_id(f"e:{index}")

    # ----------------------------------------------------------------- events and actions

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """A highlight we did not set means the user moved: keep it from then on."""
        if event.option.id != self._auto_highlight:
            self._user_moved = True
            self._auto_highlight = self._user_row = event.option.id
        self._show_details()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter or a click on a row."""
        event.stop()
        self._choose(event.option.id)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter the rows as the user types."""
        self._filter_words = event.value.casefold().split()
        self._user_moved = True
        self._rebuild(first=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter box chooses the highlighted row."""
        event.stop()
        option = self.option_list.highlighted_option
        if option is not None:
            self._choose(option.id)

    def on_key(self, event: events.Key) -> None:
        """Typing on the list starts filtering."""
        character = event.character
        # "/" is left to its binding: it only moves the cursor to the filter box.
        if self.focused is self.option_list and event.is_printable and character not in (None, "/"):
            event.stop()
            box = self.filter_input
            box.focus()
            box.insert_text_at_cursor(character)

    def action_move(self, action: str) -> None:
        """Move the list's highlight (used while the filter box has focus)."""
        getattr(self.option_list, f"action_{action}")()

    def action_filter(self) -> None:
        """Put the cursor in the filter box."""
        self.filter_input.focus()

    def action_cancel(self) -> None:
        """esc: clear the filter first, then close without a choice."""
        box = self.filter_input
        if box.value:
            box.value = ""
            self.option_list.focus()
        elif self.focused is box:
            self.option_list.focus()
        else:
            self.dismiss(None)

    def action_reload(self) -> None:
        """List every provider again (a server may have come up)."""
        for source in self._sources:
            if source.state != "connecting":
                self._load(source)
        self._rebuild()

    def _choose(self, option_id: str | None) -> None:
        if option_id == ADD_SERVER:
            self._add_server()
            return
        found = self._lookup(option_id)
        if found is None:
            return
        source, choice = found
        if choice is None:  # an error row: ask for a token, or try that source again
            if source.needs_token:
                self._add_server(source.entry.url)
                return
            if source.stopped_hub:
                source.entry.hub_policy = self._hub_start(source)
            self._load(source)
            self._rebuild()
            return
        if not choice.available and choice.details.get("installable"):
            self._offer_install(source, choice)
            return
        if not choice.available:
            fix = f" Fix: {choice.fix}" if choice.fix else ""
            self.notify(
                f"{choice.reason}.{fix}", title="Not usable", severity="warning", timeout=10
            )
            return
        provider = source.entry.opened
        if provider is None:  # only ready sources have rows, and they are open
            return
        self.dismiss(PickedKernel(provider, choice))

    def _offer_install(self, source: _Source, choice: KernelChoice) -> None:
        """An environment without ipykernel: ask to install it, then start the kernel there."""
        from tnb.ui.screens.install_kernel import InstallKernelScreen

        prefix = Path(choice.name.removeprefix("env:"))

        def installed(ok: bool | None) -> None:
            provider = source.entry.opened
            if not ok or provider is None:
                return
            usable = replace(
                choice,
                available=True,
                reason="",
                fix="",
                details=choice.details | {"installable": False},
            )
            self.dismiss(PickedKernel(provider, usable))

        self.app.push_screen(InstallKernelScreen(prefix, choice.display_name), installed)

    def _hub_start(self, source: _Source) -> Any:
        """Start the hub server (the user asked with enter), its progress in the source's row."""
        from tnb.kernels.server.provider import HubServer, HubStartPolicy, SpawnProgress

        async def agreed(server: HubServer) -> bool:
            source.progress = f"starting {server.label} on the hub…"
            self._rebuild()
            return True

        def progress(event: SpawnProgress) -> None:
            source.progress = f"starting the server on the hub: {event}"
            if self.is_attached:
                self._rebuild()

        return HubStartPolicy(confirm=agreed, progress=progress)

    def _add_server(self, url: str = "") -> None:
        from tnb.ui.screens.server_dialog import AddedServer, ServerDialog

        def added(result: AddedServer | None) -> None:
            if result is None:
                return
            entry = connected_server_entry(result.provider)
            index = next((i for i, s in enumerate(self._sources) if s.entry.url == entry.url), None)
            if index is None:
                self.entries.append(entry)
                self._sources.append(_Source(entry))
                index = len(self._sources) - 1
            else:
                old = self._sources[index].entry
                self.run_worker(old.close(), exit_on_error=False)
                if old in self.entries:
                    self.entries[self.entries.index(old)] = entry
                self._sources[index].entry = entry
            self._focus_source = index
            self._user_moved = True
            self._load(self._sources[index])
            self._rebuild()

        self.app.push_screen(ServerDialog(url), added)


def _error_hint(source: _Source) -> str:
    if source.stopped_hub:
        return "enter: start the server on the hub"
    return "enter: type its token" if source.needs_token else "enter tries again"


def _note(text: str, option_id: str) -> Option:
    """A row that says something and cannot be chosen."""
    content = Content.assemble("  ", (text, "$text-muted italic"))
    return Option(content, id=option_id, disabled=True)


def _heading(text: str, option_id: str) -> Option:
    return Option(Content.assemble((text, "bold $text-primary")), id=option_id, disabled=True)


def _as_entry(provider: ProviderEntry | KernelProvider) -> ProviderEntry:
    if isinstance(provider, ProviderEntry):
        return provider
    if provider.url:
        return connected_server_entry(provider)
    return ProviderEntry("This computer", "raw", provider=provider)
