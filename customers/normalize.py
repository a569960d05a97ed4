"""Company-name normalization for the duplicate guard and search."""

import functools
import json
import re
import unicodedata
from pathlib import Path

import confusable_homoglyphs

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


# Look-alikes for the duplicate guard ------------------------------------------------

# German umlauts are written both ways ("Müller", "Mueller"); casefold already gives ß → ss.
_TRANSCRIPTIONS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_BIDI_MARKS = dict.fromkeys(map(ord, "\u200e\u200f"))


@functools.cache
def _prototypes() -> dict[str, str]:
    """Non-ASCII character → its prototype under Unicode TR39 (``confusables.txt``).

    The data ships with ``confusable_homoglyphs`` as a symmetric map: a prototype lists the
    characters that look like it, and each such character lists its one prototype. A
    character is therefore mapped when it lists exactly one entry that lists it back among
    several (or is a sequence); when two characters list only each other, the lower code
    point is taken as the prototype so both fold to the same one.
    """
    path = Path(confusable_homoglyphs.__file__).with_name("confusables.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    table: dict[str, str] = {}
    for char, entries in data.items():
        if len(char) != 1 or ord(char) < 128 or len(entries) != 1:
            continue
        target = entries[0]["c"].translate(_BIDI_MARKS)
        back = data.get(target, [])
        if len(target) > 1 or len(back) > 1 or (len(back) == 1 and ord(target[0]) < ord(char)):
            table[char] = target
    return table


# Hangul, kana and CJK ideographs keep their own characters: their TR39 prototypes (jamo,
# strokes) would turn 주식회사 into fragments and break the CJK legal-form removal.
_CJK_RANGES = ((0x1100, 0x11FF), (0x2E80, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF),
               (0xF900, 0xFAFF), (0x20000, 0x3FFFF))  # fmt: skip


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _CJK_RANGES)


def _fold_look_alikes(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().translate(_TRANSCRIPTIONS)
    prototypes = _prototypes()
    folded = []
    for char in text:
        if ord(char) < 128 or _is_cjk(char):
            folded.append(char)
        else:
            folded.extend(prototypes.get(c, c) for c in unicodedata.normalize("NFD", char))
    return unicodedata.normalize("NFC", "".join(folded)).casefold()


def duplicate_key(name: str) -> str:
    """What the duplicate guard compares: ``normalize_name`` after folding look-alikes.

    Non-ASCII characters become their TR39 confusable prototype (Cyrillic "а" → "a", Greek
    "Ρ" → "P", fullwidth "Ａ" → "A"), and umlauts their transcription (ü → ue, ö → oe,
    ä → ae, ß → ss), so "Rijnmond Metаls" (with a Cyrillic а) and "Mueller" are caught.
    ASCII look-alikes (0/O, 1/l, rn/m) are left alone: those are spellings a person types.
    """
    return normalize_name(_fold_look_alikes(name or ""))[:200]
