"""Jupyter message contents both ways (requests out, events and replies in), for both backends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from tnb.kernels.events import (
    ClearOutput,
    DisplayData,
    Error,
    ExecuteInput,
    ExecuteReply,
    ExecuteResult,
    KernelEvent,
    KernelStatus,
    StatusChanged,
    Stream,
    UpdateDisplayData,
)
from tnb.kernels.protocol import Completion, Inspection, KernelInfo

# Kernels send these execution states; anything else (e.g. a future state) maps to None.
_STATUSES: dict[str, KernelStatus] = {
    "starting": "starting",
    "idle": "idle",
    "busy": "busy",
    "restarting": "restarting",
    "dead": "dead",
}


def msg_type(msg: Mapping[str, Any]) -> str:
    """The message's type (``header.msg_type``, or the top-level copy jupyter_client adds)."""
    header = msg.get("header") or {}
    return str(header.get("msg_type") or msg.get("msg_type") or "")


def parent_id(msg: Mapping[str, Any]) -> str:
    """The msg_id of the request this message answers, or '' when it has none."""
    parent = msg.get("parent_header") or {}
    return str(parent.get("msg_id") or "")


def busy_state(msg: Mapping[str, Any]) -> KernelStatus | None:
    """The execution_state a status message reports, or None when it reports no work of the
    user's: a kernel_info_request's busy/idle blip (readiness probes, the server's own, another
    client's) arrives late after a restart or reconnect, and would show "busy" for nothing;
    a debug_request's would show "idle" while a cell is stopped at a breakpoint."""
    parent = msg.get("parent_header") or {}
    if parent.get("msg_type") in ("kernel_info_request", "debug_request"):
        return None
    state = (msg.get("content") or {}).get("execution_state")
    for known in _BUSY_STATES:
        if state == known:
            return known
    return None


_BUSY_STATES: tuple[KernelStatus, ...] = ("starting", "idle", "busy")


def _display_id(content: Mapping[str, Any]) -> str | None:
    transient = content.get("transient") or {}
    value = transient.get("display_id")
    return str(value) if value is not None else None


def _dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def execute_content(code: str, *, silent: bool, allow_stdin: bool) -> dict[str, Any]:
    """The content of an execute_request, as JupyterLab sends it."""
    return {
        "code": code,
        "silent": silent,
        "store_history": not silent,
        "user_expressions": {},
        "allow_stdin": allow_stdin,
        "stop_on_error": True,
    }


def inspect_content(code: str, cursor_pos: int, detail_level: int) -> dict[str, Any]:
    """The content of an inspect_request."""
    return {"code": code, "cursor_pos": cursor_pos, "detail_level": detail_level}


def history_tail_content(n: int) -> dict[str, Any]:
    """The content of a history_request for the last ``n`` raw inputs."""
    return {"output": False, "raw": True, "hist_access_type": "tail", "n": n}


def message_to_event(msg: Mapping[str, Any]) -> KernelEvent | None:
    """Map one iopub message or an execute_reply to an event; None for anything else.

    ``input_request`` is not handled here: the backend builds ``InputRequested``
    itself because only it knows how to send the reply.
    """
    kind = msg_type(msg)
    content: Mapping[str, Any] = msg.get("content") or {}
    if kind == "stream":
        return Stream(name=str(content.get("name", "stdout")), text=str(content.get("text", "")))
    if kind == "display_data":
        return DisplayData(
            data=_dict(content.get("data")),
            metadata=_dict(content.get("metadata")),
            display_id=_display_id(content),
        )
    if kind == "update_display_data":
        display_id = _display_id(content)
        if display_id is None:  # meaningless without a target; the spec requires one
            return None
        return UpdateDisplayData(
            data=_dict(content.get("data")),
            metadata=_dict(content.get("metadata")),
            display_id=display_id,
        )
    if kind == "execute_result":
        return ExecuteResult(
            data=_dict(content.get("data")),
            metadata=_dict(content.get("metadata")),
            execution_count=content.get("execution_count"),
            display_id=_display_id(content),
        )
    if kind == "error":
        return Error(
            ename=str(content.get("ename", "")),
            evalue=str(content.get("evalue", "")),
            traceback=[str(line) for line in content.get("traceback") or []],
        )
    if kind == "clear_output":
        return ClearOutput(wait=bool(content.get("wait", False)))
    if kind == "status":
        status = _STATUSES.get(str(content.get("execution_state", "")))
        return StatusChanged(status) if status is not None else None
    if kind == "execute_input":
        return ExecuteInput(execution_count=content.get("execution_count"))
    if kind == "execute_reply":
        return ExecuteReply(
            status=str(content.get("status", "ok")),
            execution_count=content.get("execution_count"),
            payload=[_dict(p) for p in content.get("payload") or []],
        )
    return None


