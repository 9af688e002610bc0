"""MIME ranking: which entry of a Jupyter output bundle draws best in a terminal."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp")

# Best first. Pictures beat text because a figure's text/plain is only "<Figure size ...>";
# html beats latex and json because pandas and most rich reprs put their table there.
RANKED_TYPES = (
    *IMAGE_TYPES,
    "text/markdown",
    "text/html",
    "text/latex",
    "application/json",
    "image/svg+xml",
    "text/plain",
)


def rank_mime(bundle: Mapping[str, Any], *, images: bool = True) -> list[str]:
    """The drawable MIME types of ``bundle``, best first; empty if nothing there can be drawn.

    Args:
        bundle: An output's ``data`` dict (MIME type -> data).
        images: False when pictures are turned off: image types are then skipped.
    """
    return [
        mime
        for mime in RANKED_TYPES
        if mime in bundle and (images or mime not in IMAGE_TYPES) and bundle[mime] is not None
    ]


def best_mime(bundle: Mapping[str, Any], *, images: bool = True) -> str | None:
    """The one MIME type of ``bundle`` to draw, or None when none is drawable."""
    ranked = rank_mime(bundle, images=images)
    return ranked[0] if ranked else None
