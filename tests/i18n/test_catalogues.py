"""The shipped catalogues: every string translated, nothing fuzzy, nothing missing."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["de", "ja", "ko", "tr", "pt_BR", "zh_Hans"]


def entries(path: Path) -> list[dict]:
    """A tiny .po parser: each entry's flags, msgctxt, msgid, msgid_plural and msgstr(s)."""
    result = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": "", "msgstr": []}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#"):
                continue
            elif m := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line):
                key = "msgstr" if m.group(1).startswith("msgstr") else m.group(1)
                if key == "msgstr":
                    entry["msgstr"].append(m.group(2))
                else:
                    entry[key] = m.group(2)
            elif line.startswith('"') and key:
                if key == "msgstr":
                    entry["msgstr"][-1] += line[1:-1]
                else:
                    entry[key] += line[1:-1]
        if "msgid" in entry:
            result.append(entry)
    return result


def keys(path: Path) -> set[tuple[str, str]]:
    return {(e.get("msgctxt", ""), e["msgid"]) for e in entries(path) if e["msgid"]}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_string_is_translated_and_none_is_fuzzy(language):
    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    found = entries(path)
    assert len(found) > 150
    for entry in found:
        assert "fuzzy" not in entry["flags"], entry
        if entry["msgid"]:  # the header's msgid is empty
            assert entry["msgstr"] and all(entry["msgstr"]), entry
            for name in re.findall(r"%\((\w+)\)s", entry["msgid"]):
                assert all(f"%({name})s" in s for s in entry["msgstr"]), (entry, name)


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs gettext (make system-deps)")
def test_makemessages_finds_no_string_missing_from_the_shipped_catalogues(tmp_path):
    """makemessages over a copy of the project: every msgid it extracts is shipped."""
    copy = tmp_path / "project"
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "var", "media", "node_modules", "__pycache__", "*.mo", "tests", "bench"
    )
    shutil.copytree(ROOT, copy, ignore=ignore)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "de", "--ignore=tests"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    extracted = keys(copy / "locale" / "de" / "LC_MESSAGES" / "django.po")
    for language in LANGUAGES:
        shipped = keys(ROOT / "locale" / language / "LC_MESSAGES" / "django.po")
        missing = extracted - shipped
        assert not missing, f"{language}: run `make makemessages` and translate {missing}"
