"""The lower layers load no UI library: checked in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["tnb.notebook", "tnb.kernels", "tnb.session", "tnb.headless"])
def test_lower_layer_imports_no_ui(module: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module({module!r})\n"
        "for info in pkgutil.walk_packages(getattr(pkg, '__path__', []), pkg.__name__ + '.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "bad += sorted(m for m in sys.modules if m.startswith('tnb.ui'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"{module} pulled in UI modules: {out}"


def test_no_layer_above_the_kernels_probes_a_backend_or_provider() -> None:
    """The protocol declares what the UI, runner and front ends use (mypy checks it); a
    capability is asked about in one place inside tnb/kernels, never with getattr/hasattr."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "tnb"
    found: list[str] = []
    for path in sorted(root.rglob("*.py")):
        if path.is_relative_to(root / "kernels"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr", "setattr")
                and node.args
            ):
                target = ast.unparse(node.args[0]).casefold()
                if any(word in target for word in ("backend", "provider", "choice")):
                    found.append(f"{path.relative_to(root.parent)}:{node.lineno} {target}")
    assert found == []


def test_no_import_cycles() -> None:
    """No module imports one that imports it back, at run time (TYPE_CHECKING imports do
    not run): each module has a place in the floors, above what it uses."""
    import grimp

    graph = grimp.build_graph("tnb", exclude_type_checking_imports=True)
    cycles = sorted(
        {
            tuple(sorted((module, imported)))
            for module in graph.modules
            for imported in graph.find_modules_directly_imported_by(module)
            if graph.chain_exists(importer=imported, imported=module)
        }
    )
    assert cycles == []
