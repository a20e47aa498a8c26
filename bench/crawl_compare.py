"""Compare two crawls of bench/crawl.py page by page, whitespace aside.

    .venv/bin/python bench/crawl_compare.py OLD NEW        (`make crawl-compare OLD=dir NEW=dir`)

Whitespace between tags goes and every other run of whitespace becomes one space, so markup that
was only reindented compares equal. Prints how many pages are equal, a short unified diff of each
page that differs and the pages found on one side only; exits 1 when anything differs.
"""

import difflib
import re
import sys
from pathlib import Path

BETWEEN_TAGS = re.compile(r">\s+<")
SPACES = re.compile(r"\s+")
DIFF_LINES = 40  # of each differing page's diff


def normalise(text: str) -> str:
    """The page with whitespace between tags removed and other runs collapsed to one space."""
    return SPACES.sub(" ", BETWEEN_TAGS.sub("><", text)).strip()


def diff(old: str, new: str, name: str = "") -> list[str]:
    """A unified diff of the normalised pages, one tag to a line so that it reads; [] when equal."""
    old, new = normalise(old), normalise(new)
    if old == new:
        return []
    old_lines, new_lines = old.replace("><", ">\n<").splitlines(), new.replace("><", ">\n<").splitlines()
    return list(difflib.unified_diff(old_lines, new_lines, f"old/{name}", f"new/{name}", n=2, lineterm=""))


def pages(folder: Path) -> dict[str, Path]:
    return {path.relative_to(folder).as_posix(): path for path in sorted(folder.rglob("*.html"))}


def compare(old_folder: Path, new_folder: Path, out=sys.stdout) -> bool:
    """Prints the summary; True when both crawls hold the same pages with the same content."""
    old, new = pages(old_folder), pages(new_folder)
    equal, differing = 0, []
    for name in sorted(old.keys() & new.keys()):
        lines = diff(old[name].read_text(encoding="utf-8"), new[name].read_text(encoding="utf-8"), name)
        if lines:
            differing.append((name, lines))
        else:
            equal += 1
    only_old, only_new = sorted(old.keys() - new.keys()), sorted(new.keys() - old.keys())
    print(
        f"{equal} pages equal, {len(differing)} differ, {len(only_old)} only in {old_folder}, "
        f"{len(only_new)} only in {new_folder}",
        file=out,
    )
    for name, lines in differing:
        print(f"\n--- differs: {name}", file=out)
        print("\n".join(lines[:DIFF_LINES]), file=out)
        if len(lines) > DIFF_LINES:
            print(f"... {len(lines) - DIFF_LINES} more diff lines", file=out)
    for side, names in ((old_folder, only_old), (new_folder, only_new)):
        if names:
            print(f"\nonly in {side}:\n  " + "\n  ".join(names), file=out)
    return not (differing or only_old or only_new)


def main(argv: list[str]) -> int:
    if len(argv) != 3 or not all(Path(arg).is_dir() for arg in argv[1:]):
        print(__doc__, file=sys.stderr)
        return 2
    return 0 if compare(Path(argv[1]), Path(argv[2])) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
