"""Kernel choice listing and selection, without starting kernels."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from tnb.kernels.protocol import KernelChoice
from tnb.kernels.raw.kernel import LaunchSpec, kernel_env
from tnb.kernels.raw.provider import LocalProvider, _spec_to_launch, launch_spec_of
from tnb.kernels.selection import NoSuchKernelError, select_choice, why_chosen


def choice(name: str, language: str = "python", **kw: object) -> KernelChoice:
    return KernelChoice(
        key=f"spec:{name}",
        backend="raw",
        kind="spec",
        name=name,
        display_name=name.title(),
        language=language,
        location="/x",
        **kw,  # type: ignore[arg-type]
    )


def test_select_by_wanted_notebook_and_language() -> None:
    choices = [choice("python3"), choice("bash", "bash"), choice("ir", "R")]
    assert select_choice(choices, wanted="bash").name == "bash"
    assert select_choice(choices, wanted="Ir").name == "ir"  # display name, any case
    assert select_choice(choices, notebook_kernel="ir").name == "ir"
    assert select_choice(choices, notebook_kernel="gone", language="bash").name == "bash"
    with pytest.raises(NoSuchKernelError, match=r"no kernel named 'julia'.*python3, bash, ir"):
        select_choice(choices, wanted="julia")
    with pytest.raises(NoSuchKernelError, match=r"asks for kernel 'julia-1.9'"):
        select_choice(choices, notebook_kernel="julia-1.9", language="julia")


def test_unavailable_match_explains_itself() -> None:
    broken = choice("env", available=False, reason="ipykernel is not installed", fix="pip it")
    with pytest.raises(NoSuchKernelError, match=r"not usable: ipykernel is not installed.*pip it"):
        select_choice([broken], wanted="env")


def test_environment_near_notebook_preferred_for_language() -> None:
    plain = choice("python3")
    near = KernelChoice(
        key="env:/p/.venv",
        backend="raw",
        kind="environment",
        name="env:/p/.venv",
        display_name="Python (.venv)",
        language="python",
        location="/p/.venv/bin/python",
        details={"near_notebook": True},
    )
    assert select_choice([plain, near], language="python") is near
    assert select_choice([plain, near], notebook_kernel="python3", language="python") is plain


def test_bare_python_in_an_environment_spec_means_that_environment(tmp_path: Path) -> None:
    prefix = tmp_path / "env"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "python").write_text("")
    resource = prefix / "share" / "jupyter" / "kernels" / "py"
    spec = {"argv": ["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]}
    launch, location = _spec_to_launch("py", spec, str(resource))
    assert launch.argv[0] == str(prefix / "bin" / "python") == location
    assert launch.bin_dir == str(prefix / "bin")
    elsewhere, _ = _spec_to_launch("py", spec, str(tmp_path / "kernels" / "py"))
    assert elsewhere.argv[0] == sys.executable  # jupyter_client's own rule


def test_kernel_env_order() -> None:
    spec = LaunchSpec(
        name="x",
        display_name="x",
        language="python",
        argv=["x"],
        env={"A": "spec", "B": "spec", "C": "${BASE}/more"},
        bin_dir="/opt/env/bin",
    )
    env = kernel_env(spec, {"B": "user"}, base={"A": "os", "BASE": "/b", "PATH": "/usr/bin"})
    assert (env["A"], env["B"], env["C"]) == ("spec", "user", "/b/more")
    assert env["PATH"] == os.pathsep.join(["/opt/env/bin", "/usr/bin"])


async def test_list_choices_round_trips_launch_specs(tmp_path: Path) -> None:
    kernels = Path(os.environ["JUPYTER_PATH"]) / "kernels" / "tnb-listing"
    kernels.mkdir(parents=True, exist_ok=True)
    (kernels / "kernel.json").write_text(
        json.dumps(
            {
                "argv": ["/bin/true", "{connection_file}"],
                "display_name": "Listing",
                "language": "fortran",
                "interrupt_mode": "message",
                "env": {"K": "V"},
            }
        )
    )
    choices = await LocalProvider(notebook_dir=tmp_path).list_choices()
    mine = next(c for c in choices if c.name == "tnb-listing")
    assert (mine.kind, mine.language, mine.display_name) == ("spec", "fortran", "Listing")
    launch = launch_spec_of(mine)
    assert launch.argv == ["/bin/true", "{connection_file}"]
    assert launch.interrupt_mode == "message" and launch.env == {"K": "V"}


def test_default_is_python3_never_whatever_sorts_first() -> None:
    decoy = choice("aaa")  # a kernelspec "Aaa" listed first, as alphabetical order puts it
    env = KernelChoice("env:/p", "raw", "environment", "p", "p", "python", "/p/bin/python")
    choices = [decoy, choice("bash", "bash"), env, choice("python3")]
    assert select_choice(choices, language="python").name == "python3"
    assert select_choice(choices).name == "python3"  # no language known: still python3
    assert select_choice(choices, notebook_kernel="gone", language="python").name == "python3"
    assert select_choice([decoy, env], language="python").name == "aaa"  # nothing better: listed
    assert select_choice(choices, language="bash").name == "bash"


def test_why_chosen_names_the_rule() -> None:
    py = choice("python3")
    assert why_chosen(py, wanted="python3") == "asked for with --kernel"
    assert why_chosen(py, notebook_kernel="python3") == "named in the notebook"
    assert why_chosen(py) == "the default for python"
    assert "'gone' is not installed" in why_chosen(py, notebook_kernel="gone")


def test_the_remembered_environment_comes_first_and_is_saved_as_python3() -> None:
    near = KernelChoice(
        key="env:/p",
        backend="raw",
        kind="environment",
        name="env:/p",
        display_name="Python 3.11 (.venv in /p)",
        language="python",
        location="/p/bin/python",
    )
    choices = [choice("python3"), near]
    assert select_choice(choices, notebook_kernel="python3", remembered="env:/p") is near
    assert (
        select_choice(choices, notebook_kernel="python3", remembered="env:/gone").name == "python3"
    )
    assert select_choice(choices, notebook_kernel="python3").name == "python3"
    why = why_chosen(near, notebook_kernel="python3", remembered="env:/p")
    assert why == "the environment this notebook last ran on"
    spec = near.kernelspec()
    assert spec is not None and (spec.name, spec.language) == ("python3", "python")
    assert spec.display_name == "Python 3.11 (.venv in /p)"
