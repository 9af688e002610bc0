"""Message dict -> event mapping, on recorded ipykernel messages."""

from __future__ import annotations

from typing import Any

from tnb.kernels.events import (
    ClearOutput,
    DisplayData,
    Error,
    ExecuteInput,
    ExecuteReply,
    ExecuteResult,
    StatusChanged,
    Stream,
    UpdateDisplayData,
)
from tnb.kernels.messages import (
    completion_from_reply,
    history_from_reply,
    inspection_from_reply,
    is_complete_from_reply,
    kernel_info_from_reply,
    message_to_event,
    parent_id,
    reply_error,
)


def _msg(msg_type: str, content: dict[str, Any], parent: str = "p1") -> dict[str, Any]:
    return {
        "header": {"msg_type": msg_type, "msg_id": "m"},
        "parent_header": {"msg_id": parent},
        "metadata": {},
        "content": content,
    }


def test_stream() -> None:
    ev = message_to_event(_msg("stream", {"name": "stderr", "text": "oops\n"}))
    assert ev == Stream("stderr", "oops\n")


def test_display_data_with_transient_display_id() -> None:
    msg = _msg(
        "display_data",
        {"data": {"text/plain": "x"}, "metadata": {}, "transient": {"display_id": "abc"}},
    )
    assert message_to_event(msg) == DisplayData({"text/plain": "x"}, {}, "abc")
    msg["content"].pop("transient")
    assert message_to_event(msg) == DisplayData({"text/plain": "x"}, {}, None)


def test_update_display_data_needs_display_id() -> None:
    content: dict[str, Any] = {"data": {"text/plain": "y"}, "metadata": {}}
    assert message_to_event(_msg("update_display_data", content)) is None
    content["transient"] = {"display_id": "abc"}
    ev = message_to_event(_msg("update_display_data", content))
    assert ev == UpdateDisplayData({"text/plain": "y"}, {}, "abc")


def test_execute_result_error_clear_status_input() -> None:
    ev = message_to_event(
        _msg("execute_result", {"data": {"text/plain": "2"}, "metadata": {}, "execution_count": 3})
    )
    assert ev == ExecuteResult({"text/plain": "2"}, {}, 3)
    ev = message_to_event(_msg("error", {"ename": "E", "evalue": "v", "traceback": ["t"]}))
    assert ev == Error("E", "v", ["t"])
    assert message_to_event(_msg("clear_output", {"wait": True})) == ClearOutput(True)
    assert message_to_event(_msg("status", {"execution_state": "busy"})) == StatusChanged("busy")
    assert message_to_event(_msg("status", {"execution_state": "weird"})) is None
    ev = message_to_event(_msg("execute_input", {"code": "1", "execution_count": 4}))
    assert ev == ExecuteInput(4)
    assert message_to_event(_msg("comm_open", {})) is None


def test_execute_reply_and_error_reply() -> None:
    ok = _msg("execute_reply", {"status": "ok", "execution_count": 5, "payload": []})
    assert message_to_event(ok) == ExecuteReply("ok", 5, [])
    assert reply_error(ok) is None
    err = _msg(
        "execute_reply",
        {"status": "error", "execution_count": 6, "ename": "X", "evalue": "y", "traceback": []},
    )
    assert reply_error(err) == Error("X", "y", [])
    assert parent_id(err) == "p1"


def test_reply_helpers() -> None:
    c = completion_from_reply(
        {"status": "ok", "matches": ["print"], "cursor_start": 0, "cursor_end": 2, "metadata": {}},
        2,
    )
    assert (c.matches, c.cursor_start, c.cursor_end) == (["print"], 0, 2)
    assert completion_from_reply({"status": "error"}, 7).cursor_start == 7
    assert inspection_from_reply({"status": "ok", "found": True, "data": {"a": 1}}).found
    assert not inspection_from_reply({"status": "error"}).found
    assert is_complete_from_reply({"status": "incomplete", "indent": "  "}) == "incomplete"
    assert is_complete_from_reply({"status": "nonsense"}) == "unknown"
    hist = history_from_reply({"history": [[1, 2, "a=1"], [1, 3, ["b", "out"]]]})
    assert hist == [(1, 2, "a=1"), (1, 3, "b")]
    info = kernel_info_from_reply(
        {
            "implementation": "ipython",
            "language_info": {"name": "python"},
            "banner": "hi",
            "protocol_version": "5.3",
        }
    )
    assert (info.implementation, info.language, info.protocol_version) == (
        "ipython",
        "python",
        "5.3",
    )


def test_a_death_is_told_the_same_way_everywhere() -> None:
    """The app's status and `tnb run` both say it with KernelDied.describe()."""
    from tnb.kernels.events import KernelDied

    tail = "\n".join(f"line {i}" for i in range(20))
    text = KernelDied("kernel 'X' died", exit_code=3, stderr_tail=tail).describe()
    assert text.splitlines()[:2] == ["kernel 'X' died (exit code 3)", "last lines of its stderr:"]
    assert text.splitlines()[2:] == [f"line {i}" for i in range(12, 20)]
    assert KernelDied("", exit_code=None).describe() == "the kernel died"
    assert KernelDied("gone (exit code 9)", exit_code=9).describe() == "gone (exit code 9)"
