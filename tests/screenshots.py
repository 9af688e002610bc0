"""`python -m tests.screenshots FOLDER`: drive tnb headless through a few scenes and save SVGs."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tnb.kernels.protocol import (
    KernelBackend,
    KernelChoice,
    KernelConnectionError,
    KernelProvider,
    KernelStartError,
)
from tnb.notebook.io import load_notebook
from tnb.session.sources import ProviderEntry
from tnb.ui.app import TnbApp

TOUR = Path(__file__).resolve().parent.parent / "examples" / "tour.ipynb"
READING = TOUR.with_name("reading.ipynb")
WIDGETS = TOUR.with_name("widgets.ipynb")
SIZE = (110, 36)

Scene = Callable[[Pilot[int]], Awaitable[None]]


# ---------------------------------------------------------------- fixed kernels for pictures


class StaticProvider:
    """A provider with a fixed list that starts nothing: for screenshots and snapshot tests."""

    def __init__(self, name: str, choices: Sequence[KernelChoice]) -> None:
        self.name = name
        self._choices = list(choices)

    async def list_choices(self) -> list[KernelChoice]:
        """The fixed list."""
        return list(self._choices)

    @property
    def url(self) -> str:
        """ "": sample kernels live nowhere."""
        return ""

    async def start(self, choice: KernelChoice, *, notebook: Path | None = None) -> KernelBackend:
        """Always refuses: this provider only shows how a list looks."""
        raise KernelStartError(choice.display_name, "a sample kernel cannot start")

    async def close(self) -> None:
        """Nothing to release."""


def _raw(
    kind: Any, name: str, display: str, language: str, location: str, **kw: Any
) -> KernelChoice:
    return KernelChoice(
        key=f"{kind}:{name}",
        backend="raw",
        kind=kind,
        name=name,
        display_name=display,
        language=language,
        location=location,
        **kw,
    )


SAMPLE_SERVER = "http://127.0.0.1:8888/"


def sample_local_choices() -> list[KernelChoice]:
    """What a typical machine offers: two kernelspecs, environments, a running kernel."""
    share = "/usr/local/share/jupyter/kernels"
    return [
        _raw("spec", "bash", "Bash", "bash", f"{share}/bash"),
        _raw("spec", "python3", "Python 3 (ipykernel)", "python", "/usr/bin/python3"),
        _raw(
            "environment",
            "env:/home/ada/project/.venv",
            "Python 3.12 (.venv in /home/ada/project)",
            "python",
            "/home/ada/project/.venv/bin/python",
            details={"near_notebook": True},
        ),
        _raw(
            "environment",
            "env:/opt/conda",
            "Python 3.11 ($CONDA_PREFIX)",
            "python",
            "/opt/conda/bin/python",
            available=False,
            reason="ipykernel is not installed in /opt/conda",
            fix="/opt/conda/bin/python -m pip install ipykernel",
        ),
        _raw(
            "running",
            "kernel-4f1c",
            "running kernel kernel-4f1c (python3)",
            "",
            "/run/user/1000/jupyter/kernel-4f1c.json",
        ),
    ]


SAMPLE_NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def sample_server_choices(
    base: str = SAMPLE_SERVER, *, now: datetime = SAMPLE_NOW
) -> list[KernelChoice]:
    """A server with two kernelspecs, a notebook session and a bare running kernel; their
    last activity is 5 min and 30 s before ``now``."""

    def server(kind: Any, name: str, display: str, language: str, **details: Any) -> KernelChoice:
        return KernelChoice(
            key=f"server:{base}:{kind}:{name}",
            backend="server",
            kind=kind,
            name=name,
            display_name=display,
            language=language,
            location=base,
            details=details,
        )

    return [
        server("spec", "python3", "Python 3 (ipykernel)", "python"),
        server("spec", "ir", "R", "R"),
        server(
            "session",
            "0b7e1c2d-aaaa-4bbb-8ccc-123456789abc",
            "Python 3 (ipykernel) · analysis/model.ipynb",
            "python",
            kernel_id="0b7e1c2d-aaaa-4bbb-8ccc-123456789abc",
            path="analysis/model.ipynb",
            state="idle",
            last_activity=(now - timedelta(minutes=5)).isoformat(),
        ),
        server(
            "running",
            "9d3f0a11-bbbb-4ccc-8ddd-abcdefabcdef",
            "Python 3 (ipykernel) · running 9d3f0a11",
            "python",
            kernel_id="9d3f0a11-bbbb-4ccc-8ddd-abcdefabcdef",
            state="busy",
            last_activity=(now - timedelta(seconds=30)).isoformat(),
        ),
    ]


def sample_providers(
    *, server: bool = True, server_error: str = "", now: datetime = SAMPLE_NOW
) -> list[ProviderEntry]:
    """Fixed entries: this computer, and a server that lists or fails with ``server_error``."""
    entries = [
        ProviderEntry(
            "This computer", "raw", provider=StaticProvider("local", sample_local_choices())
        )
    ]
    if server or server_error:

        async def open_sample() -> KernelProvider:
            if server_error:
                raise KernelConnectionError(server_error)
            return StaticProvider(f"Jupyter server {SAMPLE_SERVER}", sample_server_choices(now=now))

        entries.append(
            ProviderEntry(
                f"Jupyter server {SAMPLE_SERVER}", "server", opener=open_sample, url=SAMPLE_SERVER
            )
        )
    return entries


# ---------------------------------------------------------------- scenes


async def _command_mode(pilot: Pilot[int]) -> None:
    await pilot.press("j", "j")


async def _edit_mode(pilot: Pilot[int]) -> None:
    await pilot.press("G", "enter", "down", "end")


async def _outputs(pilot: Pilot[int]) -> None:
    for _ in range(6):
        await pilot.press("j")


async def _picture(pilot: Pilot[int]) -> None:
    for _ in range(9):
        await pilot.press("j")


async def _find(pilot: Pilot[int]) -> None:
    await pilot.press("slash", *"hello")
    await pilot.press("enter")


async def _help(pilot: Pilot[int]) -> None:
    await pilot.press("question_mark")


async def _light(pilot: Pilot[int]) -> None:
    pilot.app.theme = "textual-light"
    await pilot.pause()
    await pilot.press("j", "j", "J")


async def _small(pilot: Pilot[int]) -> None:
    await pilot.press("j", "j")


async def _kernel_picker(pilot: Pilot[int]) -> None:
    from datetime import UTC, datetime

    from tnb.ui.screens.kernel_picker import KernelPickerScreen

    # Fixed sample kernels: the picture must not show the machine that took it.
    preferred = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    screen = KernelPickerScreen(
        sample_providers(now=datetime.now(UTC)), preferred=preferred, notebook_path=TOUR
    )
    pilot.app.push_screen(screen)
    for _ in range(200):
        await pilot.pause(0.05)
        if screen.is_attached and not screen.listing:
            break


async def _running(pilot: Pilot[int]) -> None:
    from tnb.ui.screens.stdin_prompt import StdinPromptScreen

    # What a run looks like, drawn without a kernel so the picture is the same every time.
    app = pilot.app
    assert isinstance(app, TnbApp)
    screen = app.notebook_screen
    assert screen is not None
    await pilot.press("j", "j")
    cells = app.notebook.cells
    cell, queued = cells[screen.view.cursor], cells[screen.view.cursor + 1]
    marks = {id(cell): "12s", id(queued): "*"}  # what a kernel session would say
    screen.view.run_mark = lambda shown: marks.get(id(shown))
    screen.view.runs_changed([cell, queued])
    screen.set_kernel_label("Python 3 (ipykernel) · raw · busy 12s · 1 queued")
    app.push_screen(StdinPromptScreen("Your name? "))
    await pilot.pause()
    await pilot.press(*"Ada")


async def _completion(pilot: Pilot[int]) -> None:
    from tnb.ui.screens.completion import CompletionScreen

    await pilot.press("G", "enter", "ctrl+a")
    await pilot.press(*"import o")
    app = pilot.app
    screen = app.screen
    x, y = screen.focused.cursor_screen_offset if screen.focused is not None else (0, 0)  # type: ignore[attr-defined]
    matches = ["opcode", "operator", "optparse", "os", "ossaudiodev"]
    app.push_screen(CompletionScreen(matches, at=(x, y)))
    await pilot.pause()
    await pilot.press("down", "down", "down")


async def _widgets(pilot: Pilot[int]) -> None:
    await pilot.press("j", "j")


async def _reading(pilot: Pilot[int]) -> None:
    await pilot.pause()


async def _contents(pilot: Pilot[int]) -> None:
    await pilot.press("j", "j", "j", "left", "T")


async def _replace(pilot: Pilot[int]) -> None:
    await pilot.press("G", "ctrl+backslash", *"learning_rate", "f3", "tab", *"lr")


SCENES: list[tuple[str, Scene, tuple[int, int]]] = [
    ("command-mode", _command_mode, SIZE),
    ("edit-mode", _edit_mode, SIZE),
    ("outputs", _outputs, SIZE),
    ("picture", _picture, SIZE),
    ("find", _find, SIZE),
    ("help", _help, SIZE),
    ("light-theme", _light, SIZE),
    ("80x24", _small, (80, 24)),
    ("kernel-picker", _kernel_picker, SIZE),
    ("running", _running, SIZE),
    ("completion", _completion, SIZE),
]
# Scenes of examples/reading.ipynb: math, HTML, a scrolled output, headings, replace.
READING_SCENES: list[tuple[str, Scene, tuple[int, int]]] = [
    ("math-and-html", _reading, (110, 44)),
    ("contents", _contents, SIZE),
    ("find-replace", _replace, SIZE),
]


async def shoot(folder: Path) -> list[Path]:
    """Save one SVG per scene into ``folder``."""
    saved: list[Path] = []
    scenes = [(TOUR, *scene) for scene in SCENES] + [(READING, *scene) for scene in READING_SCENES]
    # examples/widgets.ipynb with the widget state `tnb run` saved: drawn without a kernel.
    scenes.append((WIDGETS, "widgets", _widgets, (110, 40)))
    for notebook, name, scene, size in scenes:
        app = TnbApp(load_notebook(notebook))
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scene(pilot)
            await pilot.pause()
            app.save_screenshot(f"{name}.svg", str(folder))
        saved.append(folder / f"{name}.svg")
    return saved


async def shoot_server_browser(folder: Path) -> Path:
    """The file browser of a real jupyter_server whose root holds the examples."""
    import shutil
    import tempfile

    from tests.fixtures.jupyter_server import start_jupyter_server
    from tnb.notebook.model import Notebook
    from tnb.session.launch import LaunchOptions
    from tnb.ui.screens.server_browser import ServerBrowserScreen

    work = Path(tempfile.mkdtemp(prefix="tnb-shots-"))
    root = work / "root"
    shutil.copytree(TOUR.parent, root / "examples")
    (root / "data").mkdir()
    (root / "data" / "runs.csv").write_text("run,loss\n1,0.3\n", encoding="utf-8")
    shutil.copy(TOUR, root / "analysis.ipynb")
    server = start_jupyter_server(work)
    try:
        options = LaunchOptions(server=server.url, token=server.token)
        app = TnbApp(Notebook.new(), kernel_args=options, browse="")
        async with app.run_test(size=SIZE) as pilot:
            while not (isinstance(app.screen, ServerBrowserScreen) and app.screen.entries):
                await pilot.pause(0.05)
            await pilot.press("down", "down")
            await pilot.pause()
            app.save_screenshot("server-browser.svg", str(folder))
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    return folder / "server-browser.svg"


def main(argv: list[str]) -> int:
    """Entry point: the folder is the only argument."""
    folder = Path(argv[0]) if argv else Path("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    for path in asyncio.run(shoot(folder)):
        print(path)
    print(asyncio.run(shoot_server_browser(folder)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
