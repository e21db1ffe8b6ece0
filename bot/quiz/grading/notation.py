"""Maths notation to one plain spelling: LaTeX, Unicode and ASCII forms of the same formula agree.

`\\sqrt{d_k}`, `√d_k`, `sqrt(d_k)` and `根号 d_k` all become `sqrt d k`; `\\bar\\alpha_t`, `ᾱ_t`
and `a_bar_t` become `alpha bar t`; Greek letters are spelled out; `ln` is `log`. The result is
plain text for the tokenizer, which drops the remaining symbols.
"""

from __future__ import annotations

import re
import unicodedata

from bot.quiz.text import nfkc

_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ϵ": "epsilon",
    "ζ": "zeta",
    "η": "eta",
    "θ": "theta",
    "ϑ": "theta",
    "ι": "iota",
    "κ": "kappa",
    "λ": "lambda",
    "μ": "mu",
    "ν": "nu",
    "ξ": "xi",
    "π": "pi",
    "ρ": "rho",
    "σ": "sigma",
    "ς": "sigma",
    "τ": "tau",
    "φ": "phi",
    "ϕ": "phi",
    "χ": "chi",
    "ψ": "psi",
    "ω": "omega",
    "Γ": "gamma",
    "Δ": "delta",
    "Θ": "theta",
    "Λ": "lambda",
    "Ξ": "xi",
    "Π": "prod",
    "Σ": "sum",
    "Φ": "phi",
    "Ψ": "psi",
    "Ω": "omega",
}
_SYMBOLS = {
    "√": "sqrt",
    "∑": "sum",
    "∏": "prod",
    "∞": "inf",
    "∂": "partial",
    "∇": "nabla",
    "∈": "in",
    "≈": "approx",
}
_WORDS = {"根号": "sqrt", "开根号": "sqrt", "平方根": "sqrt"}
_LATEX_NAMES = {
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "ne": "≠",
    "cdot": " ",
    "times": " ",
    "ldots": " ",
    "cdots": " ",
    "quad": " ",
    "qquad": " ",
    "infty": "inf",
    "to": "→",
    "rightarrow": "→",
    "mid": "|",
    "left": "",
    "right": "",
    "big": "",
    "Big": "",
    "bigl": "",
    "bigr": "",
    "displaystyle": "",
    "varepsilon": "epsilon",
    "epsilon": "epsilon",
    "vartheta": "theta",
    "varphi": "phi",
    "ln": "log",
    # Capitals spelled as their Unicode letters are (Σ is a sum or a covariance either way).
    "Sigma": "sum",
    "Pi": "prod",
    "top": "T",
    "intercal": "T",
    "exp": "exp",
    "frac": " ",
    "sim": "~",
    "approx": "≈",
    "propto": "∝",
    "odot": " ",
    "otimes": " ",
    "circ": " ",
    "iff": "⇔",
    "Leftrightarrow": "⇔",
    "Rightarrow": "⇒",
    "implies": "⇒",
    "lVert": "||",
    "rVert": "||",
    "Vert": "||",
    "lvert": "|",
    "rvert": "|",
    "vert": "|",
    "langle": "(",
    "rangle": ")",
    "setminus": "\\",
    "forall": "for all",
    "dfrac": " ",
    "tfrac": " ",
}
_REPLACE = str.maketrans({k: f" {v} " for k, v in {**_GREEK, **_SYMBOLS}.items()})
_REPLACED = re.compile("[" + "".join(sorted({**_GREEK, **_SYMBOLS})) + "]")
_BRACED = r"\{([^{}]*)\}"
# Commands whose braced argument is kept as plain text: \mathrm{E} -> E.
_UNWRAP = re.compile(
    r"\\(?:mathrm|mathbf|mathbb|mathcal|mathit|text|textbf|operatorname|boldsymbol)\s*" + _BRACED
)
# The same commands before a single letter: \mathcal N(0, I) -> N(0, I).
_UNWRAP_BARE = re.compile(
    r"\\(?:mathrm|mathbf|mathbb|mathcal|mathit|boldsymbol|operatorname)\s*(?=[A-Za-z\\])"
)
_FRAC = re.compile(r"\\[dt]?frac\s*" + _BRACED + r"\s*" + _BRACED)
# \frac{1}{2} and \tfrac12 are the number 1/2.
_NUMERIC_FRAC = re.compile(r"\\[dt]?frac\s*(?:\{\s*(\d+)\s*\}|(\d))\s*(?:\{\s*(\d+)\s*\}|(\d))")
# \frac1K is 1/K, not "1K" (a thousand).
_SHORT_FRAC = re.compile(r"\\[dt]?frac\s*([A-Za-z0-9])\s*([A-Za-z0-9])")
# Sub- and superscript braces: x_{l+1} is x_(l+1), so the braces around it can close.
_SCRIPT_BRACED = re.compile(r"([_^])\s*" + _BRACED)
_SQRT = re.compile(r"\\sqrt\s*(?:\[[^\]]*\])?\s*" + _BRACED)
_BAR_BRACED = re.compile(r"\\(?:bar|overline)\s*" + _BRACED)
_BAR_COMMAND = re.compile(r"\\(?:bar|overline)\s*\\?([A-Za-z]+|.)")
_HAT_BRACED = re.compile(r"\\(?:hat|widehat|tilde|widetilde|vec)\s*" + _BRACED)
_COMMAND = re.compile(r"\\([A-Za-z]+)")
_COMBINING_BAR = re.compile(r"(\w)[\u0304\u0305]")
# ASCII spellings of a bar: a_bar, abar, a-bar (ᾱ written by hand), alpha_bar.
_ASCII_ALPHA_BAR = re.compile(r"(?<![A-Za-z])a(?=[ _-]?bar(?![A-Za-z]))")
# e^{x} and e^x are exp(x).
_E_POWER = re.compile(r"(?<![A-Za-z0-9])e\s*\^")
# D_{KL}, D_KL and D_\mathrm{KL} are KL.
_D_KL = re.compile(r"(?<![A-Za-z])D\s*_\s*\(?\s*(KL|JS)\s*\)?")
# A parameter subscript on a distribution names whose it is, not another quantity: q_φ(z|x) is
# q(z|x), p_{\theta}(x|z) is p(x|z), π_θ is π (ε_θ, the network, stays apart from the noise ε).
_PARAMETER_SUBSCRIPT = re.compile(
    r"(?<![A-Za-z])([pqP]|pi)\s*_\s*(?:\(\s*(?:theta|phi|psi)\s*\)|(?:theta|phi|psi))(?![A-Za-z])"
)
# A word glued to the next in CamelCase ("MaskedMHA", "DropPath") is two words; a short lower-case
# run ("ReLU", "RoPE", "LoRA") is an acronym's letters and stays.
_CAMEL = re.compile(r"(?<=[a-z]{3})(?=[A-Z])")
_NATURAL_LOG = re.compile(r"(?<![A-Za-z])ln(?![A-Za-z])")
_NOT_CONTRACTION = re.compile(r"(?i)(?<=[a-z])n['’]t\b")
# An ASCII arrow is an arrow, not a minus: "O(n) -> O(√n)", "noise <-> data", "=>".
_ASCII_ARROW = re.compile(r"(?<![-=<])<?(?:-+|=+)>")
_CJK_WORDS = re.compile("|".join(map(re.escape, sorted(_WORDS, key=len, reverse=True))))


