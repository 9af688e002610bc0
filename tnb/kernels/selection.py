"""Choosing a kernel from a provider's list: by the user's --kernel, the notebook, or language."""

from __future__ import annotations

from collections.abc import Sequence

from tnb.kernels.protocol import KernelChoice


class NoSuchKernelError(LookupError):
    """No listed kernel matches; the message says what exists and what to do."""


def _matches(choice: KernelChoice, wanted: str) -> bool:
    folded = wanted.casefold()
    return wanted in (choice.key, choice.name, choice.location) or (
        choice.display_name.casefold() == folded
    )


def _names(choices: Sequence[KernelChoice]) -> str:
    names = [c.name for c in choices if c.available and c.kind == "spec"]
    names += [c.display_name for c in choices if c.available and c.kind != "spec"]
    return ", ".join(names) if names else "none"


def select_choice(
    choices: Sequence[KernelChoice],
    *,
    wanted: str | None = None,
    notebook_kernel: str | None = None,
    language: str | None = None,
) -> KernelChoice:
    """The choice to start: ``wanted`` (key, name, display name or interpreter path), else
    the notebook's kernelspec name, else an environment beside the notebook or the first
    kernel for ``language``.

    Raises:
        NoSuchKernelError: nothing matches, or the match is unavailable (with its reason).
    """
    if wanted:
        hits = [c for c in choices if _matches(c, wanted)]
        usable = [c for c in hits if c.available]
        if usable:
            return usable[0]
        if hits:
            bad = hits[0]
            fix = f" Fix: {bad.fix}" if bad.fix else ""
            raise NoSuchKernelError(f"kernel {wanted!r} is not usable: {bad.reason}.{fix}")
        raise NoSuchKernelError(
            f"no kernel named {wanted!r}; available: {_names(choices)} (see `tnb kernels`)"
        )
    if notebook_kernel:
        for choice in choices:
            if choice.available and choice.name == notebook_kernel:
                return choice
    usable = [c for c in choices if c.available]
    if language:
        same = [c for c in usable if c.language.casefold() == language.casefold()]
        near = [c for c in same if c.details.get("near_notebook")]
        if near or same:
            return (near or same)[0]
    if notebook_kernel or language:
        what = f"kernel {notebook_kernel!r}" if notebook_kernel else f"a {language} kernel"
        raise NoSuchKernelError(
            f"the notebook asks for {what}, which is not installed; available: "
            f"{_names(choices)} (choose one with --kernel NAME)"
        )
    if usable:
        return usable[0]
    raise NoSuchKernelError("no kernel is installed (see `tnb kernels`)")
