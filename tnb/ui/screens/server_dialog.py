""" "Add a Jupyter server…": a pasted URL, a masked token, checked against the server's API."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from tnb.kernels.protocol import KernelConnectionError
from tnb.kernels.server.provider import ServerAuthError, ServerProvider, open_server_provider
from tnb.kernels.server.store import remember_server, store_path
from tnb.kernels.server.url import ServerURLError, parse_server_url


@dataclass(frozen=True)
class AddedServer:
    """A server that answered with a Jupyter API and accepted the token."""

    provider: ServerProvider
    url: str  # the base URL, without the token


def explain(error: Exception, *, token_given: bool) -> str:
    """What went wrong, said so that the user knows what to change."""
    if isinstance(error, ServerAuthError):
        if token_given:
            return f"The server refused this token. {error}"
        return f"The server needs a token: paste it in the token field. {error}"
    return str(error)


class ServerDialog(ModalScreen[AddedServer | None]):
    """Asks for a server URL and token, checks them, remembers the server; esc cancels."""

    # Absolute, so that subclasses defined in other folders (tests) find it.
    CSS_PATH = Path(__file__).with_name("server_dialog.tcss")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "cancel"),
    ]

    def __init__(self, url: str = "") -> None:
        super().__init__()
        self.initial_url = url
        self.checking = False

    def compose(self) -> ComposeResult:
        """URL, token (masked), remember-token box, status line, buttons."""
        with Vertical(classes="server-dialog") as panel:
            panel.border_title = "Add a Jupyter server"
            yield Label("Server URL (paste what the server printed):")
            yield Input(
                self.initial_url,
                placeholder="http://host:8888/lab?token=…  or  https://hub/user/NAME/",
                id="server-url",
                compact=True,
            )
            yield Label("Token (if not in the URL; hidden):")
            yield Input(placeholder="token", password=True, id="server-token", compact=True)
            yield Checkbox(
                f"Remember the token (in {_short(store_path())}, mode 0600)",
                id="server-remember-token",
            )
            yield Static("", id="server-status")
            with Horizontal(classes="buttons"):
                yield Button("Connect \\[enter]", id="connect", variant="primary")
                yield Button("Cancel \\[esc]", id="cancel")

    def on_mount(self) -> None:
        """Start in the URL field, or in the token field when the URL is known already."""
        self.query_one("#server-token" if self.initial_url else "#server-url", Input).focus()

    @property
    def status(self) -> str:
        """The status line's plain text (for tests)."""
        return str(self.query_one("#server-status", Static).content)

    def _say(self, text: str, style: str = "") -> None:
        status = self.query_one("#server-status", Static)
        status.update(Content.assemble((text, style)) if style else Content(text))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the URL field moves to the token; enter in the token field connects."""
        event.stop()
        if event.input.id == "server-url" and not self.query_one("#server-token", Input).value:
            try:
                has_token = parse_server_url(event.value).token is not None
            except ServerURLError:
                has_token = False
            if not has_token:
                self.query_one("#server-token", Input).focus()
                return
        self.action_connect()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Connect or cancel."""
        event.stop()
        if event.button.id == "connect":
            self.action_connect()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        """Close without adding a server."""
        self.dismiss(None)

    def action_connect(self) -> None:
        """Check the URL locally, then ask the server (on a worker)."""
        if self.checking:
            return
        url = self.query_one("#server-url", Input).value.strip()
        token = self.query_one("#server-token", Input).value.strip() or None
        try:
            address = parse_server_url(url)
        except ServerURLError as exc:
            self._say(f"Not a server URL: {exc}", "$text-error")
            self.query_one("#server-url", Input).focus()
            return
        self.checking = True
        self._say(f"Checking {address.base_url}api …", "$text-muted")
        keep = self.query_one("#server-remember-token", Checkbox).value
        self.run_worker(self._check(url, token, keep), exclusive=True, exit_on_error=False)

    async def _check(self, url: str, token: str | None, keep_token: bool) -> None:
        given = token or parse_server_url(url).token
        try:
            provider = await open_server_provider(url, token=token, prompt_token=None)
        except KernelConnectionError as exc:
            self.checking = False
            self._say(explain(exc, token_given=given is not None), "$text-error")
            focus = "#server-token" if isinstance(exc, ServerAuthError) else "#server-url"
            self.query_one(focus, Input).focus()
            return
        self.checking = False
        try:
            remember_server(url, token=given if keep_token else None)
        except OSError as exc:
            self.notify(f"Connected, but not remembered: {exc}", severity="warning")
        self.dismiss(AddedServer(provider, provider.base_url))


def _short(path: Path) -> str:
    home = str(Path.home())
    text = str(path)
    return "~" + text[len(home) :] if home != "/" and text.startswith(home + "/") else text
