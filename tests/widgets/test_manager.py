"""The widget manager against real ipywidgets and tqdm, on a raw and a server kernel."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from tests.fixtures.backends import BACKENDS
from tests.fixtures.kernelspecs import KernelSpecs
from tests.fixtures.waiting import until
from tnb.kernels.events import DisplayData, ExecuteReply, ExecuteResult, KernelEvent, Stream
from tnb.kernels.protocol import KernelBackend
from tnb.notebook.model import Notebook
from tnb.session.widgets import STATE_MIME, VIEW_MIME, WidgetManager, WidgetModel

GUARD = 60.0


@pytest.fixture(params=["raw-ipc", "server"])
async def kernel(
    request: pytest.FixtureRequest, kernelspecs: KernelSpecs
) -> AsyncIterator[KernelBackend]:
    async with BACKENDS[request.param].open(request, kernelspecs.python) as backend:
        yield backend


async def run(backend: KernelBackend, code: str) -> list[KernelEvent]:
    async def collect() -> list[KernelEvent]:
        return [event async for event in backend.execute(code)]

    events = await asyncio.wait_for(collect(), GUARD)
    assert isinstance(events[-1], ExecuteReply) and events[-1].status == "ok", events
    return events


def stdout(events: list[KernelEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, Stream))


def named(manager: WidgetManager, name: str) -> list[WidgetModel]:
    return [m for m in manager.models.values() if m.model_name == name]


def view_of(events: list[KernelEvent]) -> str:
    """The model id of the widget the cell displayed."""
    shown = [
        e for e in events if isinstance(e, DisplayData | ExecuteResult) and VIEW_MIME in e.data
    ]
    assert shown, events
    return str(shown[-1].data[VIEW_MIME]["model_id"])


async def test_a_slider_both_ways(kernel: KernelBackend) -> None:
    changed: set[str] = set()
    manager = WidgetManager(on_change=changed.update)
    manager.attach(kernel)
    events = await run(
        kernel,
        "import ipywidgets as w\n"
        "seen = []\n"
        "s = w.IntSlider(value=3, min=0, max=10, description='n')\n"
        "s.observe(lambda change: seen.append(change['new']), 'value')\n"
        "s",
    )
    slider = manager.models[view_of(events)]
    assert slider.model_name == "IntSliderModel" and slider.state["value"] == 3
    assert slider.live and slider.ref("layout") in manager.models

    changed.clear()
    await run(kernel, "s.value = 7")
    await until(lambda: slider.state["value"] == 7)
    assert slider.model_id in changed

    manager.set_state(slider.model_id, {"value": 9})
    assert slider.state["value"] == 9
    async with asyncio.timeout(GUARD):
        while "[9]" not in stdout(await run(kernel, "print(seen[-1:])")):  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    assert stdout(await run(kernel, "print(s.value)")) == "9\n"
    assert slider.state["value"] == 9  # its echo changed nothing


async def test_a_button_prints_into_an_output_widget(kernel: KernelBackend) -> None:
    manager = WidgetManager()
    manager.attach(kernel)
    events = await run(
        kernel,
        "import ipywidgets as w\n"
        "out = w.Output()\n"
        "b = w.Button(description='go')\n"
        "def clicked(_):\n"
        "    with out:\n"
        "        print('clicked')\n"
        "b.on_click(clicked)\n"
        "w.VBox([b, out])",
    )
    box = manager.models[view_of(events)]
    button_id, out_id = (ref.removeprefix("IPY_MODEL_") for ref in box.state["children"])
    manager.click(button_id)
    out = manager.models[out_id]
    await until(lambda: out.state.get("outputs"))
    assert out.state["outputs"][0]["text"] == "clicked\n"
    # JupyterLab's output model sends what it captured back to the kernel, and so do we.
    async with asyncio.timeout(GUARD):
        while "clicked" not in stdout(await run(kernel, "print(out.outputs)")):  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def test_output_widget_captures_a_cells_prints(kernel: KernelBackend) -> None:
    manager = WidgetManager()
    manager.attach(kernel)
    events = await run(
        kernel,
        "import ipywidgets as w\nfrom IPython.display import display\n"
        "out = w.Output()\ndisplay(out)\nwith out:\n    print('inside')\nprint('outside')",
    )
    assert stdout(events) == "outside\n"  # the cell keeps only what the widget did not take
    out = manager.models[view_of(events)]
    await until(lambda: out.state.get("outputs"))
    assert [o.get("text") for o in out.state["outputs"]] == ["inside\n"]


async def test_tqdm_auto_ends_at_100_percent(kernel: KernelBackend) -> None:
    manager = WidgetManager()
    manager.attach(kernel)
    events = await run(kernel, "from tqdm.auto import tqdm\nfor i in tqdm(range(2000)):\n    pass")
    assert not any("HBox(children" in stdout([e]) for e in events)
    [bar] = named(manager, "FloatProgressModel")
    assert bar.state["value"] == bar.state["max"] == 2000
    texts = [m.state.get("value", "") for m in named(manager, "HTMLModel")]
    assert any("100%" in str(t) for t in texts), texts


async def test_state_saved_and_reopened_without_a_kernel(kernel: KernelBackend) -> None:
    manager = WidgetManager()
    manager.attach(kernel)
    events = await run(kernel, "import ipywidgets as w\nw.FloatSlider(value=2.5)")
    model_id = view_of(events)
    nb = Notebook(cells=[])
    manager.save(nb)
    saved = nb.metadata["widgets"][STATE_MIME]
    assert (saved["version_major"], saved["version_minor"]) == (2, 0)
    entry = saved["state"][model_id]
    assert entry["model_name"] == "FloatSliderModel" and entry["state"]["value"] == 2.5
    assert entry["model_module"] == "@jupyter-widgets/controls"

    reopened = WidgetManager()
    reopened.load(nb)
    model = reopened.models[model_id]
    assert model.state["value"] == 2.5 and not model.live
    assert reopened.descendants(model_id) >= {model_id, model.ref("layout"), model.ref("style")}


async def test_a_restart_leaves_models_shown_but_not_live(kernel: KernelBackend) -> None:
    manager = WidgetManager()
    manager.attach(kernel)
    model_id = view_of(await run(kernel, "import ipywidgets as w\nw.Checkbox(value=True)"))
    await kernel.restart()
    model = manager.models[model_id]
    assert not model.live and model.state["value"] is True


async def test_widgets_made_before_we_attached_are_asked_for(kernel: KernelBackend) -> None:
    first = WidgetManager()
    first.attach(kernel)
    model_id = view_of(await run(kernel, "import ipywidgets as w\nr = w.IntSlider(value=5)\nr"))
    later = WidgetManager()  # as after attaching to a running kernel or server session
    later.attach(kernel)
    assert await later.restore() >= 2  # the slider, its layout and style
    slider = later.models[model_id]
    assert slider.model_name == "IntSliderModel" and slider.state["value"] == 5 and slider.live
    later.set_state(model_id, {"value": 2})  # its comm was adopted: the kernel hears it
    async with asyncio.timeout(GUARD):
        while stdout(await run(kernel, "print(r.value)")) != "2\n":  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def test_restore_from_a_kernel_without_widgets(kernel: KernelBackend) -> None:
    manager = WidgetManager()
    manager.attach(kernel)
    assert await manager.restore(patience=30) == 0 and not manager.models
