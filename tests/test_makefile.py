"""`make help` lists every target a user may run (issue #12)."""
import re
import subprocess

from tests.conftest import PROJECT_DIR


def test_make_help_lists_every_phony_target_with_a_description():
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.M).group(1).split()
    shown = subprocess.run(["make", "--no-print-directory", "help"], cwd=PROJECT_DIR, capture_output=True,
                           text=True, check=True).stdout.splitlines()
    listed = {line.split()[1]: line.split(None, 2)[2] for line in shown if line.startswith("make ")}
    assert set(phony) <= set(listed), set(phony) - set(listed)
    assert all(len(description) > 10 for description in listed.values())
