"""LaTeX math to Unicode text: the common subset that sympy and IPython's Latex() produce."""

from __future__ import annotations

import re
from functools import lru_cache


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_SYMBOLS = {
    # Greek, lower and upper case.
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "omicron": "ο", "pi": "π", "varpi": "ϖ",
    "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ",
    "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # Operators, relations, arrows, big operators, misc.
    "pm": "±", "mp": "∓", "times": "×", "div": "÷", "cdot": "⋅", "ast": "∗", "star": "⋆",
    "circ": "∘", "bullet": "∙", "oplus": "⊕", "otimes": "⊗", "wedge": "∧", "land": "∧",
    "vee": "∨", "lor": "∨", "neg": "¬", "lnot": "¬", "cap": "∩", "cup": "∪",
    "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈",
    "equiv": "≡", "sim": "∼", "simeq": "≃", "cong": "≅", "propto": "∝", "ll": "≪", "gg": "≫",
    "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "supset": "⊃", "subseteq": "⊆",
    "supseteq": "⊇", "forall": "∀", "exists": "∃", "nexists": "∄", "emptyset": "∅",
    "varnothing": "∅", "infty": "∞", "partial": "∂", "nabla": "∇", "hbar": "ℏ", "ell": "ℓ",
    "Re": "ℜ", "Im": "ℑ", "aleph": "ℵ", "angle": "∠", "perp": "⊥", "parallel": "∥",
    "mid": "∣", "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←",
    "leftrightarrow": "↔", "Rightarrow": "⇒", "Leftarrow": "⇐", "Leftrightarrow": "⇔",
    "implies": "⟹", "iff": "⟺", "mapsto": "↦", "uparrow": "↑", "downarrow": "↓",
    "sum": "∑", "prod": "∏", "coprod": "∐", "int": "∫", "iint": "∬", "iiint": "∭",
    "oint": "∮", "bigcup": "⋃", "bigcap": "⋂", "ldots": "…", "dots": "…", "cdots": "⋯",
    "vdots": "⋮", "ddots": "⋱", "langle": "⟨", "rangle": "⟩", "lceil": "⌈", "rceil": "⌉",
    "lfloor": "⌊", "rfloor": "⌋", "vert": "|", "Vert": "‖", "lvert": "|", "rvert": "|",
    "lbrace": "{", "rbrace": "}", "backslash": "\\", "prime": "′", "degree": "°",
    "quad": "  ", "qquad": "    ", ",": " ", ":": " ", ";": " ", " ": " ", "!": "",
    "{": "{", "}": "}", "%": "%", "$": "$", "&": "&", "#": "#", "_": "_", "|": "‖",
}  # fmt: skip
_FUNCTIONS = _words(
    "sin cos tan cot sec csc arcsin arccos arctan sinh cosh tanh coth log ln lg exp "
    "lim liminf limsup max min sup inf det dim gcd deg arg ker hom Pr mod bmod"
)
_STYLES = _words(
    "mathrm text textrm textit textbf textsf texttt mathit mathbf mathsf mathtt "
    "boldsymbol operatorname emph mbox hbox textnormal mathnormal pmb"
)
_IGNORED = _words(
    "left right big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr displaystyle "
    "textstyle scriptstyle limits nolimits nonumber notag middle"
)
_ACCENTS = {
    "hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305",
    "vec": "\u20d7", "dot": "\u0307", "ddot": "\u0308", "tilde": "\u0303",
    "widetilde": "\u0303", "underline": "\u0332", "acute": "\u0301", "grave": "\u0300",
}  # fmt: skip
_SUPERSCRIPTS = dict(
    zip(
        "0123456789+-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθιφχ ",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᶥᵠᵡ ",
        strict=True,
    )
)
_SUBSCRIPTS = dict(
    zip(
        "0123456789+-=()aehijklmnoprstuvxβγρφχ ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ ",
        strict=True,
    )
)
_BLACKBOARD = dict(zip("CHNPQRZ", "ℂℍℕℙℚℝℤ", strict=True))
# A bare "matrix" gets its brackets from the surrounding "\left[ ... \right]", as sympy writes it.
_MATRIX_BRACKETS = {
    "pmatrix": ("(", ")"),
    "bmatrix": ("[", "]"),
    "Bmatrix": ("{", "}"),
    "vmatrix": ("|", "|"),
    "cases": ("{ ", ""),
}
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\\$|\s+|.", re.DOTALL)
_DELIMITERS = re.compile(r"\$\$|(?<!\\)\$|\\\[|\\\]|\\\(|\\\)")


def _script(text: str, table: dict[str, str], marker: str) -> str:
    if text and all(char in table for char in text):
        return "".join(table[char] for char in text)
    return f"{marker}{text}" if len(text) == 1 else f"{marker}({text})"


