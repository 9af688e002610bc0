"""LaTeX math to Unicode boxes: pylatexenc parses and names the symbols, the layout is ours."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal

from rich.cells import cell_len

from tnb.ui.render.math_layout import (
    EMPTY,
    Align,
    Box,
    delimiter,
    fenced,
    fraction,
    grid,
    hcat,
    limits,
    over_under,
    radical,
    scripts,
    stack,
    text,
    vstack,
)

AtomClass = Literal["ord", "op", "bin", "rel", "open", "close", "punct", "space"]


class Unconvertible(Exception):
    """The formula uses something this converter does not draw."""


@dataclass
class _Atom:
    box: Box
    cls: AtomClass = "ord"
    limits: bool = False  # scripts go over and under in display style (sums, lim)
    delim: str = ""  # a \middle delimiter still to stretch


def _words(value: str) -> frozenset[str]:
    return frozenset(value.split())


def _words_in_order(value: str) -> list[str]:
    return value.split()


# -- symbol tables ----------------------------------------------------------------------------

_OWN_SYMBOLS = {
    "epsilon": "ϵ", "varepsilon": "ε", "phi": "ϕ", "varphi": "φ", "Re": "ℜ", "Im": "ℑ",
    "iff": "⟺", "implies": "⟹", "impliedby": "⟸", "to": "→", "gets": "←", "|": "‖",
    "{": "{", "}": "}", "lbrace": "{", "rbrace": "}", "%": "%", "$": "$", "&": "&", "#": "#",
    "_": "_", "backslash": "∖", "setminus": "∖", "vert": "|", "Vert": "‖", "lvert": "|",
    "rvert": "|", "lVert": "‖", "rVert": "‖", "mid": "∣", "cdot": "⋅", "ldots": "…",
    "dots": "…", "cdots": "⋯", "dotsc": "…", "dotsb": "⋯", "vdots": "⋮", "ddots": "⋱",
    "colon": ":", "ell": "ℓ", "hbar": "ℏ", "emptyset": "∅", "varnothing": "∅", "prime": "′",
    "lim": "lim", "neg": "¬", "lnot": "¬", "land": "∧", "lor": "∨", "le": "≤", "ge": "≥",
    "ne": "≠", "leq": "≤", "geq": "≥", "neq": "≠", "leqslant": "⩽", "geqslant": "⩾",
    "intercal": "⊺", "top": "⊤", "bot": "⊥", "square": "□", "Box": "□", "blacksquare": "■",
    "checkmark": "✓", "degree": "°", "circ": "∘", "ast": "∗", "star": "⋆",
    "triangleq": "≜", "coloneqq": "≔", "eqqcolon": "≕", "lll": "⋘", "ggg": "⋙",
    "dagger": "†", "ddagger": "‡", "angle": "∠", "measuredangle": "∡", "therefore": "∴",
    "because": "∵", "qed": "∎", "lt": "<", "gt": ">",
}  # fmt: skip
_SPACES = {",": " ", ":": " ", ">": " ", ";": " ", " ": " ", "quad": "  ", "qquad": "    ",
           "enspace": " ", "thinspace": " ", "medspace": " ", "thickspace": " ", "!": "",
           "negthinspace": "", "space": " ", "nobreakspace": " ", "\n": " "}  # fmt: skip
_FUNCTIONS = _words(
    "sin cos tan cot sec csc arcsin arccos arctan arccot sinh cosh tanh coth sech csch log ln lg "
    "exp deg dim hom ker arg sgn"
)
_LIMIT_FUNCTIONS = _words("lim liminf limsup max min sup inf det gcd lcm Pr argmax argmin")
_BIG_OPERATORS = {
    "sum": "∑", "prod": "∏", "coprod": "∐", "bigcup": "⋃", "bigcap": "⋂", "bigvee": "⋁",
    "bigwedge": "⋀", "bigoplus": "⨁", "bigotimes": "⨂", "bigodot": "⨀", "biguplus": "⨄",
    "bigsqcup": "⨆",
}  # fmt: skip
_INTEGRALS = {"int": "∫", "iint": "∬", "iiint": "∭", "oint": "∮", "oiint": "∯", "intop": "∫"}
_IGNORED = _words(
    "displaystyle textstyle scriptstyle scriptscriptstyle nonumber notag nolimits mathstrut "
    "strut allowbreak limits relax protect nobreak"
)
_FONT_SIZES = _words("tiny scriptsize footnotesize small normalsize large Large LARGE huge Huge")
# Old font switches: they apply to the rest of the group ({\bf X}).
_SWITCHES = {"bf": "BOLD", "rm": "", "it": "", "sf": "", "tt": "", "cal": "SCRIPT"}
_SIZES = _words(
    "big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr bigm Bigm biggm Biggm"
)
_ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "check": "\u030c", "tilde": "\u0303",
    "widetilde": "\u0303", "acute": "\u0301", "grave": "\u0300", "dot": "\u0307",
    "ddot": "\u0308", "dddot": "\u20db", "breve": "\u0306", "bar": "\u0304", "vec": "\u20d7",
    "mathring": "\u030a", "overline": "\u0305", "underline": "\u0332",
    "overrightarrow": "\u20d7", "overleftarrow": "\u20d6",
}  # fmt: skip
_FONTS = {
    "mathbb": "DOUBLE-STRUCK", "Bbb": "DOUBLE-STRUCK", "mathcal": "SCRIPT", "mathscr": "SCRIPT",
    "mathfrak": "FRAKTUR", "mathbf": "BOLD", "boldsymbol": "BOLD", "bm": "BOLD", "pmb": "BOLD",
    "mathrm": "", "mathit": "", "mathsf": "", "mathtt": "", "mathnormal": "", "mathup": "",
}  # fmt: skip
_TEXTS = _words("text textrm textit textbf textsf texttt textnormal mbox hbox emph textup")
# Letters Unicode placed in the Letterlike Symbols block instead of the math alphabets.
_FONT_HOLES = {
    ("DOUBLE-STRUCK", "C"): "ℂ", ("DOUBLE-STRUCK", "H"): "ℍ", ("DOUBLE-STRUCK", "N"): "ℕ",
    ("DOUBLE-STRUCK", "P"): "ℙ", ("DOUBLE-STRUCK", "Q"): "ℚ", ("DOUBLE-STRUCK", "R"): "ℝ",
    ("DOUBLE-STRUCK", "Z"): "ℤ", ("SCRIPT", "B"): "ℬ", ("SCRIPT", "E"): "ℰ",
    ("SCRIPT", "F"): "ℱ", ("SCRIPT", "H"): "ℋ", ("SCRIPT", "I"): "ℐ", ("SCRIPT", "L"): "ℒ",
    ("SCRIPT", "M"): "ℳ", ("SCRIPT", "R"): "ℛ", ("SCRIPT", "e"): "ℯ", ("SCRIPT", "g"): "ℊ",
    ("SCRIPT", "o"): "ℴ", ("FRAKTUR", "C"): "ℭ", ("FRAKTUR", "H"): "ℌ", ("FRAKTUR", "I"): "ℑ",
    ("FRAKTUR", "R"): "ℜ", ("FRAKTUR", "Z"): "ℨ",
}  # fmt: skip
_DIGIT_NAMES = tuple(_words_in_order("ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE"))
_SUPERSCRIPTS = dict(
    zip(
        "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθιφχ′*∗",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᶥᵠᵡ′**",
        strict=True,
    )
)
_SUBSCRIPTS = dict(
    zip(
        "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)
_REL = frozenset("=<>≤≥≠≈≡∼≃≅∝∈∉∋⊂⊃⊆⊇⊊⊋≪≫≺≻⪯⪰⊢⊨∣∥⊥≜≔≕:⩽⩾≲≳≐≍⊏⊐⊑⊒≺≻∌≮≯⊄⊅⊈⊉")
_BIN = frozenset("+−±∓×÷⋅·∗∘⊕⊗⊖⊘⊙∧∨∩∪∖⋆†‡⊎⊓⊔△▽◁▷≀⨿")
_OPEN = frozenset("([{⟨⌈⌊⟦")
_CLOSE = frozenset(")]}⟩⌉⌋⟧")
# Environments laid out as grids: (left bracket, right bracket).
_MATRICES = {
    "matrix": ("", ""), "smallmatrix": ("", ""), "pmatrix": ("(", ")"), "bmatrix": ("[", "]"),
    "Bmatrix": ("{", "}"), "vmatrix": ("|", "|"), "Vmatrix": ("‖", "‖"),
}  # fmt: skip
_ALIGNED = _words("aligned align align* alignat alignat* split eqnarray eqnarray* flalign flalign*")
_GATHERED = _words("gathered gather gather* equation equation* multline multline* displaymath")
_CASES = _words("cases dcases rcases")


@cache
def _pylatexenc_symbols() -> dict[str, str]:
    """Macro name -> Unicode text, from pylatexenc's tables (loaded on the first formula)."""
    from pylatexenc.latex2text import _defaultspecs

    table: dict[str, str] = {}
    for category, specs in _defaultspecs.specs:
        if category not in ("latex-base", "advanced-symbols"):
            continue  # the others approximate (\cite -> "<cit.>") or are experiments
        for spec in specs["macros"]:
            value = getattr(spec, "simplify_repl", None)
            # Plain symbols only: a replacement with letters (\today) or formatting is not one.
            if not isinstance(value, str) or not value.strip() or len(value) > 2:
                continue
            if "%" not in value and not (value.isascii() and value.isalpha()):
                table[spec.macroname] = value
    table.update(_OWN_SYMBOLS)
    return table


