"""An ipykernel that ignores its first kernel_info_request, as if the message were lost.

Run by test servers through a kernelspec (``python -m tests.server.forgetful_kernel -f ...``).
A stock server sends one kernel_info_request during the websocket handshake and waits for it
(60 s by default) without asking again: this kernel makes that loss happen every time.
"""

from __future__ import annotations

from typing import Any

from ipykernel.ipkernel import IPythonKernel
from ipykernel.kernelapp import IPKernelApp


class ForgetfulKernel(IPythonKernel):
    """Drops the first kernel_info_request it receives; answers every later one."""

    _forgot = False

    async def kernel_info_request(self, socket: Any, ident: Any, parent: Any) -> None:
        if not ForgetfulKernel._forgot:
            ForgetfulKernel._forgot = True
            return
        await super().kernel_info_request(socket, ident, parent)  # type: ignore[no-untyped-call]


if __name__ == "__main__":
    IPKernelApp.launch_instance(kernel_class=ForgetfulKernel)