def _wrap(text: str) -> str:
    """Parenthesise a fraction's part when an operator outside brackets would bind wrongly."""
    bare = text
    while (inner := re.sub(r"\([^()]*\)", "", bare)) != bare:
        bare = inner
    return f"({text})" if re.search(r"[\s+\-−=/*,<>±]", bare) else text


class _Converter:
    def __init__(self, source: str) -> None:
        self.tokens: list[str] = _TOKEN.findall(source)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def skip_space(self) -> None:
        while (token := self.peek()) is not None and token.isspace():
            self.pos += 1

    def group(self, closer: str | None = None) -> str:
        """Convert tokens up to ``closer`` (consumed) or the end."""
        out: list[str] = []
        while (token := self.peek()) is not None:
            if token == closer:
                self.pos += 1
                break
            if closer is None and token == "}":
                self.pos += 1  # a stray closing brace: LaTeX would refuse it, we skip it
                continue
            out.append(self.item())
        return "".join(out)

    def argument(self) -> str:
        """One argument: a braced group, a command, or a single character."""
        self.skip_space()
        token = self.peek()
        if token is None:
            return ""
        if token == "{":
            self.pos += 1
            return self.group("}")
        return self.item()

    def optional(self) -> str | None:
        self.skip_space()
        if self.peek() != "[":
            return None
        self.pos += 1
        return self.group("]")

    def item(self) -> str:
        token = self.take()
        if token == "{":
            return self.group("}")
        if token == "^":
            return _script(self.argument(), _SUPERSCRIPTS, "^")
        if token == "_":
            return _script(self.argument(), _SUBSCRIPTS, "_")
        if token == "~":
            return " "
        if token == "&":
            return ""  # an alignment point outside a matrix ("a &= b")
        if token.isspace():
            return " "
        if token == "\\\\":
            return "\n"
        if token.startswith("\\"):
            return self.command(token[1:])
        return token

    def command(self, name: str) -> str:
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in _FUNCTIONS:
            return name
        if name in _IGNORED:
            self.skip_space()
            if self.peek() == ".":  # "\left." is an invisible delimiter
                self.pos += 1
            return ""
        if name in _STYLES:
            return self.argument()
        if name in _ACCENTS:
            return "".join(char + _ACCENTS[name] for char in self.argument())
        if name == "mathbb":
            return "".join(_BLACKBOARD.get(char, char) for char in self.argument())
        if name in ("frac", "dfrac", "tfrac", "cfrac"):
            numerator, denominator = self.argument().strip(), self.argument().strip()
            return f"{_wrap(numerator)}/{_wrap(denominator)}"
        if name == "binom":
            top, bottom = self.argument().strip(), self.argument().strip()
            return f"C({top}, {bottom})"
        if name == "sqrt":
            index = self.optional()
            body = self.argument().strip()
            root = {None: "√", "2": "√", "3": "∛", "4": "∜"}.get(index)
            if root is None:
                root = _script(index or "", _SUPERSCRIPTS, "^") + "√"
            return root + (body if len(body) == 1 else f"({body})")
        if name in ("label", "tag", "hspace", "vspace", "phantom"):
            self.argument()
            return ""
        if name == "begin":
            return self.environment(self.argument())
        if name == "end":
            self.argument()
            return ""
        return name  # an unknown command still tells the reader what was meant

    def environment(self, name: str) -> str:
        if name == "array":
            self.argument()  # the column specification
        body = self.group_until_end(name)
        rows = [
            "  ".join(cell.strip() for cell in row.split("\x00"))
            for row in body.split("\n")
            if row.strip()
        ]
        if "matrix" in name or name in ("array", "cases"):
            left, right = _MATRIX_BRACKETS.get(name, ("", ""))
            return left + "; ".join(rows) + right
        return "\n".join(rows)

    def group_until_end(self, name: str) -> str:
        out: list[str] = []
        while (token := self.peek()) is not None:
            if token == "\\end":
                self.pos += 1
                self.argument()
                break
            if token == "&":
                self.pos += 1
                out.append("\x00")  # a cell separator that no converted text contains
                continue
            out.append(self.item())
        return "".join(out)


@lru_cache(maxsize=256)
def latex_to_unicode(source: str) -> str:
    """Convert LaTeX (text with ``$...$`` math, or bare math) to readable Unicode text.

    Greek letters and symbols become their characters, ``^``/``_`` become super- and subscripts
    where Unicode has them (else ``^(...)``), ``\\frac{a}{b}`` becomes ``a/b``, ``\\sqrt`` a root
    sign, matrices ``[a  b; c  d]``. Unknown commands keep their name.
    """
    source = _DELIMITERS.sub("", source)
    source = re.sub(r"\\begin\{(equation|align|gather|multline|eqnarray)\*?\}", "", source)
    source = re.sub(r"\\end\{(equation|align|gather|multline|eqnarray)\*?\}", "", source)
    text = _Converter(source).group()
    lines = [re.sub(r"[ \t]{2,}", "  ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)