def symbol(name: str) -> str | None:
    """The Unicode text of a symbol macro (``alpha`` -> α), or None when it is not one."""
    return _pylatexenc_symbols().get(name)


@lru_cache(maxsize=4096)
def _styled_char(char: str, font: str) -> str:
    if not font or not char.isalnum() or (not char.isascii() and font != "BOLD"):
        return char
    if (font, char) in _FONT_HOLES:
        return _FONT_HOLES[(font, char)]
    if char.isdigit():
        name = f"MATHEMATICAL {font} DIGIT {_DIGIT_NAMES[int(char)]}"
    elif char.isascii():
        name = f"MATHEMATICAL {font} {'CAPITAL' if char.isupper() else 'SMALL'} {char.upper()}"
    else:
        try:
            name = "MATHEMATICAL BOLD " + unicodedata.name(char).replace("GREEK ", "").replace(
                " LETTER", ""
            )
        except ValueError:
            return char
    try:
        return unicodedata.lookup(name)
    except KeyError:
        return char


def styled(value: str, font: str) -> str:
    """``value`` in a math alphabet (``DOUBLE-STRUCK``, ``SCRIPT``, ``FRAKTUR``, ``BOLD``)."""
    return "".join(_styled_char(char, font) for char in value)


def _class_of(value: str) -> AtomClass:
    if len(value) != 1:
        return "ord"
    if value in _REL or 0x2190 <= ord(value) <= 0x21FF or 0x27F0 <= ord(value) <= 0x297F:
        return "rel"
    if value in _BIN:
        return "bin"
    if value in _OPEN:
        return "open"
    if value in _CLOSE:
        return "close"
    if value in ",;":
        return "punct"
    return "ord"


