"""Shape checks and nbformat v4's multiline-string rules (split on save, join on load)."""

from __future__ import annotations

from typing import Any

from tnb.notebook.errors import SchemaError

# nbformat.v4.rwbase splits text/* and these two on save; everything else stays one string.
_SPLIT_NON_TEXT_MIMES = frozenset({"application/javascript", "image/svg+xml"})

_JSON_NAMES = {
    dict: "an object",
    list: "a list",
    str: "a string",
    bool: "true or false",
    int: "an integer",
    float: "a number",
    type(None): "null",
}


def describe(value: Any) -> str:
    """How a JSON value reads in an error message: 'a list', 'null', ..."""
    return _JSON_NAMES.get(type(value), type(value).__name__)


def expect_dict(value: Any, where: str) -> dict[str, Any]:
    """The value if it is a JSON object, else SchemaError."""
    if not isinstance(value, dict):
        raise SchemaError(where, f"expected an object, found {describe(value)}")
    return value


def expect_list(value: Any, where: str) -> list[Any]:
    """The value if it is a JSON list, else SchemaError."""
    if not isinstance(value, list):
        raise SchemaError(where, f"expected a list, found {describe(value)}")
    return value


def expect_str(value: Any, where: str) -> str:
    """The value if it is a string, else SchemaError."""
    if not isinstance(value, str):
        raise SchemaError(where, f"expected a string, found {describe(value)}")
    return value


def expect_int(value: Any, where: str) -> int:
    """The value if it is an integer (not a boolean), else SchemaError."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise SchemaError(where, f"expected an integer, found {describe(value)}")
    return value


def expect_count(value: Any, where: str) -> int | None:
    """An execution count: an integer or null."""
    return None if value is None else expect_int(value, where)


def expect_str_list(value: Any, where: str) -> list[str]:
    """A list of strings (a traceback), else SchemaError."""
    items = expect_list(value, where)
    for i, item in enumerate(items):
        expect_str(item, f"{where}[{i}]")
    return items


def join_multiline(value: Any, where: str) -> str:
    """A multiline string as nbformat stores it (one string or a list of lines) made one string."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(line, str) for line in value):
        return "".join(value)
    raise SchemaError(where, f"expected a string or a list of strings, found {describe(value)}")


def split_multiline(text: str) -> list[str]:
    """Lines with their endings, as nbformat's writer stores multiline strings."""
    return text.splitlines(True)


def is_json_mime(mime: str) -> bool:
    """JSON mime types keep their value as JSON, never joined or split (nbformat's rule)."""
    return mime == "application/json" or (
        mime.startswith("application/") and mime.endswith("+json")
    )


def join_bundle(value: Any, where: str) -> dict[str, Any]:
    """A mime bundle from the file, with lists of lines joined as nbformat's reader does."""
    bundle = dict(expect_dict(value, where))
    for mime, data in bundle.items():
        if (
            not is_json_mime(mime)
            and isinstance(data, list)
            and all(isinstance(line, str) for line in data)
        ):
            bundle[mime] = "".join(data)
    return bundle


def split_bundle(bundle: dict[str, Any]) -> dict[str, Any]:
    """A mime bundle for the file, with text split into lines as nbformat's writer does."""
    out = dict(bundle)
    for mime, data in out.items():
        if isinstance(data, str) and (mime.startswith("text/") or mime in _SPLIT_NON_TEXT_MIMES):
            out[mime] = data.splitlines(True)
    return out
