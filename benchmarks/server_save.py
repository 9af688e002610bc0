"""Saving a large notebook to a Jupyter server: tnb's streamed save against a plain JSON PUT.

Run: `.venv/bin/python benchmarks/server_save.py [--mb 50]`.
A notebook with one N MB output lives on a real jupyter_server. Each measurement runs in a fresh
process (peak RSS is per process): it loads the notebook, notes its RSS, saves it back, and reports
how far peak RSS grew during the save, as a multiple of N, and how long the save took.
"tnb": `ServerFiles.save` (the body streamed from the model in 256 KB pieces, version check and
checkpoint included); "bare": what a plain client does with nbformat and tornado: the notebook as a
dict, `json.dumps` of the whole body, one PUT. Never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("JUPYTER_RUNTIME_DIR", tempfile.mkdtemp(prefix="tnb-bench-"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.rss import current_mb, peak_mb

PATH = "big/save.ipynb"


def write_notebook(root: Path, mb: int) -> None:
    text = ("y" * 99 + "\n") * (mb * 10_000)
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "id": "big",
        "metadata": {},
        "outputs": [{"output_type": "stream", "name": "stdout", "text": text}],
        "source": "print(...)",
    }
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (root / "big").mkdir(parents=True, exist_ok=True)
    (root / PATH).write_text(json.dumps(nb), encoding="utf-8")


async def tnb_save(url: str, token: str) -> tuple[float, float, float]:
    from tnb.notebook.model import Notebook
    from tnb.session.launch import LaunchOptions
    from tnb.session.server_files import ServerFiles

    files = await ServerFiles.connect(LaunchOptions(server=url, token=token))
    nb = await files.open(PATH)
    assert isinstance(nb, Notebook)
    base = current_mb()
    nb.dirty = True
    start = time.perf_counter()
    await files.save(nb)
    took = time.perf_counter() - start
    files.close()
    return base, peak_mb(), took


async def bare_save(url: str, token: str) -> tuple[float, float, float]:
    import nbformat
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest

    client = AsyncHTTPClient(force_instance=True, max_body_size=1 << 30)
    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
    got = await client.fetch(f"{url}api/contents/{PATH}?content=1&type=notebook", headers=headers)
    model = json.loads(got.body)
    del got
    nb = nbformat.from_dict(model["content"])  # type: ignore[no-untyped-call]
    del model
    base = current_mb()
    start = time.perf_counter()
    body = json.dumps({"type": "notebook", "format": "json", "content": nb})
    request = HTTPRequest(
        f"{url}api/contents/{PATH}", method="PUT", headers=headers, body=body, request_timeout=600
    )
    del body
    await client.fetch(request)
    took = time.perf_counter() - start
    client.close()
    return base, peak_mb(), took


def child(kind: str, url: str, token: str) -> None:
    run = tnb_save if kind == "tnb" else bare_save
    base, peak, took = asyncio.run(run(url, token))
    print(json.dumps({"base": base, "peak": peak, "took": took}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, nargs="*", default=[50])
    parser.add_argument("--child", nargs=3, metavar=("KIND", "URL", "TOKEN"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    from tests.fixtures.jupyter_server import start_jupyter_server

    work = Path(tempfile.mkdtemp(prefix="tnb-bench-save-"))
    server = start_jupyter_server(work)
    try:
        for mb in args.mb:
            print(f"one notebook with a {mb} MB output, saved back to a jupyter_server:")
            results: dict[str, dict[str, float]] = {}
            for kind in ("bare", "tnb"):
                write_notebook(server.root_dir, mb)
                done = subprocess.run(
                    [sys.executable, __file__, "--child", kind, server.url, server.token],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                results[kind] = json.loads(done.stdout.strip().splitlines()[-1])
                grew = results[kind]["peak"] - results[kind]["base"]
                print(
                    f"  {kind:5} peak RSS grew {grew:6.0f} MB = {grew / mb:4.2f}x the output;"
                    f" save took {results[kind]['took']:.2f} s"
                )
            ratio = results["tnb"]["took"] / results["bare"]["took"]
            print(f"  time tnb/bare: {ratio:.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