def _convert_script(value: str, table: dict[str, str]) -> str | None:
    if value and all(char in table for char in value):
        return "".join(table[char] for char in value)
    return None


def _wrap(value: str) -> str:
    """Parenthesise a linear fraction's part (or a script) when it is more than one atom."""
    depth, bare = 0, True
    for char in value:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0 and (char in " +−-=/,<>±*⋅×" or _class_of(char) in ("rel", "bin")):
            bare = False
    if bare:
        return value
    return f"({value})"


def _wrap_script(value: str) -> str:
    return value if cell_len(value) <= 1 else f"({value})"


# -- the token stream -------------------------------------------------------------------------

# One entry of the stream: ("char", c), ("group", nodes), ("macro", name),
# ("env", (name, nodes)), ("math", nodes) for "$...$" inside \text.
_Item = tuple[str, Any]


def _items(nodes: Sequence[Any]) -> list[_Item]:
    from pylatexenc import latexwalker as lw

    out: list[_Item] = []
    for node in nodes:
        if isinstance(node, lw.LatexCharsNode):
            out.extend(("char", char) for char in node.chars)
        elif isinstance(node, lw.LatexGroupNode):
            out.append(("group", node.nodelist))
        elif isinstance(node, lw.LatexMacroNode):
            out.append(("macro", node.macroname))
        elif isinstance(node, lw.LatexEnvironmentNode):
            out.append(("env", (node.environmentname, node.nodelist)))
        elif isinstance(node, lw.LatexMathNode):
            out.append(("math", node.nodelist))
        elif isinstance(node, lw.LatexCommentNode):
            continue
        else:
            raise Unconvertible(type(node).__name__)
    return out


