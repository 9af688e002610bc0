"""Jupyter widgets drawn as text: sliders, progress bars, buttons, boxes, Output, tabs."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from tnb.notebook.outputs import output_from_json
from tnb.session.sanitize import strip_ansi
from tnb.session.widgets import WidgetModel, model_ref
from tnb.ui.render.html import render_html
from tnb.ui.render.output import render_output
from tnb.ui.render.palette import Palette, Theme

# What the widgets' bar_style / button_style names look like here (JupyterLab's colours).
_STYLE_COLOURS = {
    "success": "green",
    "info": "cyan",
    "warning": "yellow",
    "danger": "red",
    "primary": "blue",
}
_TAG = re.compile(r"<[^>]*>")
_BLOCK_HTML = re.compile(r"<(table|p|ul|ol|div|h[1-6]|pre|br)\b", re.IGNORECASE)
SLIDERS = frozenset(
    {
        "IntSliderModel",
        "FloatSliderModel",
        "FloatLogSliderModel",
        "IntRangeSliderModel",
        "FloatRangeSliderModel",
        "SelectionSliderModel",
        "SelectionRangeSliderModel",
    }
)
TEXTS = frozenset(
    {
        "TextModel",
        "TextareaModel",
        "PasswordModel",
        "IntTextModel",
        "FloatTextModel",
        "BoundedIntTextModel",
        "BoundedFloatTextModel",
        "ComboboxModel",
    }
)
CHOICES = frozenset({"DropdownModel", "RadioButtonsModel", "SelectModel", "ToggleButtonsModel"})
TOGGLES = frozenset({"CheckboxModel", "ToggleButtonModel"})
# What a user can change or press: the widget panel steps through these.
INTERACTIVE = (
    SLIDERS
    | TEXTS
    | CHOICES
    | TOGGLES
    | {"ButtonModel", "SelectMultipleModel", "TabModel", "AccordionModel", "StackModel"}
)


@dataclass(frozen=True)
class WidgetContext:
    """What drawing a widget tree needs: the models, the width, the theme, the focused model."""

    models: Mapping[str, WidgetModel]
    palette: Palette
    theme: Theme
    focus: str | None = None


def inline_text(value: Any) -> str:
    """A widget's HTML or text value as one line of plain text."""
    return strip_ansi(html.unescape(_TAG.sub("", str(value)))).replace("\xa0", " ")


def render_widget(model_id: str, ctx: WidgetContext, width: int) -> RenderableType:
    """The widget ``model_id`` and its children, at most ``width`` columns wide."""
    model = ctx.models.get(model_id)
    if model is None:
        return Text(f"[widget {model_id[:8]}: its model is not here]", style=ctx.palette.note)
    layout = ctx.models.get(model.ref("layout") or "")
    if layout is not None and (
        layout.state.get("display") == "none" or layout.state.get("visibility") == "hidden"
    ):
        return Text("")
    draw = _DRAWERS.get(model.model_name)
    if draw is None:
        if model.model_name in SLIDERS:
            draw = _slider
        elif model.model_name in TEXTS:
            draw = _text
    shown = draw(model, ctx, width) if draw is not None else _unknown(model, ctx)
    if model.model_id == ctx.focus and isinstance(shown, Text):
        shown.stylize(Style(reverse=True))
    return shown


def children(model: WidgetModel) -> list[str]:
    """The model ids of a container's children, in order."""
    return [ref for value in model.state.get("children") or [] if (ref := model_ref(value))]


# JupyterLab draws descriptions in a column of fixed width, right-aligned, so that the
# controls of an `interact` line up; longer ones take what they need.
DESCRIPTION_WIDTH = 12
# Font Awesome names a Button's icon; the few common ones have a Unicode look-alike.
_ICONS = {"play": "▶", "stop": "■", "pause": "⏸", "check": "✓", "times": "✗", "close": "✗",
          "refresh": "↻", "download": "⤓", "upload": "⤒", "plus": "+", "minus": "−",
          "trash": "🗑", "save": "💾", "search": "🔍"}  # fmt: skip


def _description(model: WidgetModel, *, column: bool = True) -> Text:
    label = inline_text(model.state.get("description") or "")
    if not label:
        return Text("")
    shown = label.rjust(DESCRIPTION_WIDTH) if column else label
    return Text(f"{shown} ", style="bold")


def _colour(model: WidgetModel, key: str) -> str:
    return _STYLE_COLOURS.get(str(model.state.get(key) or ""), "")


def _number(value: Any, model: WidgetModel) -> str:
    if isinstance(value, float):
        fmt = str(model.state.get("readout_format") or ".2f")
        try:
            return format(value, fmt.lstrip("~"))
        except ValueError:
            return f"{value:.2f}"
    return str(value)


