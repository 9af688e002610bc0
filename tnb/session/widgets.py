"""Jupyter widgets (protocol version 2) on the front end's side: models in sync with the kernel."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tnb.kernels.events import (
    ClearOutput,
    CommMessage,
    DisplayData,
    Error,
    ExecuteResult,
    KernelEvent,
    Stream,
)
from tnb.kernels.protocol import KernelBackend
from tnb.notebook.model import Notebook, Output
from tnb.notebook.outputs import OutputAccumulator, output_from_json, output_to_json

log = logging.getLogger(__name__)

WIDGET_TARGET = "jupyter.widget"
CONTROL_TARGET = "jupyter.widget.control"
PROTOCOL = {"version": "2.1.0"}  # the widget protocol version the messages' metadata carry
CONTROL_PROTOCOL = {"version": "1.0.0"}  # ipywidgets' control comm has its own
VIEW_MIME = "application/vnd.jupyter.widget-view+json"
STATE_MIME = "application/vnd.jupyter.widget-state+json"
REF_PREFIX = "IPY_MODEL_"


@dataclass
class WidgetModel:
    """One widget model: its class and its synced state (``IPY_MODEL_<id>`` refers to others)."""

    model_id: str
    model_name: str
    model_module: str
    model_module_version: str
    state: dict[str, Any]
    live: bool = True  # a comm to the kernel is open (False: reopened from saved state)
    # Our updates the kernel has not echoed yet, by key: its echoes of them are not news.
    unechoed: dict[str, int] = field(default_factory=dict)
    clear_pending: bool = False  # an Output widget's clear_output(wait=True)

    def ref(self, key: str) -> str | None:
        """The model id a state value refers to (``IPY_MODEL_…``), if it does."""
        return model_ref(self.state.get(key))


def model_ref(value: Any) -> str | None:
    if isinstance(value, str) and value.startswith(REF_PREFIX):
        return value[len(REF_PREFIX) :]
    return None


class WidgetManager:
    """Every widget model of the notebook's kernel; ``on_change`` hears which models changed."""

    def __init__(self, on_change: Callable[[set[str]], None] | None = None) -> None:
        self.models: dict[str, WidgetModel] = {}
        self.on_change = on_change
        self._backend: KernelBackend | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    # ------------------------------------------------------------------ the kernel's side

    def attach(self, backend: KernelBackend) -> None:
        """Listen to ``backend``'s widget comms (models of an earlier kernel stay, not live)."""
        self._backend = backend
        backend.register_comm_target(WIDGET_TARGET, self._on_comm)

    async def restore(self, patience: float = 10.0) -> int:
        """Ask a kernel we attached to for the widgets it made before (JupyterLab does so on
        connecting); returns how many came. A kernel without ipywidgets closes the comm."""
        backend = self._backend
        if backend is None:
            return 0
        answered = asyncio.Event()
        count = 0

        def on_control(msg: CommMessage) -> None:
            nonlocal count
            if msg.kind == "msg" and msg.data.get("method") == "update_states":
                states = dict(msg.data.get("states") or {})
                _put_buffers(states, msg.data.get("buffer_paths") or [], msg.buffers)
                for model_id, entry in states.items():
                    if isinstance(entry, Mapping):
                        self._add(model_id, dict(entry.get("state") or {}), entry)
                        backend.adopt_comm(model_id, self._on_comm)
                count = len(states)
                self._changed(set(states))
            answered.set()

        try:
            comm_id = await backend.comm_open(
                CONTROL_TARGET, {}, on_control, metadata=CONTROL_PROTOCOL
            )
            request = {"method": "request_states"}
            await backend.comm_msg(comm_id, request, metadata=CONTROL_PROTOCOL)
            await asyncio.wait_for(answered.wait(), patience)
            await backend.comm_close(comm_id)
        except Exception as exc:  # an old kernel, a slow one: its widgets show as text
            log.debug("no widget states from the kernel: %r", exc)
        return count

    def _add(self, model_id: str, state: dict[str, Any], names: Mapping[str, Any]) -> None:
        self.models[model_id] = WidgetModel(
            model_id=model_id,
            model_name=str(names.get("model_name") or state.get("_model_name", "")),
            model_module=str(names.get("model_module") or state.get("_model_module", "")),
            model_module_version=str(
                names.get("model_module_version") or state.get("_model_module_version", "")
            ),
            state=state,
        )
        self._watch_output(self.models[model_id], None)

    def _on_comm(self, msg: CommMessage) -> None:
        if msg.kind == "open":
            state = dict(msg.data.get("state") or {})
            _put_buffers(state, msg.data.get("buffer_paths") or [], msg.buffers)
            self._add(msg.comm_id, state, {})
        elif msg.kind == "close":
            model = self.models.get(msg.comm_id)
            if model is not None:
                model.live = False
                self._capture(model, None)
        else:
            self._on_msg(msg)
            return
        self._changed({msg.comm_id})

    def _on_msg(self, msg: CommMessage) -> None:
        model = self.models.get(msg.comm_id)
        method = msg.data.get("method")
        if model is None or method not in ("update", "echo_update"):
            return  # "custom" messages are for views with their own code (none of ours)
        state = dict(msg.data.get("state") or {})
        _put_buffers(state, msg.data.get("buffer_paths") or [], msg.buffers)
        if method == "echo_update":
            for key in list(state):
                if model.unechoed.get(key, 0) > 0:
                    model.unechoed[key] -= 1
                    del state[key]  # our own change coming back: what we show is newer
        old_msg_id = model.state.get("msg_id")
        model.state.update(state)
        self._watch_output(model, old_msg_id)
        self._changed({model.model_id})

    # ------------------------------------------------------------------ Output widgets

    def _watch_output(self, model: WidgetModel, old_msg_id: Any) -> None:
        """An Output widget captures the outputs of the request its ``msg_id`` names."""
        if model.model_name != "OutputModel" or model.state.get("msg_id") == old_msg_id:
            return
        if old_msg_id:
            self._capture(model, None, str(old_msg_id))
        if model.state.get("msg_id"):
            self._capture(model, model.state["msg_id"])

    def _capture(self, model: WidgetModel, msg_id: str | None, old: str = "") -> None:
        backend = self._backend
        if backend is None or model.model_name != "OutputModel":
            return
        if msg_id is None:
            backend.capture_output(old or str(model.state.get("msg_id") or ""), None)
            return
        backend.capture_output(msg_id, lambda event: self._captured(model, event))

    def _captured(self, model: WidgetModel, event: KernelEvent) -> None:
        outputs = [output_from_json(o) for o in model.state.get("outputs") or []]
        acc = OutputAccumulator(outputs)
        acc.clear_pending = model.clear_pending
        match event:
            case Stream(name=name, text=text):
                acc.stream(name, text)
            case DisplayData(data=data, metadata=metadata):
                acc.add(Output("display_data", data=data, metadata=metadata))
            case ExecuteResult(data=data, metadata=metadata, execution_count=count):
                shown = Output("execute_result", data=data, metadata=metadata)
                shown.execution_count = count
                acc.add(shown)
            case Error(ename=ename, evalue=evalue, traceback=tb):
                acc.add(Output("error", ename=ename, evalue=evalue, traceback=list(tb)))
            case ClearOutput(wait=wait):
                acc.clear(wait)
            case _:
                return
        model.clear_pending = acc.clear_pending
        # As JupyterLab's output model: what it captured goes back to the kernel's `outputs`.
        self.set_state(model.model_id, {"outputs": [_message_json(o) for o in outputs]})

    # ------------------------------------------------------------------ the user's side

    def set_state(self, model_id: str, changes: Mapping[str, Any]) -> None:
        """Change a model here and in the kernel (a slider moved, text typed)."""
        model = self.models.get(model_id)
        if model is None:
            return
        model.state.update(changes)
        self._changed({model_id})
        if model.live:
            for key in changes:
                model.unechoed[key] = model.unechoed.get(key, 0) + 1
            data = {"method": "update", "state": dict(changes), "buffer_paths": []}
            self._send(model_id, data)

    def click(self, model_id: str) -> None:
        """A Button's click (its ``on_click`` handlers run in the kernel)."""
        self._send(model_id, {"method": "custom", "content": {"event": "click"}})

    def _send(self, model_id: str, data: dict[str, Any]) -> None:
        backend = self._backend
        if backend is None:
            return

        async def send() -> None:
            try:
                await backend.comm_msg(model_id, data, metadata=PROTOCOL)
            except Exception as exc:  # the kernel went away: the model is no longer live
                log.debug("widget update not sent: %s", exc)

        task = asyncio.get_running_loop().create_task(send())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _changed(self, ids: set[str]) -> None:
        if self.on_change is not None:
            self.on_change(ids)

    # ------------------------------------------------------------------ saved state

    def load(self, notebook: Notebook) -> None:
        """Models saved in ``metadata.widgets``: shown until the kernel's replace them."""
        saved = (notebook.metadata.get("widgets") or {}).get(STATE_MIME) or {}
        for model_id, entry in (saved.get("state") or {}).items():
            if model_id in self.models or not isinstance(entry, Mapping):
                continue
            state = dict(entry.get("state") or {})
            for buf in entry.get("buffers") or []:
                _put_buffers(state, [buf.get("path", [])], [base64.b64decode(buf.get("data", ""))])
            self.models[str(model_id)] = WidgetModel(
                model_id=str(model_id),
                model_name=str(entry.get("model_name", "")),
                model_module=str(entry.get("model_module", "")),
                model_module_version=str(entry.get("model_module_version", "")),
                state=state,
                live=False,
            )

    def save(self, notebook: Notebook) -> None:
        """Write every model's state to ``metadata.widgets`` as JupyterLab and nbclient do."""
        if not self.models:
            return
        state: dict[str, Any] = {}
        for model in self.models.values():
            plain, buffers = _take_buffers(model.state)
            entry: dict[str, Any] = {
                "model_name": model.model_name,
                "model_module": model.model_module,
                "model_module_version": model.model_module_version,
                "state": plain,
            }
            if buffers:
                entry["buffers"] = buffers
            state[model.model_id] = entry
        notebook.metadata["widgets"] = {
            STATE_MIME: {"version_major": 2, "version_minor": 0, "state": state}
        }

    def descendants(self, model_id: str) -> set[str]:
        """The model and every model it refers to (children, layout, style), recursively."""
        seen: set[str] = set()
        todo = [model_id]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            model = self.models.get(current)
            if model is not None:
                todo.extend(_refs(model.state.values()))
        return seen