@cache
def _context() -> Any:
    from pylatexenc.macrospec import EnvironmentSpec, LatexContextDb, MacroSpec

    # No argument specs: every argument is read here, where the layout knows what it means.
    db = LatexContextDb()
    db.set_unknown_macro_spec(MacroSpec(""))
    db.set_unknown_environment_spec(EnvironmentSpec(""))
    return db


def _parse(source: str) -> list[_Item]:
    from pylatexenc.latexwalker import LatexWalker, LatexWalkerError

    try:
        nodes, _, _ = LatexWalker(
            source, latex_context=_context(), tolerant_parsing=False
        ).get_latex_nodes()
    except (LatexWalkerError, IndexError, ValueError) as error:
        raise Unconvertible(str(error)) from error
    return _items(nodes)


# -- the converter ----------------------------------------------------------------------------


class _Reader:
    """Reads one list of items into atoms, laying out as it goes."""

    def __init__(self, items: list[_Item], converter: _Converter) -> None:
        self.items = items
        self.pos = 0
        self.c = converter

    def peek(self) -> _Item | None:
        return self.items[self.pos] if self.pos < len(self.items) else None

    def next(self) -> _Item | None:
        item = self.peek()
        if item is not None:
            self.pos += 1
        return item

    def skip_spaces(self) -> None:
        while (item := self.peek()) is not None and item[0] == "char" and item[1].isspace():
            self.pos += 1

    def argument(self) -> list[_Item]:
        """The next argument: a group's items, or one item."""
        self.skip_spaces()
        item = self.next()
        if item is None:
            raise Unconvertible("missing argument")
        if item[0] == "group":
            return _items(item[1])
        return [item]

    def optional(self) -> list[_Item] | None:
        """An optional ``[...]`` argument, if one follows."""
        self.skip_spaces()
        if self.peek() != ("char", "["):
            return None
        self.pos += 1
        out: list[_Item] = []
        depth = 0
        while (item := self.next()) is not None:
            if item == ("char", "]") and depth == 0:
                return out
            if item == ("char", "["):
                depth += 1
            elif item == ("char", "]"):
                depth -= 1
            out.append(item)
        raise Unconvertible("unclosed [")

    def star(self) -> bool:
        if self.peek() == ("char", "*"):
            self.pos += 1
            return True
        return False

    def delimiter(self) -> str:
        """The delimiter after \\left, \\right, \\middle or \\big."""
        self.skip_spaces()
        item = self.next()
        if item is None:
            raise Unconvertible("missing delimiter")
        kind, value = item
        if kind == "char":
            return "" if value == "." else value
        if kind == "macro":
            found = {"{": "{", "}": "}", "|": "‖", "lbrace": "{", "rbrace": "}"}.get(value)
            found = found or symbol(value)
            if found is not None:
                return found
        raise Unconvertible(f"unknown delimiter {item!r}")

    # -- rows of atoms ----------------------------------------------------------------------

    def atoms(self, stop: Callable[[_Item], bool] | None = None) -> list[_Atom]:
        """Atoms up to the end, or up to an item for which ``stop`` is true (not consumed)."""
        atoms: list[_Atom] = []
        while (item := self.peek()) is not None:
            if stop is not None and stop(item):
                break
            self.pos += 1
            kind, value = item
            if kind == "char" and value in "^_":
                self.attach_scripts(atoms, value)
            elif kind == "char" and value == "'":
                primes = "′"
                while self.peek() == ("char", "'"):
                    self.pos += 1
                    primes = {"′": "″", "″": "‴"}.get(primes, primes + "′")
                self.attach_prime(atoms, primes)
            else:
                atom = self.atom(item)
                if atom is not None:
                    atoms.append(atom)
        return atoms

    def attach_prime(self, atoms: list[_Atom], primes: str) -> None:
        base = atoms.pop() if atoms else _Atom(EMPTY)
        atoms.append(_Atom(hcat([base.box, text(primes)]) if base.box.height == 1 else
                           scripts(base.box, text(primes), None), base.cls))  # fmt: skip

    def attach_scripts(self, atoms: list[_Atom], first: str) -> None:
        base = atoms.pop() if atoms else _Atom(EMPTY)
        parts: dict[str, Box] = {first: self.script_argument()}
        self.skip_spaces()
        other = "_" if first == "^" else "^"
        if self.peek() == ("char", other):
            self.pos += 1
            parts[other] = self.script_argument()
        atoms.append(self.c.with_scripts(base, parts.get("^"), parts.get("_")))

    def script_argument(self) -> Box:
        """A script: a group, or one atom with its own arguments (x_\\text{max})."""
        self.skip_spaces()
        item = self.peek()
        if item is None:
            raise Unconvertible("missing script")
        if item[0] == "group":
            self.pos += 1
            return self.c.script(_items(item[1]))
        reader = _Reader(self.items, _Converter(False, script=True))
        reader.pos = self.pos + 1
        atom = reader.atom(item)
        self.pos = reader.pos
        return atom.box if atom is not None else EMPTY

    def atom(self, item: _Item) -> _Atom | None:
        kind, value = item
        c = self.c
        if kind == "char":
            if value.isspace():
                return None
            if value == "~":
                return _Atom(text(" "), "space")
            if value == "&":
                raise Unconvertible("& outside a table")
            if value == "-":
                value = "−"
            elif value == "*":
                value = "∗"
            return _Atom(text(value), _class_of(value))
        if kind == "group":
            return _Atom(c.row(_items(value)))
        if kind == "math":
            return _Atom(c.row(_items(value)))
        if kind == "env":
            name, nodes = value
            return _Atom(c.environment(name, _items(nodes)))
        return self.macro(value)

    def macro(self, name: str) -> _Atom | None:
        c = self.c
        if name in _IGNORED or name in _FONT_SIZES:
            return None
        if name in _SWITCHES:
            rest, self.pos = self.items[self.pos :], len(self.items)
            body = c.row(rest)
            font = _SWITCHES[name]
            if font and body.height == 1:
                return _Atom(text(styled(body.lines[0], font)))
            return _Atom(body)
        if name in _SPACES:
            return _Atom(text(_SPACES[name]), "space") if _SPACES[name] else None
        if name in _SIZES:
            char = self.delimiter()
            return _Atom(text(char), _class_of(char))
        if name in ("left", "right", "middle"):
            if name == "left":
                return self.left_right()
            if name == "middle":
                char = self.delimiter()
                return _Atom(text(char), "rel", delim=char or " ")
            raise Unconvertible("\\right without \\left")
        if name in _BIG_OPERATORS:
            return _Atom(text(_BIG_OPERATORS[name]), "op", limits=c.display)
        if name in _INTEGRALS:
            return _Atom(text(_INTEGRALS[name]), "op")
        if name in _FUNCTIONS:
            return _Atom(text(name), "op")
        if name in _LIMIT_FUNCTIONS:
            shown = {"liminf": "lim inf", "limsup": "lim sup"}.get(name, name)
            return _Atom(text(shown), "op", limits=c.display)
        if name == "operatorname":
            starred = self.star()
            word = c.plain(self.argument())
            return _Atom(text(word), "op", limits=starred and c.display)
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            top, bottom = c.row(self.argument()), c.row(self.argument())
            return _Atom(c.fraction(top, bottom, stacked=name != "tfrac"))
        if name in ("binom", "dbinom", "tbinom"):
            top, bottom = c.row(self.argument()), c.row(self.argument())
            if c.display and name != "tbinom":
                return _Atom(fenced(stack(top, bottom), "(", ")"))
            return _Atom(text(f"C({_flat(top)}, {_flat(bottom)})"))
        if name == "sqrt":
            index = self.optional()
            body = c.row(self.argument())
            degree = _flat(c.script(index)) if index else ""
            if c.display:
                return _Atom(radical(body, degree))
            sign = {"": "√", "2": "√", "3": "∛", "4": "∜"}.get(degree)
            sign = sign or (_convert_script(degree, _SUPERSCRIPTS) or f"({degree})") + "√"
            inner = _flat(body)
            return _Atom(text(sign + (inner if cell_len(inner) == 1 else f"({inner})")))
        if name in _ACCENTS:
            return _Atom(c.accent(name, c.row(self.argument())))
        if name in ("overbrace", "underbrace"):
            body = c.row(self.argument())
            return _Atom(c.brace(body, under=name == "underbrace"), limits=c.display)
        if name in _FONTS:
            body = c.row(self.argument())
            font = _FONTS[name]
            if not font:
                return _Atom(body)
            if body.height != 1:
                raise Unconvertible(f"\\{name} of a tall formula")
            return _Atom(text(styled(body.lines[0], font)))
        if name in _TEXTS:
            return _Atom(text(c.plain(self.argument())))
        if name in ("overset", "underset", "stackrel"):
            mark, body = c.script(self.argument()), c.row(self.argument())
            if c.display:
                over = name != "underset"
                return _Atom(limits(body, mark if over else None, None if over else mark), "rel")
            return _Atom(text(_flat(body)), "rel")
        if name == "substack":
            return _Atom(c.environment("gathered", self.argument()))
        if name == "boxed":
            body = c.row(self.argument())
            if c.display:
                return _Atom(c.frame(body))
            return _Atom(text(f"[{_flat(body)}]"))
        if name == "not":
            nxt = self.next()
            negated = self.atom(nxt) if nxt is not None else None
            if negated is None or negated.box.height != 1:
                raise Unconvertible("\\not before nothing")
            return _Atom(text(negated.box.lines[0] + "\u0338"), negated.cls)
        if name in ("color", "label", "hspace", "vspace", "phantom", "hphantom", "vphantom"):
            self.argument()
            return _Atom(text(" "), "space") if name == "hspace" else None
        if name == "textcolor":
            self.argument()
            return _Atom(c.row(self.argument()))
        if name == "tag":
            starred = self.star()
            label = c.plain(self.argument())
            c.tags.append(label if starred else f"({label})")
            return None
        if name == "colon":
            return _Atom(text(":"), "punct")
        if name in ("mod", "bmod"):
            return _Atom(text("mod"), "bin")
        if name == "pmod":
            return _Atom(text(f"(mod {_flat(c.row(self.argument()))})"))
        if name == "\\":
            raise Unconvertible("\\\\ outside a table")
        found = symbol(name)
        if found is None:
            raise Unconvertible(f"unknown command \\{name}")
        return _Atom(text(found), _class_of(found))

    def left_right(self) -> _Atom:
        left = self.delimiter()
        # A nested \left is read whole by its own call, so the first \right seen is ours.
        atoms = self.atoms(lambda item: item == ("macro", "right"))
        if self.next() != ("macro", "right"):
            raise Unconvertible("\\left without \\right")
        right = self.delimiter()
        body = self.c.assemble(atoms)
        if any(atom.delim for atom in atoms):
            for atom in atoms:
                if atom.delim:
                    atom.box = delimiter(atom.delim.strip(), body.height, body.baseline)
            body = self.c.assemble(atoms)
        if not self.c.display:
            return _Atom(text(left + _flat(body) + right))
        return _Atom(fenced(body, left, right))


