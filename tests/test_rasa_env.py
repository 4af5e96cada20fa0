"""The settings endpoints.yml and credentials.yml expand, and their one-machine defaults (scripts/rasa_env.py)."""
import os
import re
import sys
from pathlib import Path

import pytest

from scripts import rasa_env
from tests.conftest import PROJECT_DIR


def test_every_variable_the_rasa_files_expand_has_a_value_with_nothing_set():
    used = set()
    for name in ("endpoints.yml", "credentials.yml"):
        used |= set(re.findall(r"\$\{(\w+)\}", (PROJECT_DIR / name).read_text(encoding="utf-8")))
    values = rasa_env.settings({})
    assert used <= set(values), used - set(values)
    assert values["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:5055/webhook"
    assert values["TRACKER_DB"] == "rasa.db" and values["LOCK_STORE"] == "in_memory"


def test_what_is_set_wins_and_what_follows_from_it_is_derived():
    values = rasa_env.settings({"ACTION_PORT": "7055", "REDIS_HOST": "redis", "REDIS_PASSWORD": "p@ss/word",
                                "DB_HOST": "pg", "DB_PASSWORD": "s:cret", "WEB_PORT": "9000"})
    assert values["ACTION_ENDPOINT_URL"] == "http://127.0.0.1:7055/webhook"
    assert values["LOCK_STORE"] == "stores.redis_lock.AtomicRedisLockStore"
    assert values["SOCKETIO_REDIS_URL"] == "redis://:p%40ss%2Fword@redis:6379/2"
    assert values["TRACKER_DB_URL"] == "postgresql://rasa:s%3Acret@pg:5432/rasa"
    assert "http://127.0.0.1:9000" in values["WIDGET_ORIGINS"].split()


def test_binding_beyond_loopback_allows_the_demo_page_from_this_machines_name():
    import socket
    origins = rasa_env.settings({"BIND_HOST": "0.0.0.0"})["WIDGET_ORIGINS"].split()
    assert f"http://{socket.gethostname()}:8000" in origins and "http://0.0.0.0:8000" not in origins


@pytest.mark.parametrize("program, applied", [("/x/.venv/bin/rasa", True), ("/x/.venv/bin/pytest", False),
                                              ("-c", False)])
def test_defaults_are_filled_in_only_for_the_rasa_command(monkeypatch, program, applied):
    environ = {"ACTION_PORT": "7055"}  # a copy: the defaults must not leak into other tests' servers
    monkeypatch.setattr(os, "environ", environ)
    monkeypatch.setattr(sys, "argv", [program, "run"])
    rasa_env.apply_to_rasa_cli()
    assert (environ.get("ACTION_ENDPOINT_URL") == "http://127.0.0.1:7055/webhook") is applied


def test_the_virtualenv_runs_it_for_rasa():
    pth = Path(rasa_env.__file__).resolve()
    line = rasa_env.pth_line(str(pth))
    assert line.startswith("import ") and str(pth) in line  # site.py executes .pth lines that start with import
    installed = PROJECT_DIR / ".venv" / "lib" / "python3.10" / "site-packages" / "zqbz_rasa_env.pth"
    assert installed.read_text(encoding="utf-8") == line  # written by make install
