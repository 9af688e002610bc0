"""One kernel on a Jupyter server: its websocket, reconnects, requests and replies."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tornado.httpclient import HTTPClientError
from tornado.iostream import IOStream
from tornado.simple_httpclient import HTTPTimeoutError
from tornado.websocket import WebSocketClientConnection, WebSocketClosedError, websocket_connect

from tnb.kernels import messages
from tnb.kernels.comms import CommEndpoint, CommRouter
from tnb.kernels.debugging import DebugEndpoint
from tnb.kernels.events import (
    KernelDied,
    KernelEvent,
    KernelStatus,
)
from tnb.kernels.execution import Inbox, Item, Message, RequestLost, run_execution
from tnb.kernels.protocol import (
    Completion,
    ConnectionState,
    Inspection,
    KernelChoice,
    KernelConnectionError,
    KernelInfo,
    KernelStartError,
)
from tnb.kernels.server.rest import (
    KernelGoneError,
    ServerClient,
    ServerRequestError,
    kernel_path,
    log_debug,
)
from tnb.kernels.server.wire import (
    V1_PROTOCOL,
    decode_legacy,
    decode_v1,
    encode_legacy,
    encode_v1,
    new_message,
)

log = logging.getLogger(__name__)

# Images are megabytes; tornado's default limit is 10 MiB.
MAX_MESSAGE_SIZE = 1 << 30
# A frame this large is decoded a loop step after it arrives (see _read_loop).
LARGE_FRAME = 1 << 20
PING_INTERVAL = 20.0
# tornado caps the timeout at the interval (and prints a warning if it is longer).
PING_TIMEOUT = 20.0
REPLY_TIMEOUT = 60.0
# While a request waits this long without any message, ask the REST API whether the
# kernel still exists: a kernel deleted by another client does not always close our socket.
PROBE_AFTER = 3.0
# Some kernels never send idle after the reply; do not wait for it forever.
IDLE_GRACE = 5.0
# kernel_info is asked again at this interval (doubling to the cap) until it is answered:
# one request can be lost (a connection dying under it, a kernel restarted on new ports),
# and the server's iopub subscription joins a moment after the first reply: short first
# intervals keep that wait from adding half a second to every start (measured).
NUDGE_INTERVAL = 0.05
NUDGE_INTERVAL_MAX = 2.0
# Probing whether requests survived a reconnect: kernel_info again after this long
# (doubling to the cap) while the kernel is busy with something else.
VERIFY_INTERVAL = 1.0
VERIFY_INTERVAL_MAX = 5.0
LOST_REQUEST = (
    "the connection to the kernel dropped while this request was being sent; "
    "it may not have run (run it again)"
)
_QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)


@dataclass
class _Pending:
    """A request waiting for answers, and what we know about its delivery."""

    queue: Inbox
    # Whether a reconnect should check that the request arrived (our own kernel_info
    # probes re-send themselves instead).
    verify: bool = True
    # The connection it was written on (-1 until written); see `_verify_delivery`.
    generation: int = -1
    # Any message with it as parent arrived: it reached the kernel.
    alive: bool = False


_DIED_STARTING = (
    "it died while starting and the server gave up restarting it "
    "(its error output is in the server's log)"
)


@dataclass(frozen=True)
class ServerOptions:
    """Time limits for kernels on a server (seconds)."""

    start_timeout: float = 60.0
    reconnect_timeout: float = 30.0
    reply_timeout: float = REPLY_TIMEOUT
    # The first websocket handshake attempt; later ones double. A stock server answers
    # the handshake only after one kernel_info_request of its own, never re-sent: when
    # that one is lost, only a new handshake asks again (see `ServerKernel.connect`).
    handshake_timeout: float = 10.0


class ServerKernel(CommEndpoint, DebugEndpoint):
    """A kernel on a Jupyter server (started by us, or attached to: then never deleted)."""

    def __init__(
        self,
        client: ServerClient,
        kernel_id: str,
        choice: KernelChoice,
        *,
        owned: bool,
        server_session_id: str | None = None,
        owns_session: bool = False,
        options: ServerOptions | None = None,
    ) -> None:
        self.choice = choice
        self.kernel_id = kernel_id
        self.owned = owned
        self.server_session_id = server_session_id
        self.owns_session = owns_session
        self.session_id = uuid.uuid4().hex  # stable across reconnects: the server replays
        self.options = options or ServerOptions()
        self.subprotocol: str | None = None
        self.info: KernelInfo | None = None  # the kernel's kernel_info_reply, once answered
        self.reconnects = 0
        # Sees every message received, as (channel, message) (tests validate them).
        self.message_hook: Callable[[str, dict[str, Any]], None] | None = None
        self._client = client
        self._status: KernelStatus = "starting"
        # Told of every change of status or connection state (the session's one listener).
        self.on_status: Callable[[KernelStatus], None] | None = None
        self._ws: WebSocketClientConnection | None = None
        self._sock: socket.socket | None = None
        self._connected = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._verifier: asyncio.Task[None] | None = None
        self._pending: dict[str, _Pending] = {}
        self.comms = CommRouter(self._send_shell)
        self._generation = 0  # which websocket connection is current (+1 per reconnect)
        self._gone: str | None = None
        self._conn_state: ConnectionState | None = None  # None while connected
        self._closed = False
        self._last_message = time.monotonic()

    def __repr__(self) -> str:
        return f"ServerKernel({self.kernel_id!r}, {self._client.address.base_url!r})"

    @property
    def status(self) -> KernelStatus:
        """The kernel's last known execution state."""
        return self._status

    @property
    def died(self) -> KernelDied | None:
        """Why the kernel is gone (deleted, lost, or dead past the server's restarts)."""
        return KernelDied(reason=self._gone) if self._gone is not None else None

    @property
    def connection_file(self) -> Path | None:
        """None: a server kernel is attached again by its notebook's session or id."""
        return None

    @property
    def connection_state(self) -> ConnectionState | None:
        """How reconnecting goes while the websocket is down; None while connected."""
        return self._conn_state

    # -- connection -------------------------------------------------------------------------

    def _ws_url(self) -> str:
        return (
            self._client.address.ws_base_url
            + kernel_path(self.kernel_id, "channels")
            + f"?session_id={quote(self.session_id)}"
        )

    async def _open_socket(self, limit: float) -> WebSocketClientConnection:
        """Open the websocket; TimeoutError if the handshake takes longer than ``limit``.

        The limit is tornado's own request timeout, not asyncio's: that one closes the
        TCP connection, so the server gives up its half of the handshake too (a cancelled
        ``websocket_connect`` would leave it open, and the server waiting).
        """
        request = self._client.http_request(self._ws_url(), timeout=limit)
        try:
            conn = await websocket_connect(
                request,
                ping_interval=PING_INTERVAL,
                ping_timeout=PING_TIMEOUT,
                max_message_size=MAX_MESSAGE_SIZE,
                subprotocols=[V1_PROTOCOL],
            )
        except HTTPTimeoutError:
            raise TimeoutError from None  # "too slow", not "unreachable"
        except HTTPClientError as exc:
            if exc.code == 404:
                raise KernelGoneError(self._gone_text()) from None
            if exc.response is not None and exc.code != 599:
                raise self._client.status_error(exc.response, "kernel websocket") from None
            raise self._client.connection_error(exc, "kernel websocket") from None
        except OSError as exc:
            raise self._client.connection_error(exc, "kernel websocket") from None
        self.subprotocol = conn.selected_subprotocol
        stream = getattr(conn.protocol, "stream", None)
        if isinstance(stream, IOStream):
            # tornado's websocket client fixes its stream's buffer at 100 MB whatever
            # max_message_size says: a bigger output would close the connection.
            stream.max_buffer_size = MAX_MESSAGE_SIZE + (1 << 20)
        sock = getattr(stream, "socket", None)
        self._sock = sock if isinstance(sock, socket.socket) else None
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def _gone_text(self) -> str:
        return (
            f"kernel {self.kernel_id} no longer exists on {self._client.address.base_url} "
            "(shut down or deleted by another client)"
        )

    async def connect(self) -> None:
        """Open the websocket and wait until the kernel answers kernel_info (bounded)."""
        deadline = time.monotonic() + self.options.start_timeout
        watching = asyncio.create_task(self._watch_start())
        try:
            self._ws = await self._handshake(deadline, watching)
        finally:
            watching.cancel()
        self._connected.set()
        self._reader = asyncio.create_task(self._read_loop(), name=f"tnb-ws-{self.kernel_id}")
        remaining = max(1.0, deadline - time.monotonic())
        try:
            await self._nudge(remaining)
        except TimeoutError:
            raise KernelStartError(
                self.choice.display_name,
                f"did not answer kernel_info within {self.options.start_timeout:.0f} s "
                "(still 'starting' on the server?)",
            ) from None
        if self._status != "dead":
            self._set_status("idle")

    async def _handshake(
        self, deadline: float, watching: asyncio.Task[str]
    ) -> WebSocketClientConnection:
        """Open the first websocket, asking again while the server's handshake hangs.

        A stock server completes the handshake only once the kernel answered its single
        kernel_info_request, for up to 60 s. That request is lost when the kernel died at
        start and the server restarted it on new ports (a port taken in the instant between
        choosing and binding it, likelier on a loaded machine), or when a kernel drops it.
        Closing our attempt makes the server forget it; the next attempt sends a fresh one.
        The price, paid only then: jupyter_server 2.21 counts the abandoned attempt as a
        disconnect, so its "connections" for the kernel read one too low from then on.
        """
        limit = self.options.handshake_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KernelStartError(
                    self.choice.display_name,
                    f"still 'starting' on the server after {self.options.start_timeout:.0f} s",
                )
            # A fresh session id per attempt: a server that buffers for an abandoned
            # attempt's session would replay that (empty) buffer into the next one.
            self.session_id = uuid.uuid4().hex
            opening = asyncio.create_task(self._open_socket(min(limit, remaining)))
            await asyncio.wait({opening, watching}, return_when=asyncio.FIRST_COMPLETED)
            if not opening.done():
                # The attempt ends by its own timeout; close it if it still succeeds.
                opening.add_done_callback(_close_opened)
                raise KernelStartError(self.choice.display_name, watching.result())
            try:
                return opening.result()
            except TimeoutError:
                log_debug(
                    self._client,
                    "kernel %s: no websocket handshake within %.0f s; asking again",
                    self.kernel_id,
                    limit,
                )
                limit *= 2
            except KernelGoneError:
                raise KernelStartError(self.choice.display_name, _DIED_STARTING) from None

    async def _watch_start(self) -> str:
        """Return why the kernel will never come up (the server drops one that keeps dying)."""
        while True:
            await asyncio.sleep(1.0)
            try:
                model = await self._client.call(kernel_path(self.kernel_id), request_timeout=10.0)
            except ServerRequestError as exc:
                if exc.status == 404:
                    return _DIED_STARTING
                continue
            if isinstance(model, dict) and model.get("execution_state") == "dead":
                return _DIED_STARTING

    def _quickack(self) -> None:
        # Linux re-arms delayed ACK after every send; without this the server's Nagle
        # stalls each reply frame 40 ms (kernels.md). Must be set after every message.
        if self._sock is not None and _QUICKACK is not None:
            with contextlib.suppress(OSError):
                self._sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)

    async def _read_loop(self) -> None:
        while True:
            ws = self._ws
            if ws is None:
                return
            frame = await ws.read_message()
            if frame is not None and len(frame) >= LARGE_FRAME:
                # The task's wake-up still holds tornado's future, and through it the frame,
                # for as long as this step runs: decode in the next step, so that decoding can
                # free the frame before the content is parsed (a 50 MB output: 2.88x -> ~1.9x).
                await asyncio.sleep(0)
            if frame is None:
                if self._closed:
                    return
                if not await self._reconnect():
                    return
                continue
            self._quickack()
            self._last_message = time.monotonic()
            try:
                if self.subprotocol == V1_PROTOCOL and isinstance(frame, (bytes, bytearray)):
                    box, frame = [frame], None  # decode_v1 frees it before parsing the content
                    msg = decode_v1(box)
                else:
                    msg = decode_legacy(frame)
            except (ValueError, KeyError, IndexError, UnicodeDecodeError):
                log.warning("ignoring a malformed message from kernel %s", self.kernel_id)
                continue
            self._dispatch(msg)

    def _dispatch(self, msg: Message) -> None:
        if self.message_hook is not None:
            self.message_hook(
                str(msg.get("channel")), {k: v for k, v in msg.items() if k != "channel"}
            )
        kind = messages.msg_type(msg)
        parent = messages.parent_id(msg)
        if kind == "status" and msg.get("channel") == "iopub":
            state = (msg.get("content") or {}).get("execution_state")
            if not parent and state in ("restarting", "dead"):
                # Injected by the server: its restarter saw the kernel die.
                what = "restarting it" if state == "restarting" else "could not restart it"
                if state == "dead":
                    self._mark_gone(f"the kernel died and the server {what}")
                else:
                    self._set_status("restarting")
                    self._fail_pending(f"the kernel died; the server is {what}")
                return
            shown = messages.busy_state(msg)
            if shown is not None:
                self._set_status(shown)
        channel = str(msg.get("channel"))
        if self.comms.route(channel, msg) or self._route_debug(channel, msg):
            return
        pending = self._pending.get(parent) if parent else None
        if pending is not None:
            pending.alive = True
            pending.queue.put_nowait((str(msg.get("channel")), msg))

    def _set_status(self, status: KernelStatus) -> None:
        if status != self._status:
            self._status = status
            if self.on_status is not None:
                self.on_status(status)

    def _set_connection(self, state: ConnectionState | None) -> None:
        self._conn_state = state
        if self.on_status is not None:
            self.on_status(self._status)  # the status bar says "reconnecting (attempt n)"

    def _fail_pending(self, reason: str) -> None:
        self.comms.closed_all()
        for pending in self._pending.values():
            pending.queue.put_nowait(KernelDied(reason=reason))

    def _mark_gone(self, reason: str) -> None:
        self._gone = reason
        self._set_status("dead")
        self._connected.set()  # wake senders so they see _gone
        self._fail_pending(reason)

    async def _reconnect(self) -> bool:
        """Reconnect with the same session id (the server replays what it buffered)."""
        self._connected.clear()
        self._ws = None
        deadline = time.monotonic() + self.options.reconnect_timeout
        attempt, why = 1, ""
        self._set_connection(ConnectionState(attempt, deadline))  # shown before the first try
        delay = 0.1
        while not self._closed:
            await asyncio.sleep(delay)
            self._set_connection(ConnectionState(attempt, deadline, reason=why))
            attempt += 1
            try:
                self._ws = await self._open_socket(min(10.0, self.options.reconnect_timeout))
            except KernelGoneError as exc:
                self._set_connection(None)  # not the connection: the kernel is gone
                self._mark_gone(str(exc))
                return False
            except Exception as exc:  # any failure to connect is worth another try
                why = str(exc) or (
                    "the server did not answer in time"
                    if isinstance(exc, TimeoutError)
                    else type(exc).__name__
                )
                if time.monotonic() >= deadline:
                    self._conn_state = ConnectionState(
                        attempt - 1, deadline, gave_up=True, reason=why
                    )
                    self._mark_gone(f"lost the connection to kernel {self.kernel_id}: {why}")
                    return False
                log_debug(self._client, "reconnect to %s failed: %s", self.kernel_id, why)
                delay = min(delay * 2, 2.0)
                continue
            self.reconnects += 1
            self._generation += 1
            self._set_connection(None)
            self._connected.set()
            self._start_verifier()
            return True
        return False

    def _start_verifier(self) -> None:
        """Check that requests written before this reconnect reached the kernel."""
        if self._verifier is not None:
            self._verifier.cancel()  # the new one covers everything the old one did
        self._verifier = asyncio.create_task(
            self._verify_delivery(self._generation), name=f"tnb-verify-{self.kernel_id}"
        )

    async def _verify_delivery(self, generation: int) -> None:
        """End requests lost with a dead connection, instead of waiting for them forever.

        A frame written just before the connection died (or while the server was closing
        it) can vanish; the kernel never sees it. Resending could run a cell twice, so
        ask the kernel instead: shell requests are handled in order and a kernel publishes
        on iopub in order, so once a kernel_info sent now has come back (its idle status),
        a request that reached the kernel before it has shown a sign of life (the server
        replays what it buffered while we were away). One that has not is reported lost.
        """

        def suspects() -> list[_Pending]:
            return [
                p
                for p in self._pending.values()
                if p.verify and 0 <= p.generation < generation and not p.alive
            ]

        if not suspects():
            return
        queue = Inbox()
        probes: list[str] = []
        interval = VERIFY_INTERVAL
        replied = idle = False
        try:
            while suspects() and not idle:
                msg = new_message(
                    "kernel_info_request", {}, session=self.session_id, channel="shell"
                )
                probes.append(msg["header"]["msg_id"])
                self._pending[probes[-1]] = _Pending(queue, verify=False)
                try:
                    await self._send(msg)
                except KernelConnectionError:
                    return  # gone or closed: the pending requests were told already
                with contextlib.suppress(TimeoutError):
                    # After the reply, a short wait for idle (not every kernel sends it).
                    async with asyncio.timeout(interval) as scope:
                        while not idle:
                            item = await queue.get()
                            if not isinstance(item, tuple):
                                return
                            channel, answer = item
                            kind = messages.msg_type(answer)
                            if channel == "shell" and kind == "kernel_info_reply":
                                replied = True
                                when = scope.when()
                                soon = _soon(1.0)
                                scope.reschedule(soon if when is None else min(when, soon))
                            elif (
                                kind == "status"
                                and (answer.get("content") or {}).get("execution_state") == "idle"
                            ):
                                idle = True
                idle = idle or replied
                interval = min(interval * 2, VERIFY_INTERVAL_MAX)
            for pending in suspects():
                pending.queue.put_nowait(RequestLost(LOST_REQUEST))
        finally:
            for msg_id in probes:
                self._pending.pop(msg_id, None)

    async def _send(self, msg: Message, pending: _Pending | None = None) -> None:
        """Write ``msg``, waiting out a reconnect; never writes it twice."""
        while True:
            if self._gone is not None:
                raise KernelGoneError(self._gone)
            if self._closed:
                raise KernelConnectionError("the kernel connection is closed")
            if not self._connected.is_set():
                try:
                    await asyncio.wait_for(
                        self._connected.wait(), self.options.reconnect_timeout + 15.0
                    )
                except TimeoutError:
                    raise KernelConnectionError(
                        f"no connection to kernel {self.kernel_id}"
                    ) from None
                continue
            ws = self._ws
            if ws is None:
                await asyncio.sleep(0.05)
                continue
            frame = encode_v1(msg) if self.subprotocol == V1_PROTOCOL else encode_legacy(msg)
            if pending is not None:
                pending.generation = self._generation
            try:
                await ws.write_message(frame, binary=isinstance(frame, bytes))
                return
            except WebSocketClosedError:
                # tornado did not write the whole frame: the server cannot have run it.
                self._connection_lost(ws)

    def _connection_lost(self, ws: WebSocketClientConnection) -> None:
        """A sender found the socket dead before the reader did: reconnect now.

        The reader may never wake up (a socket closed under tornado raises no read event).
        """
        if self._ws is not ws or self._closed:
            return  # the reader is already reconnecting
        self._connected.clear()
        self._ws = None
        if self._reader is not None:
            self._reader.cancel()
        ws.close()
        self._reader = asyncio.create_task(self._recover(), name=f"tnb-ws-{self.kernel_id}")

    async def _recover(self) -> None:
        if await self._reconnect():
            await self._read_loop()

    async def reconnect(self) -> None:
        """After giving up on the connection: try again for another reconnect window.

        Raises:
            KernelConnectionError: it gave up again (or the kernel is gone, or closed).
        """
        state = self._conn_state
        if self._closed or state is None or not state.gave_up:
            if self._gone is not None:
                raise KernelGoneError(self._gone)
            return
        self._gone = None
        self._set_status("starting")
        if not await self._reconnect():
            raise KernelConnectionError(self._gone or "the kernel connection is closed")
        self._set_status("idle")
        self._reader = asyncio.create_task(self._read_loop(), name=f"tnb-ws-{self.kernel_id}")

    async def _next(self, queue: Inbox) -> Item:
        """The next answer; probes REST after silences so a deleted kernel cannot hang us."""
        while True:
            if not queue.empty():  # the common case in output floods: no timer needed
                return queue.get_nowait()
            try:
                return await asyncio.wait_for(queue.get(), PROBE_AFTER)
            except TimeoutError:
                pass
            if time.monotonic() - self._last_message >= PROBE_AFTER:
                await self._probe()

    async def _probe(self) -> None:
        try:
            model = await self._client.call(kernel_path(self.kernel_id), request_timeout=10.0)
        except ServerRequestError as exc:
            if exc.status == 404:
                self._mark_gone(self._gone_text())
            return
        except KernelConnectionError:
            return  # the websocket's reconnect loop decides when the server is gone
        if isinstance(model, dict) and model.get("execution_state") == "dead":
            self._mark_gone(f"kernel {self.kernel_id} is dead on the server")
        self._last_message = time.monotonic()

    async def _send_shell(
        self,
        msg_type: str,
        content: dict[str, Any],
        metadata: dict[str, Any],
        buffers: Sequence[bytes],
    ) -> str:
        msg = new_message(msg_type, content, session=self.session_id, channel="shell")
        msg["metadata"] = metadata
        msg["buffers"] = list(buffers)
        await self._send(msg)
        return str(msg["header"]["msg_id"])

    async def _request_shell(self, msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
        return await self._request(msg_type, content)

    async def _request_control(self, msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
        return await self._request(msg_type, content, channel="control")

    async def _request(
        self,
        msg_type: str,
        content: dict[str, Any],
        *,
        wait: float | None = None,
        channel: str = "shell",
    ) -> dict[str, Any]:
        """Send a shell (or control) request and return its reply's content."""
        msg = new_message(msg_type, content, session=self.session_id, channel=channel)
        msg_id = msg["header"]["msg_id"]
        pending = _Pending(Inbox())
        self._pending[msg_id] = pending
        reply_type = msg_type.replace("_request", "_reply")
        try:
            await self._send(msg, pending)
            async with asyncio.timeout(wait or self.options.reply_timeout):
                while True:
                    item = await self._next(pending.queue)
                    if isinstance(item, RequestLost):
                        raise KernelConnectionError(item.reason)
                    if isinstance(item, KernelDied):
                        raise KernelGoneError(item.reason)
                    came_on, answer = item
                    if came_on == channel and messages.msg_type(answer) == reply_type:
                        content_: dict[str, Any] = answer.get("content") or {}
                        return content_
        finally:
            self._pending.pop(msg_id, None)

    async def _nudge(self, limit: float) -> None:
        """kernel_info until it is answered and its iopub status arrives too (bounded).

        Asked again at a short interval: one request can be lost, and a kernel that just
        started may not be listening yet. After a restart the server's iopub subscription
        to the new process takes a moment to join; output published before that is lost,
        so wait for proof it works. Answers to any of our requests count.
        """
        queue = Inbox()
        sent: list[str] = []
        replied = iopub = False
        interval = NUDGE_INTERVAL
        try:
            async with asyncio.timeout(limit):
                while True:
                    msg = new_message(
                        "kernel_info_request", {}, session=self.session_id, channel="shell"
                    )
                    sent.append(msg["header"]["msg_id"])
                    self._pending[sent[-1]] = _Pending(queue, verify=False)
                    await self._send(msg)
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(interval):
                            while not (replied and iopub):
                                item = await queue.get()
                                if not isinstance(item, tuple):
                                    if self._gone is None:
                                        # The server is restarting a kernel that died while
                                        # starting (a port taken meanwhile): keep asking.
                                        replied = iopub = False
                                        continue
                                    raise KernelGoneError(item.reason)
                                channel, answer = item
                                if channel == "iopub":
                                    iopub = True
                                elif messages.msg_type(answer) == "kernel_info_reply":
                                    replied = True
                                    self.info = messages.kernel_info_from_reply(
                                        answer.get("content") or {}
                                    )
                    if replied and iopub:
                        return
                    interval = min(interval * 2, NUDGE_INTERVAL_MAX)
        finally:
            for msg_id in sent:
                self._pending.pop(msg_id, None)

    # -- KernelBackend ----------------------------------------------------------------------

    async def execute(
        self, code: str, *, allow_stdin: bool = True, silent: bool = False
    ) -> AsyncIterator[KernelEvent]:
        """Run ``code``; yields events and ends with ExecuteReply or KernelDied."""
        if self._gone is not None:
            yield KernelDied(reason=self._gone)
            return
        msg = new_message(
            "execute_request",
            messages.execute_content(code, silent=silent, allow_stdin=allow_stdin),
            session=self.session_id,
            channel="shell",
        )
        msg_id = msg["header"]["msg_id"]
        pending = _Pending(Inbox())
        self._pending[msg_id] = pending
        queue = pending.queue
        try:
            try:
                await self._send(msg, pending)
            except KernelConnectionError as exc:
                yield KernelDied(reason=str(exc))
                return

            async def next_item() -> Item:
                return await self._next(queue)

            run = run_execution(
                queue,
                next_item=next_item,
                input_replier=self._input_replier,
                idle_grace=IDLE_GRACE,
            )
            async with contextlib.aclosing(run) as events:
                async for event in events:
                    yield event
        finally:
            self._pending.pop(msg_id, None)

    def _input_replier(self, request: Message) -> Callable[[str], Awaitable[None]]:
        async def reply(text: str) -> None:
            await self._send(
                new_message(
                    "input_reply",
                    {"value": text},
                    session=self.session_id,
                    channel="stdin",
                    parent_header=request["header"],
                )
            )

        return reply

    async def complete(self, code: str, cursor_pos: int) -> Completion:
        """Completions at ``cursor_pos``."""
        content = await self._request("complete_request", {"code": code, "cursor_pos": cursor_pos})
        return messages.completion_from_reply(content, cursor_pos)

    async def inspect(self, code: str, cursor_pos: int, detail_level: int = 0) -> Inspection:
        """Help for the name at ``cursor_pos``."""
        content = await self._request(
            "inspect_request",
            messages.inspect_content(code, cursor_pos, detail_level),
        )
        return messages.inspection_from_reply(content)

    async def is_complete(self, code: str) -> str:
        """'complete', 'incomplete', 'invalid' or 'unknown'."""
        content = await self._request("is_complete_request", {"code": code})
        return messages.is_complete_from_reply(content)

    async def history(self, n: int = 10) -> list[tuple[int, int, str]]:
        """The last ``n`` inputs as (session, line, source)."""
        content = await self._request(
            "history_request",
            messages.history_tail_content(n),
        )
        return messages.history_from_reply(content)

    async def kernel_info(self) -> KernelInfo:
        """The kernel's kernel_info_reply."""
        return messages.kernel_info_from_reply(await self._request("kernel_info_request", {}))

    async def interrupt(self) -> None:
        """Ask the server to interrupt the kernel (it knows the kernel's interrupt mode)."""
        if self._gone is not None:
            raise KernelGoneError(self._gone)
        try:
            await self._client.call(kernel_path(self.kernel_id, "interrupt"), method="POST")
        except ServerRequestError as exc:
            if exc.status == 404:
                self._mark_gone(self._gone_text())
                raise KernelGoneError(self._gone_text()) from None
            raise

    async def restart(self) -> None:
        """Restart through the server; running executions end with KernelDied."""
        self._set_status("restarting")
        self._fail_pending("the kernel was restarted")
        try:
            await self._client.call(kernel_path(self.kernel_id, "restart"), method="POST")
        except ServerRequestError:
            # The server answers 500, not 404, for a kernel deleted by someone else.
            await self._probe()
            if self._gone is not None:
                raise KernelGoneError(self._gone) from None
            raise
        try:
            await self._nudge(self.options.start_timeout)
        except TimeoutError:
            raise KernelStartError(
                self.choice.display_name,
                f"did not come back within {self.options.start_timeout:.0f} s of a restart",
            ) from None
        self._set_status("idle")

    async def detach(self) -> None:
        """Disconnect and leave the kernel running on the server, even one we started."""
        if self._closed:
            return
        self._closed = True
        if self._verifier is not None:
            self._verifier.cancel()
        self._fail_pending("disconnected from the kernel")
        ws, self._ws = self._ws, None
        if ws is not None:
            ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self._connected.set()

    async def shutdown(self) -> None:
        """Stop the kernel if we started it, else only disconnect. Idempotent."""
        if self._closed:
            return
        owned = self.owned and self._gone is None
        await self.detach()
        if owned:
            # Deleting a session shuts its kernel down too; a kernel we started without
            # a session is deleted directly.
            path = (
                f"api/sessions/{quote(self.server_session_id, safe='')}"
                if self.owns_session and self.server_session_id
                else kernel_path(self.kernel_id)
            )
            try:
                await self._client.call(path, method="DELETE", request_timeout=30.0)
            except KernelConnectionError as exc:
                log_debug(self._client, "could not delete %s: %s", path, exc)
        self._set_status("dead")
        self._client.close()


def _soon(seconds: float) -> float:
    """The event loop's clock ``seconds`` from now (what asyncio.timeout takes)."""
    return asyncio.get_running_loop().time() + seconds


def _close_opened(task: asyncio.Task[WebSocketClientConnection]) -> None:
    """Close the websocket an abandoned handshake attempt opened after all."""
    if not task.cancelled() and task.exception() is None:
        task.result().close()
