"""Pure parts of the server backend: URL parsing, token redaction, websocket framing, the store."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from jupyter_server.services.kernels.connection.base import (
    deserialize_binary_message,
    deserialize_msg_from_ws_v1,
    serialize_binary_message,
    serialize_msg_to_ws_v1,
)

from tnb.kernels.server.store import forget_server, load_servers, remember_server, store_path
from tnb.kernels.server.url import ServerAddress, ServerURLError, parse_server_url, redact
from tnb.kernels.server.wire import (
    decode_legacy,
    decode_v1,
    encode_legacy,
    encode_v1,
    new_message,
)

URLS = [
    ("http://h:8888/?token=T", "http://h:8888/", "T"),
    ("http://h:8888/lab?token=T", "http://h:8888/", "T"),
    ("http://h:8888/lab/tree/a/b.ipynb?token=T", "http://h:8888/", "T"),
    ("http://h:8888/tree?token=T", "http://h:8888/", "T"),
    ("http://h:8888/tree/sub?foo=1&token=T#frag", "http://h:8888/", "T"),
    ("http://h:8888", "http://h:8888/", None),
    ("http://h:8888/", "http://h:8888/", None),
    ("h:8888", "http://h:8888/", None),
    ("  http://127.0.0.1:8888/?token=  ", "http://127.0.0.1:8888/", None),
    ("HTTPS://Hub.Example/user/alice/", "https://hub.example/user/alice/", None),
    ("https://hub.example/user/alice", "https://hub.example/user/alice/", None),
    ("https://hub.example/user/alice/lab?token=T", "https://hub.example/user/alice/", "T"),
    ("https://hub.example/user/lab/tree?token=T", "https://hub.example/user/lab/", "T"),
    ("https://hub.example/user/al%40ce/lab", "https://hub.example/user/al%40ce/", None),
    (
        "https://hub.example/user/alice/my%20server/lab",
        "https://hub.example/user/alice/my%20server/",
        None,
    ),
    ("http://h:8888/prefix/notebooks/x.ipynb", "http://h:8888/prefix/", None),
    ("http://h:8888/api/kernels", "http://h:8888/", None),
    ("http://user:pw@h:8888/?token=a%2Bb", "http://h:8888/", "a+b"),
    ("http://[::1]:8888/lab?token=T", "http://[::1]:8888/", "T"),
]


@pytest.mark.parametrize(("text", "base", "token"), URLS)
def test_parse_server_url(text: str, base: str, token: str | None) -> None:
    address = parse_server_url(text)
    assert address.base_url == base
    assert address.token == token


@pytest.mark.parametrize("text", ["", "ftp://h/", "file:///tmp/x", "http://", "http://h:notaport/"])
def test_parse_server_url_rejects(text: str) -> None:
    with pytest.raises(ServerURLError):
        parse_server_url(text)


def test_address_never_shows_token() -> None:
    address = parse_server_url("https://h/user/a/?token=s3cret")
    assert "s3cret" not in repr(address)
    assert address.ws_base_url == "wss://h/user/a/"
    assert address.url("/api/kernels") == "https://h/user/a/api/kernels"


def test_redact() -> None:
    assert redact("x a+b/c y a%2Bb%2Fc", "a+b/c") == "x *** y ***"
    assert redact("nothing", None) == "nothing"


def _msg(buffers: list[bytes]) -> dict[str, Any]:
    msg = new_message("execute_request", {"code": "print('é')"}, session="s1", channel="shell")
    msg["parent_header"] = {"msg_id": "p"}
    msg["buffers"] = buffers
    return msg


@pytest.mark.parametrize("buffers", [[], [b"\x00\x01", b"xyz"]])
def test_v1_framing_matches_jupyter_server(buffers: list[bytes]) -> None:
    msg = _msg(buffers)
    channel, parts = deserialize_msg_from_ws_v1(encode_v1(msg))  # type: ignore[no-untyped-call]
    assert channel == "shell"
    assert [json.loads(p) for p in parts[:4]] == [
        msg["header"],
        msg["parent_header"],
        msg["metadata"],
        msg["content"],
    ]
    assert parts[4:] == buffers
    server_frame = serialize_msg_to_ws_v1(  # type: ignore[no-untyped-call]
        [json.dumps(msg[k]).encode() for k in ("header", "parent_header", "metadata", "content")]
        + buffers,
        "iopub",
    )
    decoded = decode_v1(server_frame)
    assert decoded["channel"] == "iopub"
    assert decoded["content"] == msg["content"]
    assert decoded["buffers"] == buffers


def test_legacy_framing_matches_jupyter_server() -> None:
    plain = _msg([])
    text = encode_legacy(plain)
    assert isinstance(text, str)
    assert decode_legacy(text)["content"] == plain["content"]
    with_buffers = _msg([b"abc", b"\xff"])
    frame = encode_legacy(with_buffers)
    assert isinstance(frame, bytes)
    server_view = deserialize_binary_message(frame)  # type: ignore[no-untyped-call]
    assert server_view["content"] == with_buffers["content"]
    assert server_view["buffers"] == [b"abc", b"\xff"]
    server_frame = serialize_binary_message(  # type: ignore[no-untyped-call]
        {
            "header": {"msg_type": "display_data"},
            "parent_header": {},
            "content": {"a": 1},
            "buffers": [b"12"],
        }
    )
    back = decode_legacy(server_frame)
    assert back["content"] == {"a": 1}
    assert back["buffers"] == [b"12"]


def test_decode_v1_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        decode_v1(b"\x01\x00\x00\x00\x00\x00\x00\x00")


@pytest.fixture(autouse=True)
def private_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test gets its own empty tnb config folder."""
    monkeypatch.setenv("TNB_CONFIG_DIR", str(tmp_path / "tnb-config"))
    return tmp_path / "tnb-config"


def test_config_dir_fallbacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TNB_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert store_path() == tmp_path / "xdg" / "tnb" / "servers.json"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert store_path() == tmp_path / "home" / ".config" / "tnb" / "servers.json"


def test_store_round_trip_and_mode(private_config: Path) -> None:
    assert store_path().parent == private_config
    remember_server("http://a:1/lab?token=never-saved", name="A")
    remember_server("https://hub/user/bob/", token="kept-on-purpose")
    remember_server("http://a:1/", name="A again")
    servers = {s.url: s for s in load_servers()}
    assert servers["http://a:1/"].name == "A again"
    assert servers["http://a:1/"].token is None
    assert servers["https://hub/user/bob/"].token == "kept-on-purpose"
    assert "kept-on-purpose" not in repr(servers["https://hub/user/bob/"])
    text = store_path().read_text()
    assert "never-saved" not in text
    assert stat.S_IMODE(store_path().stat().st_mode) == 0o600
    assert forget_server("https://hub/user/bob/lab")
    assert not forget_server("https://hub/user/bob/")
    assert [s.url for s in load_servers()] == ["http://a:1/"]


def test_store_ignores_a_broken_file() -> None:
    store_path().parent.mkdir(parents=True, exist_ok=True)
    store_path().write_text("{not json")
    assert load_servers() == []
    remember_server("http://b:2")
    assert [s.url for s in load_servers()] == ["http://b:2/"]


def test_address_type() -> None:
    assert isinstance(parse_server_url("http://x/"), ServerAddress)
