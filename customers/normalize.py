"""Company-name normalization for the duplicate guard and search."""

import re
import unicodedata

# Legal-form suffixes (already casefolded, accents removed, punctuation → spaces).
LEGAL_SUFFIXES = {
    "ab", "ag", "as", "asa", "bv", "bvba", "cia", "co", "company", "corp", "corporation",
    "cv", "eirl", "eurl", "gmbh", "inc", "incorporated", "kg", "kk", "kft", "limited",
    "llc", "llp", "lp", "ltd", "ltda", "nv", "oy", "oyj", "plc", "pte", "pty", "pvt",
    "sa", "sae", "sarl", "sas", "se", "spa", "sp", "srl", "sro", "zoo",
    "tic", "ve", "san", "anonim", "sirketi", "gk", "yk", "jsc", "ojsc", "pjsc", "ooo",
    "kabushiki", "kaisha", "&",
}  # fmt: skip
# Multi-word forms, matched on the joined compact string first.
_COMPACT_SUFFIXES = ("gmbhcokg", "gmbh&cokg", "cokg", "spzoo", "sdnbhd", "bhd", "cocltd", "coltd")
_CJK_SUFFIXES = ("株式会社", "有限会社", "有限公司", "股份有限公司", "주식회사", "(주)", "㈜")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.replace("ı", "i")  # Turkish dotless i


def normalize_name(name: str) -> str:
    """``"Müller Magnesium GmbH & Co. KG"`` → ``"muller magnesium"``.

    Casefold, drop accents and punctuation, drop legal suffixes (GmbH, B.V., S.p.A., Inc.,
    Ltd, Co., Corp., A.Ş., Ltda…) at the end of the name. CJK company forms are removed
    wherever they stand. The result keeps word order and single spaces.
    """
    text = name or ""
    for suffix in _CJK_SUFFIXES:
        text = text.replace(suffix, " ")
    text = _fold(text)
    # "s.p.a." → "spa", "b.v." → "bv": dots inside abbreviations disappear, other
    # punctuation separates words.
    text = re.sub(r"(?<=\w)\.(?=\w)", "", text)
    text = re.sub(r"[^\w&]+", " ", text).replace("_", " ")
    words = text.split()
    while len(words) > 1:
        last = words[-1]
        tail2 = "".join(words[-2:])
        tail3 = "".join(words[-3:])
        if tail3 in _COMPACT_SUFFIXES:
            del words[-3:]
        elif tail2 in _COMPACT_SUFFIXES:
            del words[-2:]
        elif last in LEGAL_SUFFIXES:
            del words[-1]
        else:
            break
    return " ".join(words) or _fold(name or "").strip()


def normalize_query(query: str) -> str:
    """A search query folded the same way (legal suffixes kept: they may be what's typed)."""
    text = _fold(query or "")
    text = re.sub(r"(?<=\w)\.(?=\w)", "", text)
    return " ".join(re.sub(r"[^\w&]+", " ", text).replace("_", " ").split())