def _slider(model: WidgetModel, ctx: WidgetContext, width: int) -> Text:
    state = model.state
    value = state.get("value")
    name = model.model_name
    if name.startswith("Selection"):
        options = [str(o) for o in state.get("_options_labels") or []]
        low, high = 0, max(1, len(options) - 1)
        index = state.get("index")
        points = list(index) if isinstance(index, list | tuple) else [index or 0]
        readout = " – ".join(options[int(i)] for i in points if 0 <= int(i) < len(options))
    else:
        low, high = state.get("min", 0), state.get("max", 100)
        points = list(value) if isinstance(value, list | tuple) else [value]
        readout = " – ".join(_number(p, model) for p in points)
        if name == "FloatLogSliderModel":
            base = float(state.get("base", 10))
            readout = " – ".join(_number(base ** float(p), model) for p in points)
    text = _description(model)
    bar = max(5, min(30, width - len(text) - len(readout) - 2))
    span = float(high - low) or 1.0
    marks = {min(bar - 1, max(0, round((float(p or 0) - low) / span * (bar - 1)))) for p in points}
    first, last = min(marks), max(marks)
    colour = _colour(model, "bar_style") or "cyan"
    for i in range(bar):
        if i in marks:
            text.append("●", style=f"bold {colour}")
        elif (len(points) > 1 and first < i < last) or (len(points) == 1 and i < first):
            text.append("━", style=colour)
        else:
            text.append("─", style="dim")
    text.append(f" {readout}")
    return text


def _progress(model: WidgetModel, ctx: WidgetContext, width: int) -> Text:
    state = model.state
    low, high = float(state.get("min", 0)), float(state.get("max", 100))
    value = float(state.get("value") or 0)
    share = 0.0 if high <= low else max(0.0, min(1.0, (value - low) / (high - low)))
    text = _description(model)
    bar = max(5, min(40, width - len(text)))
    filled = share * bar
    whole = int(filled)
    colour = _colour(model, "bar_style") or "cyan"
    text.append("█" * whole, style=colour)
    if whole < bar:
        eighths = int((filled - whole) * 8)
        text.append(" ▏▎▍▌▋▊▉"[eighths] if eighths else "", style=colour)
        text.append("·" * (bar - whole - (1 if eighths else 0)), style="dim")
    return text