class _Converter:
    def __init__(self, display: bool, *, script: bool = False) -> None:
        self.display = display
        self.script_style = script
        self.tags: list[str] = []

    def reader(self, items: list[_Item]) -> _Reader:
        return _Reader(items, self)

    def row(self, items: list[_Item]) -> Box:
        """A list of items as one row (tables inside are laid out as their own boxes)."""
        if any(item in (("char", "&"), ("macro", "\\")) for item in items):
            return self.table(items, "aligned")
        for infix in ("over", "choose", "atop"):
            if ("macro", infix) in items:
                split = items.index(("macro", infix))
                top, bottom = self.row(items[:split]), self.row(items[split + 1 :])
                if infix == "over":
                    return self.fraction(top, bottom, stacked=True)
                if not self.display:
                    return text(f"C({_flat(top)}, {_flat(bottom)})")
                built = stack(top, bottom)
                return fenced(built, "(", ")") if infix == "choose" else built
        return self.assemble(self.reader(items).atoms())

    def script(self, items: list[_Item]) -> Box:
        """A super- or subscript, limit or root index: one line, no spacing around operators."""
        inner = _Converter(False, script=True)
        box = inner.row(items)
        return box

    def plain(self, items: list[_Item]) -> str:
        """Text-mode content (\\text{...}): characters as written, math inside converted."""
        out: list[str] = []
        for kind, value in items:
            if kind == "char":
                out.append(" " if value in "~\n\t" else value)
            elif kind == "group":
                out.append(self.plain(_items(value)))
            elif kind == "math":
                out.append(_flat(_Converter(False).row(_items(value))))
            elif kind == "macro":
                found = _SPACES.get(value) or symbol(value)
                if found is None:
                    raise Unconvertible(f"unknown text command \\{value}")
                out.append(found)
            else:
                raise Unconvertible("environment inside text")
        return " ".join("".join(out).split(" ")) if out else ""

    def assemble(self, atoms: list[_Atom]) -> Box:
        """Atoms side by side, with the spaces TeX puts around operators and relations."""
        boxes: list[Box] = []
        previous: AtomClass | None = None
        for atom in atoms:
            cls = atom.cls
            if cls == "bin" and previous in (None, "bin", "rel", "open", "punct", "op"):
                cls = "ord"  # a sign, not an operation: -x
            if not self.script_style and previous is not None and _spaced(previous, cls):
                boxes.append(text(" "))
            boxes.append(atom.box)
            previous = cls
        return hcat(boxes)

    def with_scripts(self, base: _Atom, sup: Box | None, sub: Box | None) -> _Atom:
        if base.limits and self.display:
            return _Atom(limits(base.box, sup, sub), base.cls)
        sup_text = _flat(sup) if sup is not None else ""
        sub_text = _flat(sub) if sub is not None else ""
        if base.box.height == 1:
            up = _convert_script(sup_text, _SUPERSCRIPTS) if sup is not None else ""
            down = _convert_script(sub_text, _SUBSCRIPTS) if sub is not None else ""
            if up is not None and down is not None:
                return _Atom(text(base.box.lines[0] + down + up), base.cls)
        if self.display:
            return _Atom(scripts(base.box, sup, sub), base.cls)
        linear = base.box.lines[0] if base.box.height == 1 else _flat(base.box)
        if sub is not None:
            linear += _convert_script(sub_text, _SUBSCRIPTS) or "_" + _wrap_script(sub_text)
        if sup is not None:
            linear += _convert_script(sup_text, _SUPERSCRIPTS) or "^" + _wrap_script(sup_text)
        return _Atom(text(linear), base.cls)

    def fraction(self, top: Box, bottom: Box, *, stacked: bool) -> Box:
        if self.display and stacked:
            return fraction(top, bottom)
        return text(f"{_wrap(_flat(top))}/{_wrap(_flat(bottom))}")

    def accent(self, name: str, body: Box) -> Box:
        mark = _ACCENTS[name]
        line = body.flat
        if line is not None and (cell_len(line) == 1 or not self.display):
            # Combining marks go after every character that takes up a cell.
            marked = "".join(ch + mark if cell_len(ch) else ch for ch in line)
            # Precomposed letters (ȳ, ñ) draw better than a letter and a combining mark.
            return text(unicodedata.normalize("NFC", marked))
        if not self.display:
            raise Unconvertible("accent over a tall formula")
        width = body.width
        if name in ("vec", "overrightarrow"):
            over = "─" * (width - 1) + "→"
        elif name == "overleftarrow":
            over = "←" + "─" * (width - 1)
        elif name in ("tilde", "widetilde"):
            over = "~" * width
        elif name in ("hat", "widehat", "check"):
            over = ("╱" + " " * (width - 2) + "╲") if width > 2 else "^" * width
            if name == "check":
                over = over.translate(str.maketrans("╱╲", "╲╱"))
        elif name == "underline":
            return over_under(body, "‾" * width, below=True)
        else:
            over = "_" * width
        return over_under(body, over)

    def brace(self, body: Box, *, under: bool) -> Box:
        width = max(3, body.width)
        left = (width - 1) // 2
        if under:
            line = "╰" + "─" * (left - 1) + "┬" + "─" * (width - left - 2) + "╯"
        else:
            line = "╭" + "─" * (left - 1) + "┴" + "─" * (width - left - 2) + "╮"
        return over_under(body, line, below=under)

    def frame(self, body: Box) -> Box:
        width = body.width + 2
        lines = ["┌" + "─" * width + "┐"]
        lines += ["│ " + line + " │" for line in body.lines]
        lines.append("└" + "─" * width + "┘")
        return Box(tuple(lines), body.baseline + 1)

    # -- tables -----------------------------------------------------------------------------

    def cells(self, items: list[_Item], *, paired: bool = False) -> list[list[Box]]:
        """Rows split at ``\\\\`` and cells at ``&``, each laid out; empty rows dropped.

        ``paired`` (aligned environments): the second cell of each pair continues the first,
        so ``a &= b`` spaces its ``=`` as ``a = b`` would.
        """
        rows: list[list[list[_Item]]] = [[[]]]
        reader = self.reader(items)
        while (item := reader.next()) is not None:
            if item == ("char", "&"):
                rows[-1].append([])
            elif item in (("macro", "\\"), ("macro", "cr"), ("macro", "newline")):
                reader.optional()  # \\[5pt]: extra spacing
                rows.append([[]])
            elif item in (("macro", "hline"), ("macro", "midrule"), ("macro", "toprule")):
                continue
            else:
                rows[-1][-1].append(item)
        laid: list[list[Box]] = []
        for row in rows:
            boxes = [
                self.assemble(
                    ([_Atom(EMPTY)] if paired and index % 2 else []) + self.reader(cell).atoms()
                )
                for index, cell in enumerate(row)
            ]
            if any(b.width for b in boxes):
                laid.append(boxes)
        return laid

    def table(self, items: list[_Item], kind: str) -> Box:
        rows = self.cells(items, paired=kind == "aligned")
        if not rows:
            return EMPTY
        if not self.display:
            joiner = " " if kind == "aligned" else "  "
            cells = (joiner.join(_flat(cell) for cell in row if cell.width) for row in rows)
            return text("; ".join(cells))
        columns = max(len(row) for row in rows)
        aligns: list[Align]
        gaps: list[int]
        if kind == "aligned":
            # Pairs of right- then left-aligned columns, the pair's halves touching: a &= b.
            aligns = ["right" if c % 2 == 0 else "left" for c in range(columns)]
            gaps = [0 if c % 2 == 0 else 3 for c in range(columns)]
        elif kind == "cases":
            aligns, gaps = ["left"] * columns, [3] * columns
        elif kind == "gathered":
            aligns, gaps = ["center"] * columns, [2] * columns
        else:
            aligns, gaps = ["center"] * columns, [2] * columns
        return grid(rows, aligns, gaps)

    def environment(self, name: str, items: list[_Item]) -> Box:
        if name in _MATRICES:
            left, right = _MATRICES[name]
            body = self.table(items, "matrix")
            return fenced(body, left, right) if self.display else text(left + _flat(body) + right)
        if name == "array":
            reader = self.reader(items)
            spec = reader.argument()
            body = self.array(items[reader.pos :], self.plain(spec))
            return body
        if name in _CASES:
            body = self.table(items, "cases")
            left, right = ("", "}") if name == "rcases" else ("{", "")
            if not self.display:
                return text(f"{left}{_flat(body)}{right}")
            return fenced(body, left, right)
        if name in _ALIGNED:
            return self.table(items, "aligned")
        if name in _GATHERED:
            return self.table(items, "gathered")
        raise Unconvertible(f"unknown environment {name}")

    def array(self, items: list[_Item], spec: str) -> Box:
        rows = self.cells(items)
        if not self.display:
            return text("; ".join("  ".join(_flat(c) for c in row) for row in rows))
        names = {"l": "left", "c": "center", "r": "right"}
        aligns: list[Align] = [names[ch] for ch in spec if ch in names]  # type: ignore[misc]
        return grid(rows, aligns, [2] * len(aligns))


