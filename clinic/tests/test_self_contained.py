"""The repository stands alone: no tracked file points the reader to notes kept outside it.

What a reader needs from such notes is written here in the repository's own words (for the
databases, docs/database-notes.md)."""

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# Spelled in pieces so that this file does not match itself.
OUTSIDE_NOTES = re.compile(
    "|".join(re.escape(name) for name in ("../" + "shared", "PIT" + "FALLS", "DES" + "IGN.md", "STY" + "LE.md"))
)

# Third-party files copied in unchanged: not ours to edit.
VENDORED = ("static/vendor/",)


def tracked_files() -> list[str]:
    # safe.directory: CI runs as root, possibly in a clone another user owns.
    command = ["git", "-c", f"safe.directory={REPO}", "ls-files", "-z"]
    listing = subprocess.run(command, cwd=REPO, capture_output=True, check=True)
    return [name for name in listing.stdout.decode().split("\0") if name and not name.startswith(VENDORED)]


def citations(names: list[str], root: Path = REPO) -> list[str]:
    """Every line of the named files (relative to root) that cites notes outside the repository."""
    found = []
    for name in names:
        path = root / name
        if not path.is_file():  # deleted in the work tree, not yet committed
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE_NOTES.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_it_finds_the_repository_files():
    names = tracked_files()
    assert "manage.py" in names
    assert "clinic/settings/base.py" in names
    assert not any(name.startswith("static/vendor/") for name in names)


def test_it_recognises_a_citation_of_outside_notes(tmp_path):
    (tmp_path / "module.py").write_text("x = 1\n# MariaDB skips it (PIT" + "FALLS.md).\n")
    (tmp_path / "notes.md").write_text("See ../" + "shared/ for the details.\n")
    (tmp_path / "clean.py").write_text("# MariaDB skips it (docs/database-notes.md).\n")

    assert citations(["module.py", "notes.md", "clean.py"], root=tmp_path) == [
        "module.py:2: # MariaDB skips it (PIT" + "FALLS.md).",
        "notes.md:1: See ../" + "shared/ for the details.",
    ]


def test_no_tracked_file_cites_notes_outside_the_repository():
    assert citations(tracked_files()) == []