def _message_json(output: Output) -> dict[str, Any]:
    """An output as a message carries it (JupyterLab's toJSON): text unsplit, unlike the file."""
    out = output_to_json(output)
    if isinstance(out.get("text"), list):
        out["text"] = "".join(out["text"])
    if isinstance(out.get("data"), dict):
        out["data"] = {
            k: "".join(v) if isinstance(v, list) and not k.endswith("json") else v
            for k, v in out["data"].items()
        }
    return out


def _refs(values: Iterable[Any]) -> Iterable[str]:
    for value in values:
        if (ref := model_ref(value)) is not None:
            yield ref
        elif isinstance(value, list | tuple):
            yield from _refs(value)
        elif isinstance(value, dict):
            yield from _refs(value.values())


def _put_buffers(state: dict[str, Any], paths: Iterable[Any], buffers: Iterable[bytes]) -> None:
    """Binary values (an Image's bytes) go back where ``buffer_paths`` says they were."""
    for path, buf in zip(paths, buffers, strict=False):
        if not isinstance(path, list) or not path:
            continue
        target: Any = state
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = bytes(buf)


def _take_buffers(state: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The state without its bytes values, and those as saved-state buffers (base64)."""
    plain: dict[str, Any] = {}
    buffers: list[dict[str, Any]] = []
    for key, value in state.items():
        if isinstance(value, bytes | bytearray | memoryview):
            data = base64.b64encode(bytes(value)).decode("ascii")
            buffers.append({"path": [key], "data": data, "encoding": "base64"})
        else:
            plain[key] = value
    return plain, buffers


# ---------------------------------------------------------------------- what keys do to controls

_STEPPED = ("IntSliderModel", "FloatSliderModel", "FloatLogSliderModel", "IntTextModel")
_RANGES = ("IntRangeSliderModel", "FloatRangeSliderModel")
_INDEXED = (
    "SelectionSliderModel",
    "DropdownModel",
    "RadioButtonsModel",
    "SelectModel",
    "ToggleButtonsModel",
)
_NUMBER_TEXTS = {
    "IntTextModel": int,
    "BoundedIntTextModel": int,
    "FloatTextModel": float,
    "BoundedFloatTextModel": float,
}
TEXT_MODELS = frozenset(
    {"TextModel", "TextareaModel", "PasswordModel", "ComboboxModel", *_NUMBER_TEXTS}
)


def _clamp(value: float, state: Mapping[str, Any]) -> float:
    low, high = state.get("min"), state.get("max")
    if isinstance(low, int | float):
        value = max(low, value)
    if isinstance(high, int | float):
        value = min(high, value)
    return value


def _stepped(value: float, step: float, times: int, state: Mapping[str, Any], whole: bool) -> Any:
    moved = _clamp(value + step * times, state)
    if whole:
        return round(moved)
    decimals = max(0, -int(f"{step:e}".split("e")[1]))  # 0.1 -> 1: no 0.30000000000000004
    return round(moved, decimals + 1)


def step_control(manager: WidgetManager, model_id: str, times: int) -> bool:
    """Left/right on a control: a slider or number ``times`` steps, a choice ``times`` options
    along (a range slider moves its upper handle). False when the control has no such move."""
    model = manager.models.get(model_id)
    if model is None or not model.live:
        return False
    state, name = model.state, model.model_name
    whole = name.startswith(("Int", "BoundedInt"))
    step = float(state.get("step") or 1)
    if name in _STEPPED or name in ("BoundedIntTextModel", "BoundedFloatTextModel"):
        value = float(state.get("value") or 0)
        manager.set_state(model_id, {"value": _stepped(value, step, times, state, whole)})
    elif name == "FloatTextModel":
        manager.set_state(model_id, {"value": float(state.get("value") or 0) + step * times})
    elif name in _RANGES:
        low, high = state.get("value") or [0, 0]
        high = _stepped(float(high), step, times, state, whole)
        manager.set_state(model_id, {"value": [low, max(high, low)]})
    elif name in ("TabModel", "AccordionModel", "StackModel"):
        count = len(state.get("children") or [])
        selected = state.get("selected_index")
        start = selected if isinstance(selected, int) else -1
        if count:
            manager.set_state(model_id, {"selected_index": max(0, min(count - 1, start + times))})
    elif name in _INDEXED:
        count = len(state.get("_options_labels") or [])
        index = state.get("index")
        start = index if isinstance(index, int) else -1 if times > 0 else count
        if count:
            manager.set_state(model_id, {"index": max(0, min(count - 1, start + times))})
    else:
        return False
    return True


def press_control(manager: WidgetManager, model_id: str) -> bool:
    """Enter or space on a control: click a button, flip a checkbox or toggle button."""
    model = manager.models.get(model_id)
    if model is None or not model.live:
        return False
    if model.model_name == "ButtonModel":
        manager.click(model_id)
    elif model.model_name in ("CheckboxModel", "ToggleButtonModel"):
        manager.set_state(model_id, {"value": not model.state.get("value")})
    else:
        return False
    return True


def set_text(manager: WidgetManager, model_id: str, text: str) -> str | None:
    """Set a text or number field from what was typed; the problem, if it cannot be."""
    model = manager.models.get(model_id)
    if model is None or not model.live:
        return "this widget's kernel is gone"
    kind = _NUMBER_TEXTS.get(model.model_name)
    if kind is None:
        manager.set_state(model_id, {"value": text})
        return None
    try:
        value = kind(text.strip())
    except ValueError:
        return f"not {'a whole number' if kind is int else 'a number'}: {text!r}"
    manager.set_state(model_id, {"value": _clamp(value, model.state)})
    return None
