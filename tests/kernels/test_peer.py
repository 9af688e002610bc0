"""jupyter_kernel_test's own peer suite, driven through tnb's raw backend by a small adapter.

KernelTests only touches a blocking client (``kc``): the adapter runs a RawKernel on an
event loop in a thread and feeds the raw messages it receives into per-channel queues.
"""

from __future__ import annotations

import asyncio
import os
import queue
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, ClassVar

import jupyter_kernel_test

from tests.fixtures.kernelspecs import install_bash_kernelspec
from tnb.kernels.raw.kernel import RawKernel
from tnb.kernels.raw.provider import LocalProvider
from tnb.kernels.selection import select_choice


class _Channel:
    def __init__(self) -> None:
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()

    def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        return self.messages.get(timeout=timeout)  # raises queue.Empty as jupyter_client does


class BlockingAdapter:
    """The part of jupyter_client's BlockingKernelClient that KernelTests uses."""

    def __init__(self, kernel_name: str, transport: str = "ipc") -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.shell_channel = _Channel()
        self.iopub_channel = _Channel()
        self.kernel: RawKernel = self._call(self._start(kernel_name, transport))

    def _call(self, coro: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout=120)

    async def _start(self, kernel_name: str, transport: str) -> RawKernel:
        provider = LocalProvider(transport=transport)  # type: ignore[arg-type]
        choice = select_choice(await provider.list_choices(), wanted=kernel_name)
        kernel = await provider.start(choice)
        assert isinstance(kernel, RawKernel)
        kernel.message_hook = self._hook
        return kernel

    def _hook(self, channel: str, msg: dict[str, Any]) -> None:
        if msg["header"]["msg_type"] == "iopub_welcome":
            return  # JEP 65: not in the v5.1 schemas the suite validates against
        if channel == "shell":
            self.shell_channel.messages.put(msg)
        elif channel == "iopub":
            self.iopub_channel.messages.put(msg)

    def _send(self, msg_type: str, content: dict[str, Any]) -> str:
        msg_id: str = self._call(self.kernel.send_raw("shell", msg_type, content))
        return msg_id

    def get_shell_msg(self, timeout: float | None = None) -> dict[str, Any]:
        return self.shell_channel.get_msg(timeout)

    def kernel_info(self) -> str:
        return self._send("kernel_info_request", {})

    def execute(
        self,
        code: str,
        silent: bool = False,
        store_history: bool = True,
        user_expressions: dict[str, Any] | None = None,
        allow_stdin: bool = False,
        stop_on_error: bool = True,
    ) -> str:
        content = {
            "code": code,
            "silent": silent,
            "store_history": store_history,
            "user_expressions": user_expressions or {},
            "allow_stdin": allow_stdin,
            "stop_on_error": stop_on_error,
        }
        return self._send("execute_request", content)

    def complete(self, code: str, cursor_pos: int | None = None) -> str:
        pos = len(code) if cursor_pos is None else cursor_pos
        return self._send("complete_request", {"code": code, "cursor_pos": pos})

    def inspect(self, code: str, cursor_pos: int | None = None, detail_level: int = 0) -> str:
        pos = len(code) if cursor_pos is None else cursor_pos
        content = {"code": code, "cursor_pos": pos, "detail_level": detail_level}
        return self._send("inspect_request", content)

    def history(
        self,
        raw: bool = True,
        output: bool = False,
        hist_access_type: str = "range",
        **kwargs: Any,
    ) -> str:
        content = {"raw": raw, "output": output, "hist_access_type": hist_access_type, **kwargs}
        return self._send("history_request", content)

    def is_complete(self, code: str) -> str:
        return self._send("is_complete_request", {"code": code})

    def stop_channels(self) -> None:
        self._call(self.kernel.shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=30)
        self.loop.close()


class _TnbPeerTests(jupyter_kernel_test.KernelTests):  # type: ignore[misc]
    __test__ = False  # pytest collects every TestCase; only the subclasses below are suites
    adapter: ClassVar[BlockingAdapter]

    @classmethod
    def setUpClass(cls) -> None:
        cls.adapter = BlockingAdapter(cls.kernel_name)
        cls.kc = cls.adapter

    @classmethod
    def tearDownClass(cls) -> None:
        cls.adapter.stop_channels()


class TestPythonPeer(_TnbPeerTests):
    """ipykernel through tnb, with ipykernel's own samples."""

    __test__ = True
    kernel_name = "python3"
    language_name = "python"
    file_extension = ".py"
    code_hello_world = "print('hello, world')"
    code_stderr = "import sys; print('test', file=sys.stderr)"
    completion_samples: ClassVar[list[dict[str, Any]]] = [{"text": "zi", "matches": {"zip"}}]
    complete_code_samples: ClassVar[list[str]] = [
        "1",
        "print('hello, world')",
        "def f(x):\n  return x*2\n\n\n",
    ]
    incomplete_code_samples: ClassVar[list[str]] = ["print('''hello", "def f(x):\n  x*2"]
    invalid_code_samples: ClassVar[list[str]] = ["import = 7q"]
    code_page_something = "print?"
    code_generate_error = "raise"
    code_execute_result: ClassVar[list[dict[str, str]]] = [{"code": "1+2+3", "result": "6"}]
    code_display_data: ClassVar[list[dict[str, str]]] = [
        {
            "code": "from IPython.display import HTML, display; display(HTML('<b>test</b>'))",
            "mime": "text/html",
        }
    ]
    # Not "range": IPython numbers the current session 0 in range replies, as ipykernel's
    # own use of this suite accounts for.
    supported_history_operations = ("tail", "search")
    code_history_pattern = "1?2*"
    code_inspect_sample = "zip"
    code_clear_output = "from IPython.display import clear_output; clear_output()"


class TestBashPeer(_TnbPeerTests):
    """bash_kernel through tnb: a kernel that is not ipykernel's Python."""

    __test__ = True
    kernel_name = "bash"
    language_name = "bash"
    file_extension = ".sh"
    code_hello_world = "echo 'hello, world'"
    # No code_stderr: bash_kernel runs bash under a pty, so stderr arrives as stdout.
    completion_samples: ClassVar[list[dict[str, Any]]] = [{"text": "ech", "matches": {"echo"}}]
    code_display_data: ClassVar[list[dict[str, str]]] = []

    @classmethod
    def setUpClass(cls) -> None:
        kernels = Path(os.environ["JUPYTER_PATH"].split(os.pathsep)[0]) / "kernels"
        if install_bash_kernelspec(kernels) is None:
            import unittest

            raise unittest.SkipTest("bash_kernel could not be installed here")
        super().setUpClass()