def reply_error(msg: Mapping[str, Any]) -> Error | None:
    """For an execute_reply with status 'error', the error it carries (kernels that skip iopub)."""
    content: Mapping[str, Any] = msg.get("content") or {}
    if content.get("status") != "error":
        return None
    return Error(
        ename=str(content.get("ename", "")),
        evalue=str(content.get("evalue", "")),
        traceback=[str(line) for line in content.get("traceback") or []],
    )


def completion_from_reply(content: Mapping[str, Any], cursor_pos: int) -> Completion:
    """complete_reply content -> Completion (an error reply gives no matches at the cursor)."""
    if content.get("status", "ok") != "ok":
        return Completion(matches=[], cursor_start=cursor_pos, cursor_end=cursor_pos)
    start = content.get("cursor_start")
    end = content.get("cursor_end")
    return Completion(
        matches=[str(m) for m in content.get("matches") or []],
        cursor_start=int(start) if start is not None else cursor_pos,
        cursor_end=int(end) if end is not None else cursor_pos,
        metadata=_dict(content.get("metadata")),
    )


def inspection_from_reply(content: Mapping[str, Any]) -> Inspection:
    """inspect_reply content -> Inspection."""
    if content.get("status", "ok") != "ok":
        return Inspection(found=False)
    return Inspection(found=bool(content.get("found", False)), data=_dict(content.get("data")))


def is_complete_from_reply(content: Mapping[str, Any]) -> str:
    """is_complete_reply content -> 'complete' | 'incomplete' | 'invalid' | 'unknown'."""
    status = str(content.get("status", "unknown"))
    return status if status in ("complete", "incomplete", "invalid", "unknown") else "unknown"


def history_from_reply(content: Mapping[str, Any]) -> list[tuple[int, int, str]]:
    """history_reply content -> [(session, line, source)]; (source, output) keeps source."""
    result: list[tuple[int, int, str]] = []
    for entry in content.get("history") or []:
        session, line, source = entry[0], entry[1], entry[2]
        if isinstance(source, list | tuple):
            source = source[0]
        result.append((int(session), int(line), str(source)))
    return result


def kernel_info_from_reply(content: Mapping[str, Any]) -> KernelInfo:
    """kernel_info_reply content -> KernelInfo."""
    language_info = _dict(content.get("language_info"))
    return KernelInfo(
        implementation=str(content.get("implementation", "")),
        language=str(language_info.get("name", content.get("language", ""))),
        language_info=language_info,
        banner=str(content.get("banner", "")),
        protocol_version=str(content.get("protocol_version", "")),
        # ipykernel 7 lists it in supported_features (JEP 92); older kernels say debugger: true.
        debugger=bool(content.get("debugger"))
        or "debugger" in (content.get("supported_features") or ()),
    )


def debug_content(seq: int, command: str, arguments: dict[str, Any] | None) -> dict[str, Any]:
    """A debug_request's content: one DAP request."""
    return {"type": "request", "seq": seq, "command": command, "arguments": arguments or {}}


def input_prompt(msg: Mapping[str, Any]) -> tuple[str, bool]:
    """input_request content -> (prompt, password)."""
    content = cast(Mapping[str, Any], msg.get("content") or {})
    return str(content.get("prompt", "")), bool(content.get("password", False))
