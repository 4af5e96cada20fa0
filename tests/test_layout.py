"""The packages depend on ``core/`` and not on each other (issue #15).

``core/`` holds everything that does not import Rasa; ``actions/`` (Rasa SDK),
``components/`` (NLU), ``channels/`` (Rasa's input channels), ``stores/``
(Rasa's stores) and ``desk/`` (the agents' API) build on it. A new import
between two of them, or of Rasa inside ``core/``, fails here: the import is read
from the source, so code that imports lazily inside a function counts too.
"""
import ast

import pytest

from tests.conftest import PROJECT_DIR

PACKAGES = ("core", "actions", "components", "channels", "stores", "desk")
# package → the project's packages it may import (besides itself)
ALLOWED = {
    "core": set(),
    "actions": {"core"},
    "components": {"core"},
    "stores": {"core"},
    "channels": {"core", "stores"},
    "desk": {"core", "stores"},
}
RASA = {"rasa", "rasa_sdk", "sanic", "tensorflow"}


def imported_roots(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def modules():
    return [(package, path) for package in PACKAGES for path in sorted((PROJECT_DIR / package).glob("*.py"))]


@pytest.mark.parametrize("package,path", modules(), ids=lambda value: getattr(value, "name", value))
def test_a_package_imports_only_core_and_what_it_builds_on(package, path):
    wrong = [f"{path.relative_to(PROJECT_DIR)}:{line} imports {root}"
             for line, root in imported_roots(path)
             if root in PACKAGES and root != package and root not in ALLOWED[package]]
    assert not wrong, wrong


@pytest.mark.parametrize("path", sorted((PROJECT_DIR / "core").glob("*.py")), ids=lambda p: p.name)
def test_core_imports_nothing_of_rasa(path):
    wrong = [f"core/{path.name}:{line} imports {root}" for line, root in imported_roots(path) if root in RASA]
    assert not wrong, wrong


def test_the_rule_itself_catches_an_import_between_packages(tmp_path):
    module = tmp_path / "x.py"
    module.write_text("def f():\n    from actions.answer import ActionAnswer\n", encoding="utf-8")
    assert list(imported_roots(module)) == [(2, "actions")]
    assert "actions" not in ALLOWED["channels"] and "desk" not in ALLOWED["actions"]


def test_the_benchmarks_training_copy_has_every_package_the_components_import():
    from bench.speed import TRAINING_INPUTS

    assert {"components", *ALLOWED["components"]} <= set(TRAINING_INPUTS)
