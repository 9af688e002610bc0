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


# The kernelspec Jupyter installs as a language's default, where it is not the language's own name.
_DEFAULT_SPEC = {"python": "python3"}


def _by_preference(choices: Sequence[KernelChoice], language: str | None) -> list[KernelChoice]:
    """``choices`` best first: an environment beside the notebook, then the language's default
    kernelspec (``python3`` for Python), then the rest as listed: never whatever sorts first."""
    folded = (language or "python").casefold()
    default = _DEFAULT_SPEC.get(folded, folded)

    def rank(choice: KernelChoice) -> int:
        if choice.details.get("near_notebook"):
            return 0
        if choice.kind == "spec" and choice.name == default:
            return 1
        return 2

    return sorted(choices, key=rank)  # stable: the rest keep the provider's order


def why_chosen(
    choice: KernelChoice,
    *,
    wanted: str | None = None,
    notebook_kernel: str | None = None,
    remembered: str | None = None,
) -> str:
    """Why ``select_choice`` took ``choice``, in words for the user."""
    if wanted:
        return "asked for with --kernel"
    if remembered and choice.key == remembered:
        return "the environment this notebook last ran on"
    if notebook_kernel and choice.name == notebook_kernel:
        return "named in the notebook"
    if choice.details.get("near_notebook"):
        return "the environment beside the notebook"
    if notebook_kernel:
        return f"the notebook's {notebook_kernel!r} is not installed here; the default"
    return f"the default for {choice.language}"


def select_choice(
    choices: Sequence[KernelChoice],
    *,
    wanted: str | None = None,
    notebook_kernel: str | None = None,
    language: str | None = None,
    remembered: str | None = None,
) -> KernelChoice:
    """The choice to start: ``wanted`` (key, name, display name or interpreter path), else
    ``remembered`` (the key of the environment the notebook last ran on), else the notebook's
    kernelspec name, else for ``language`` an environment beside the notebook,
    else the language's default kernelspec (``python3``), else the first listed.

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
    if remembered:
        for choice in choices:
            if choice.available and choice.key == remembered:
                return choice
    if notebook_kernel:
        for choice in choices:
            if choice.available and choice.name == notebook_kernel:
                return choice
    usable = _by_preference([c for c in choices if c.available], language)
    if language:
        same = [c for c in usable if c.language.casefold() == language.casefold()]
        if same:
            return same[0]
    if notebook_kernel or language:
        what = f"kernel {notebook_kernel!r}" if notebook_kernel else f"a {language} kernel"
        raise NoSuchKernelError(
            f"the notebook asks for {what}, which is not installed; available: "
            f"{_names(choices)} (choose one with --kernel NAME)"
        )
    if usable:
        return usable[0]
    raise NoSuchKernelError("no kernel is installed (see `tnb kernels`)")