def _spaced(previous: AtomClass, cls: AtomClass) -> bool:
    if "space" in (previous, cls):
        return False
    if cls in ("bin", "rel") and previous != "open":
        return True
    if previous in ("bin", "rel") and cls != "close":
        return True
    if previous == "punct" and cls != "close":
        return True
    return previous == "op" and cls in ("ord", "op")


def _flat(box: Box) -> str:
    """A box as one line (rows joined: only reached for content meant to be flat)."""
    return " ".join(line.strip() for line in box.lines if line.strip())


@lru_cache(maxsize=2048)
def render_math(source: str, *, display: bool) -> Box | None:
    """A formula (without its ``$`` delimiters) as a box, or None when it cannot be converted.

    Display style stacks fractions, puts limits over and under sums, lays out matrices,
    ``cases`` and ``aligned`` as grids with tall brackets; inline style gives one line.
    ``\\tag`` labels end up at the right of a display formula.
    """
    try:
        converter = _Converter(display)
        items = _parse(source)
        if any(item in (("char", "&"), ("macro", "\\")) for item in items):
            result = converter.table(items, "aligned")
        else:
            result = converter.assemble(converter.reader(items).atoms())
    except Unconvertible:
        return None
    except RecursionError:
        return None
    if converter.tags:
        result = hcat([result, text("    " + " ".join(converter.tags))])
    if not display and result.height != 1:
        return None
    return result


def math_text(source: str, *, display: bool = False) -> str | None:
    """:func:`render_math` as text (lines joined by newlines), or None."""
    result = render_math(source, display=display)
    if result is None:
        return None
    return "\n".join(line.rstrip() for line in result.lines)


__all__ = ["Box", "Unconvertible", "math_text", "render_math", "styled", "symbol", "vstack"]
