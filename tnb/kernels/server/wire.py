"""Kernel messages on a Jupyter server's websocket: the v1 binary framing and legacy JSON."""

from __future__ import annotations

import json
import struct
import uuid
from datetime import UTC, datetime
from typing import Any

from tnb.kernels.execution import Message

V1_PROTOCOL = "v1.kernel.websocket.jupyter.org"
PROTOCOL_VERSION = "5.3"


def new_message(
    msg_type: str,
    content: dict[str, Any],
    *,
    session: str,
    channel: str,
    parent_header: dict[str, Any] | None = None,
) -> Message:
    """A message dict as a Jupyter client sends it (the server signs it for the kernel)."""
    return {
        "header": {
            "msg_id": uuid.uuid4().hex,
            "msg_type": msg_type,
            "username": "tnb",
            "session": session,
            "date": datetime.now(UTC).isoformat(),
            "version": PROTOCOL_VERSION,
        },
        "parent_header": parent_header or {},
        "metadata": {},
        "content": content,
        "buffers": [],
        "channel": channel,
    }


def _pack(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def encode_v1(msg: Message) -> bytes:
    """v1 frame: u64 LE count and offsets; channel, header, parent, metadata, content, buffers."""
    parts = [
        msg["channel"].encode("utf-8"),
        _pack(msg["header"]),
        _pack(msg["parent_header"]),
        _pack(msg["metadata"]),
        _pack(msg["content"]),
        *(bytes(b) for b in msg.get("buffers") or []),
    ]
    offsets = [8 * (1 + len(parts) + 1)]
    for part in parts:
        offsets.append(offsets[-1] + len(part))
    head = struct.pack(f"<{len(offsets) + 1}Q", len(offsets), *offsets)
    return head + b"".join(parts)


def decode_v1(frame: bytes | list[bytes]) -> Message:
    """The inverse of `encode_v1`: a message dict with ``channel`` and ``buffers``.

    Given the frame in a one-item list (``[frame]``, no other reference kept), the frame is
    freed once the content is decoded to text, before that text is parsed: a 50 MB output
    then never holds the frame, its text and the parsed value at once.
    """
    data = frame.pop() if isinstance(frame, list) else frame
    (count,) = struct.unpack_from("<Q", data, 0)
    if count < 6 or len(data) < 8 * (count + 1):
        raise ValueError("malformed v1 kernel websocket frame")
    offsets = list(struct.unpack_from(f"<{count}Q", data, 8))
    # The last offset is the frame's end; parts sit between consecutive offsets. Views, not
    # copies: slicing bytes would copy the whole content once more.
    with memoryview(data) as view:
        parts = [view[offsets[i] : offsets[i + 1]] for i in range(count - 1)]
        channel = str(parts[0], "utf-8")
        header, parent, metadata = (json.loads(str(p, "utf-8")) if p else {} for p in parts[1:4])
        content_text = str(parts[4], "utf-8")
        buffers = [bytes(p) for p in parts[5:]]
        for part in parts:
            part.release()
    del data, frame  # the caller's list held the only other reference
    return {
        "channel": channel,
        "header": header,
        "parent_header": parent,
        "metadata": metadata,
        "content": json.loads(content_text) if content_text else {},
        "buffers": buffers,
    }


def encode_legacy(msg: Message) -> str | bytes:
    """Legacy framing: a JSON text frame, or the big-endian binary layout when buffers exist."""
    body = {k: v for k, v in msg.items() if k != "buffers"}
    buffers = [bytes(b) for b in msg.get("buffers") or []]
    if not buffers:
        return json.dumps(body, ensure_ascii=False)
    parts = [_pack(body), *buffers]
    offsets = [4 * (len(parts) + 1)]
    for part in parts[:-1]:
        offsets.append(offsets[-1] + len(part))
    return struct.pack(f"!{len(parts) + 1}I", len(parts), *offsets) + b"".join(parts)


def decode_legacy(frame: str | bytes) -> Message:
    """Decode a legacy text frame, or a legacy binary frame (message with buffers)."""
    if isinstance(frame, str):
        msg: Message = json.loads(frame)
        msg.setdefault("buffers", [])
        return msg
    (count,) = struct.unpack_from("!I", frame, 0)
    offsets = [*struct.unpack_from(f"!{count}I", frame, 4), len(frame)]
    parts = [frame[offsets[i] : offsets[i + 1]] for i in range(count)]
    msg = json.loads(parts[0])
    msg["buffers"] = parts[1:]
    return msg