def _latex(text: str) -> str:
    """LaTeX commands to plain words, innermost braces first."""
    text = _NUMERIC_FRAC.sub(lambda m: f" {m[1] or m[2]}/{m[3] or m[4]} ", text)
    text = _SHORT_FRAC.sub(r" (\1)/(\2) ", text)
    for _ in range(4):
        before = text
        text = _SCRIPT_BRACED.sub(r"\1(\2)", text)
        text = _UNWRAP.sub(r" \1 ", text)
        text = _FRAC.sub(r" (\1)/(\2) ", text)
        text = _SQRT.sub(r" sqrt(\1) ", text)
        text = _BAR_BRACED.sub(r" \1 bar ", text)
        text = _HAT_BRACED.sub(r" \1 ", text)
        if text == before:
            break
    text = _UNWRAP_BARE.sub(" ", text)
    text = _BAR_COMMAND.sub(r" \1 bar ", text)
    text = text.replace(r"\sqrt", " sqrt ")
    return _COMMAND.sub(lambda m: f" {_LATEX_NAMES.get(m.group(1), m.group(1))} ", text)


def plain_notation(text: str) -> str:
    """The text with maths notation spelled one way (before case folding: `ln` vs `LN` differ)."""
    text = nfkc(text)
    if "\\" in text:
        text = _latex(text)
    if any(ord(char) > 0x2FF for char in text):
        decomposed = unicodedata.normalize("NFD", text)
        if "\u0304" in decomposed or "\u0305" in decomposed:
            text = unicodedata.normalize("NFC", _COMBINING_BAR.sub(r"\1 bar ", decomposed))
        text = text.replace("⁄", "/")
        if _REPLACED.search(text):
            text = text.translate(_REPLACE)
        if "根" in text or "平方" in text:
            text = _CJK_WORDS.sub(lambda m: f" {_WORDS[m.group(0)]} ", text)
    if "bar" in text:
        text = _ASCII_ALPHA_BAR.sub("alpha", text)
    if "^" in text:
        text = _E_POWER.sub(" exp ", text)
    if "_" in text:
        text = _PARAMETER_SUBSCRIPT.sub(r"\1", text)
    text = _CAMEL.sub(" ", text)
    if "ln" in text:
        text = _NATURAL_LOG.sub("log", text)
    if "D" in text:
        text = _D_KL.sub(r" \1 ", text)
    if "'" in text or "’" in text:
        text = _NOT_CONTRACTION.sub(" not", text)
    if ">" in text:
        text = _ASCII_ARROW.sub(" → ", text)
    return text
