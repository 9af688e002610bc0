"""Start-to-ready and `1+1` through an Enterprise Gateway, against a stock jupyter_server and raw.

Run: `.venv/bin/python benchmarks/gateway.py [--starts N] [--rounds N]`.
Starts Jupyter Enterprise Gateway 3 (its own cached environment, see tests/fixtures/services.py)
and a stock jupyter_server on 127.0.0.1, both with a token, and one kernelspec (this
interpreter's ipykernel) that all three use. Starts are interleaved so that load on the
machine hits every backend alike. Numbers are for comparing, not asserting.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

_HOME = Path(tempfile.mkdtemp(prefix="tnb-bench-gateway-"))
os.environ.setdefault("JUPYTER_RUNTIME_DIR", str(_HOME / "runtime"))
os.environ["JUPYTER_PATH"] = str(_HOME / "path")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.server import ms, one_plus_one, rounds  # noqa: E402
from tests.fixtures.gateway import start_enterprise_gateway  # noqa: E402
from tests.fixtures.jupyter_server import start_jupyter_server  # noqa: E402
from tnb.kernels.protocol import KernelBackend, KernelProvider  # noqa: E402
from tnb.kernels.raw.provider import LocalProvider  # noqa: E402
from tnb.kernels.selection import select_choice  # noqa: E402
from tnb.kernels.server.provider import open_server_provider  # noqa: E402

SPEC = "tnb-bench-python"


def install_spec() -> None:
    """One kernelspec for all three: this interpreter's ipykernel."""
    folder = _HOME / "path" / "kernels" / SPEC
    folder.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "bench Python", "language": "python"}
    (folder / "kernel.json").write_text(json.dumps(spec))


async def timed_start(provider: KernelProvider) -> tuple[float, KernelBackend]:
    choice = select_choice(await provider.list_choices(), wanted=SPEC)
    t0 = time.perf_counter()
    kernel = await provider.start(choice)
    return time.perf_counter() - t0, kernel


async def main(starts: int, count: int) -> None:
    install_spec()
    gateway = start_enterprise_gateway(_HOME / "gateway")
    server = start_jupyter_server(_HOME / "server", rate_limit=True)  # a stock server
    try:
        providers: dict[str, KernelProvider] = {
            "raw": LocalProvider(),
            "jupyter_server": await open_server_provider(server.url, token=server.token),
            "gateway": await open_server_provider(gateway.url, token=gateway.token),
        }
        times: dict[str, list[float]] = {name: [] for name in providers}
        for _ in range(starts):
            for name, provider in providers.items():
                took, kernel = await timed_start(provider)
                times[name].append(took)
                await kernel.shutdown()
        trips: dict[str, list[float]] = {}
        for name, provider in providers.items():
            _took, kernel = await timed_start(provider)
            trips[name] = await rounds(partial(one_plus_one, kernel), count)
            await kernel.shutdown()
        for provider in providers.values():
            close = getattr(provider, "close", None)
            if close is not None:
                await close()
    finally:
        gateway.stop()
        server.stop()

    print(f"gateway {gateway.api.get('gateway_version')}, {starts} starts, {count} round trips")
    print(f"{'measure':34} {'p50 ms':>9} {'p95 ms':>9} {'p50 / raw':>10}")
    raw_start = ms(times["raw"])[0]
    raw_trip = ms(trips["raw"])[0]
    for name, values in times.items():
        p50, p95 = ms(values)
        print(f"{'start-to-ready ' + name:34} {p50:9.1f} {p95:9.1f} {p50 / raw_start:9.2f}x")
    for name, values in trips.items():
        p50, p95 = ms(values)
        print(f"{'1+1 ' + name:34} {p50:9.1f} {p95:9.1f} {p50 / raw_trip:9.2f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main(args.starts, args.rounds))
