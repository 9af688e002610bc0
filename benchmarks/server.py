"""tnb's server backend against the raw backend and a bare websocket client, on a stock server.

Run: `.venv/bin/python benchmarks/server.py [--starts N] [--rounds N]`.
Starts one stock jupyter_server (default iopub limits, a token) on 127.0.0.1 and measures
start-to-ready and the `1+1` round trip (request sent -> execute_reply and idle received):
tnb server backend with and without TCP_QUICKACK, tnb raw backend, and a bare tornado
websocket client with no tricks. Numbers are for comparing, not asserting.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("JUPYTER_RUNTIME_DIR", tempfile.mkdtemp(prefix="tnb-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

import tnb.kernels.server.kernel as server_module
from tests.fixtures.jupyter_server import JupyterServer, start_jupyter_server
from tnb.kernels.events import ExecuteReply
from tnb.kernels.protocol import KernelBackend
from tnb.kernels.raw.provider import LocalProvider
from tnb.kernels.selection import select_choice
from tnb.kernels.server.provider import ServerProvider, open_server_provider


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def ms(values: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    return pct(values, 0.5) * 1000, pct(values, 0.95) * 1000


async def one_plus_one(kernel: KernelBackend) -> float:
    """Seconds for one `1+1` through a tnb backend."""
    t0 = time.perf_counter()
    last = None
    async for event in kernel.execute("1+1"):
        last = event
    assert isinstance(last, ExecuteReply), last
    return time.perf_counter() - t0


class BareClient:
    """The plainest websocket client: legacy JSON frames, no socket options."""

    def __init__(self, server: JupyterServer) -> None:
        self.server = server
        self.headers = {"Authorization": f"token {server.token}"}
        self.http = AsyncHTTPClient(force_instance=True)
        self.session = uuid.uuid4().hex
        self.kernel_id = ""
        self.ws: Any = None

    def _msg(self, msg_type: str, content: dict[str, Any]) -> tuple[str, str]:
        msg_id = uuid.uuid4().hex
        msg = {
            "header": {
                "msg_id": msg_id,
                "msg_type": msg_type,
                "username": "bench",
                "session": self.session,
                "date": "2026-01-01T00:00:00Z",
                "version": "5.3",
            },
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": "shell",
        }
        return msg_id, json.dumps(msg)

    async def _until_done(self, msg_id: str, reply_type: str) -> None:
        replied = idle = False
        while not (replied and idle):
            frame = await self.ws.read_message()
            assert frame is not None, "websocket closed"
            if isinstance(frame, bytes):
                continue
            msg = json.loads(frame)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            replied = replied or kind == reply_type
            idle = idle or (kind == "status" and msg["content"]["execution_state"] == "idle")

    async def start(self) -> float:
        t0 = time.perf_counter()
        response = await self.http.fetch(
            HTTPRequest(
                self.server.url + "api/kernels",
                method="POST",
                headers=self.headers,
                body=json.dumps({"name": "python3"}),
            )
        )
        self.kernel_id = json.loads(response.body)["id"]
        url = self.server.url.replace("http://", "ws://")
        self.ws = await websocket_connect(
            HTTPRequest(
                f"{url}api/kernels/{self.kernel_id}/channels?session_id={self.session}",
                headers=self.headers,
            )
        )
        msg_id, text = self._msg("kernel_info_request", {})
        await self.ws.write_message(text)
        await self._until_done(msg_id, "kernel_info_reply")
        return time.perf_counter() - t0

    async def one_plus_one(self) -> float:
        msg_id, text = self._msg(
            "execute_request",
            {"code": "1+1", "silent": False, "store_history": True, "user_expressions": {}},
        )
        t0 = time.perf_counter()
        await self.ws.write_message(text)
        await self._until_done(msg_id, "execute_reply")
        return time.perf_counter() - t0

    async def stop(self) -> None:
        self.ws.close()
        await self.http.fetch(
            HTTPRequest(
                f"{self.server.url}api/kernels/{self.kernel_id}",
                method="DELETE",
                headers=self.headers,
            )
        )
        self.http.close()


async def rounds(measure: Callable[[], Awaitable[float]], count: int) -> list[float]:
    """``count`` timed calls after a few warm-up ones."""
    for _ in range(5):
        await measure()
    return [await measure() for _ in range(count)]


async def server_start(provider: ServerProvider) -> tuple[float, KernelBackend]:
    choice = next(c for c in await provider.list_choices() if c.name == "python3")
    t0 = time.perf_counter()
    kernel = await provider.start(choice)
    return time.perf_counter() - t0, kernel


async def main(starts: int, count: int) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="tnb-bench-server-"))
    server = start_jupyter_server(workdir, rate_limit=True)  # a stock server
    rows: list[tuple[str, list[float]]] = []
    try:
        provider = await open_server_provider(server.url, token=server.token)
        local = LocalProvider()
        raw_choice = select_choice(await local.list_choices(), wanted="python3")

        times: dict[str, list[float]] = {"server": [], "raw": [], "bare": []}
        for _ in range(starts):
            took, kernel = await server_start(provider)
            times["server"].append(took)
            await kernel.shutdown()
            t0 = time.perf_counter()
            raw = await local.start(raw_choice)
            times["raw"].append(time.perf_counter() - t0)
            await raw.shutdown()
            bare = BareClient(server)
            times["bare"].append(await bare.start())
            await bare.stop()
        rows += [(f"start-to-ready {k}", v) for k, v in times.items()]

        _, kernel = await server_start(provider)
        rows.append(("1+1 tnb server", await rounds(lambda: one_plus_one(kernel), count)))
        quickack = server_module._QUICKACK
        server_module._QUICKACK = None
        rows.append(
            ("1+1 tnb server, no QUICKACK", await rounds(lambda: one_plus_one(kernel), count))
        )
        server_module._QUICKACK = quickack
        await kernel.shutdown()
        raw = await local.start(raw_choice)
        rows.append(("1+1 tnb raw", await rounds(lambda: one_plus_one(raw), count)))
        await raw.shutdown()
        bare = BareClient(server)
        await bare.start()
        rows.append(("1+1 bare websocket", await rounds(bare.one_plus_one, count)))
        await bare.stop()
        await provider.close()
    finally:
        server.stop()

    print(f"{'measure':32} {'p50 ms':>9} {'p95 ms':>9}")
    for label, values in rows:
        p50, p95 = ms(values)
        print(f"{label:32} {p50:9.1f} {p95:9.1f}")
    by_label = {label: ms(values)[0] for label, values in rows}
    raw_p50 = by_label["1+1 tnb raw"]
    print(f"1+1 server/raw p50 ratio: {by_label['1+1 tnb server'] / raw_p50:.2f}x")
    print(f"1+1 bare-websocket/raw p50 ratio: {by_label['1+1 bare websocket'] / raw_p50:.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.starts, args.rounds))
