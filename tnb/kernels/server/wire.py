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


def decode_v1(frame: bytes) -> Message:
    """The inverse of `encode_v1`: a message dict with ``channel`` and ``buffers``."""
    (count,) = struct.unpack_from("<Q", frame, 0)
    if count < 6 or len(frame) < 8 * (count + 1):
        raise ValueError("malformed v1 kernel websocket frame")
    offsets = list(struct.unpack_from(f"<{count}Q", frame, 8))
    # The last offset is the frame's end; parts sit between consecutive offsets.
    parts = [frame[offsets[i] : offsets[i + 1]] for i in range(count - 1)]
    channel = parts[0].decode("utf-8")
    header, parent, metadata, content = (json.loads(p) if p else {} for p in parts[1:5])
    return {
        "channel": channel,
        "header": header,
        "parent_header": parent,
        "metadata": metadata,
        "content": content,
        "buffers": parts[5:],
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