def _box(model: WidgetModel, ctx: WidgetContext, width: int) -> RenderableType:
    kids = children(model)
    if model.model_name in ("HBoxModel", "GridBoxModel") and kids:
        grid = Table.grid(padding=(0, 1))
        shown = [render_widget(k, ctx, max(10, width // len(kids))) for k in kids]
        for _ in kids:
            grid.add_column(no_wrap=True)
        grid.add_row(*shown)
        return grid
    return Group(*(render_widget(k, ctx, width) for k in kids))


def _label(model: WidgetModel, ctx: WidgetContext, width: int) -> RenderableType:
    text = _description(model, column=False)
    value = str(model.state.get("value") or "")
    if model.model_name in ("HTMLModel", "HTMLMathModel") and _BLOCK_HTML.search(value):
        shown = render_html(value, width=width)
        return Group(text, shown) if text and shown is not None else shown or text
    text.append(inline_text(value))
    return text


def _button(model: WidgetModel, ctx: WidgetContext, width: int) -> Text:
    label = inline_text(model.state.get("description") or "") or " "
    icon = _ICONS.get(str(model.state.get("icon") or ""), "")
    colour = _colour(model, "button_style")
    pressed = model.model_name == "ToggleButtonModel" and bool(model.state.get("value"))
    style = Style(color=colour or None, bold=True, reverse=pressed)
    return Text.assemble(
        ("[ ", "dim"), (f"{icon + ' ' if icon else ''}{label}", style), (" ]", "dim")
    )


def _checkbox(model: WidgetModel, ctx: WidgetContext, width: int) -> Text:
    mark = "☑" if model.state.get("value") else "☐"
    label = inline_text(model.state.get("description") or "")
    return Text(f"{mark} {label}")


def _options(model: WidgetModel) -> list[str]:
    return [inline_text(o) for o in model.state.get("_options_labels") or []]


def _choice(model: WidgetModel, ctx: WidgetContext, width: int) -> RenderableType:
    options = _options(model)
    index = model.state.get("index")
    text = _description(model)
    name = model.model_name
    if name == "DropdownModel":
        current = options[index] if isinstance(index, int) and index < len(options) else ""
        text.append(f"[ {current} ▾ ]", style="bold")
        return text
    if name == "ToggleButtonsModel":
        for i, option in enumerate(options):
            chosen = i == index
            text.append(f" {option} ", style=Style(reverse=chosen, bold=chosen))
            text.append(" ")
        return text
    marked = set(index) if isinstance(index, list | tuple) else {index}
    radio = name == "RadioButtonsModel"
    rows = [text] if text else []
    for i, option in enumerate(options):
        on = i in marked
        mark = ("(•)" if on else "( )") if radio else ("▶" if on else " ")
        rows.append(Text(f"  {mark} {option}", style="bold" if on else ""))
    return Group(*rows)


def _text(model: WidgetModel, ctx: WidgetContext, width: int) -> Text:
    value = model.state.get("value")
    shown = "" if value is None else str(value)
    if model.model_name == "PasswordModel":
        shown = "•" * len(shown)
    if not shown:
        placeholder = inline_text(model.state.get("placeholder") or "")
        text = _description(model)
        text.append(f"[ {placeholder} ]", style="dim")
        return text
    text = _description(model)
    first, *rest = shown.splitlines() or [""]
    text.append(f"[ {first}{' …' if rest else ''} ]")
    return text


def _output(model: WidgetModel, ctx: WidgetContext, width: int) -> RenderableType:
    shown: list[RenderableType] = []
    for value in model.state.get("outputs") or []:
        try:
            output = output_from_json(value)
        except Exception:  # a malformed output from the kernel: say so, draw the rest
            shown.append(
                Text("[an output this widget holds cannot be read]", style=ctx.palette.note)
            )
            continue
        shown.append(render_output(output, width, theme=ctx.theme))
    return Group(*shown)


def _titled(model: WidgetModel, ctx: WidgetContext, width: int) -> RenderableType:
    kids = children(model)
    titles = [inline_text(t) for t in model.state.get("titles") or []]
    titles += [f"{i + 1}" for i in range(len(titles), len(kids))]
    selected = model.state.get("selected_index")
    if model.model_name == "TabModel":
        header = Text()
        for i, title in enumerate(titles):
            chosen = i == selected
            header.append(f" {title} ", style=Style(reverse=chosen, bold=chosen, underline=True))
            header.append(" ")
        body = render_widget(kids[selected], ctx, width) if isinstance(selected, int) else Text("")
        return Group(header, body)
    rows: list[RenderableType] = []
    for i, (kid, title) in enumerate(zip(kids, titles, strict=False)):
        rows.append(Text(f"{'▾' if i == selected else '▸'} {title}", style="bold"))
        if i == selected:
            rows.append(render_widget(kid, ctx, width))
    return Group(*rows)


def _valued(model: WidgetModel, ctx: WidgetContext, width: int) -> Text:
    text = _description(model)
    text.append(inline_text(model.state.get("value") or ""))
    return text


def _unknown(model: WidgetModel, ctx: WidgetContext) -> Text:
    name = model.model_name.removesuffix("Model") or "widget"
    return Text(f"[{name} widget: not drawn in a terminal]", style=ctx.palette.note)


Drawer = Callable[[WidgetModel, WidgetContext, int], RenderableType]
_DRAWERS: dict[str, Drawer] = {
    "IntProgressModel": _progress,
    "FloatProgressModel": _progress,
    "HBoxModel": _box,
    "VBoxModel": _box,
    "BoxModel": _box,
    "GridBoxModel": _box,
    "LabelModel": _label,
    "HTMLModel": _label,
    "HTMLMathModel": _label,
    "ButtonModel": _button,
    "ToggleButtonModel": _button,
    "CheckboxModel": _checkbox,
    "ValidModel": _checkbox,
    "OutputModel": _output,
    "TabModel": _titled,
    "AccordionModel": _titled,
    "StackModel": _titled,
    "ColorPickerModel": _valued,
    "DatePickerModel": _valued,
    "PlayModel": _valued,
    "SelectMultipleModel": _choice,
    **dict.fromkeys(CHOICES, _choice),
}


def focusable(model_id: str, models: Mapping[str, WidgetModel]) -> list[str]:
    """The controls a user can change inside ``model_id``, in reading order."""
    model = models.get(model_id)
    if model is None:
        return []
    found = [model_id] if model.model_name in INTERACTIVE else []
    kids = children(model)
    if model.model_name in ("TabModel", "StackModel", "AccordionModel"):
        selected = model.state.get("selected_index")
        kids = [kids[selected]] if isinstance(selected, int) and selected < len(kids) else []
    for kid in kids:
        found.extend(focusable(kid, models))
    return found
