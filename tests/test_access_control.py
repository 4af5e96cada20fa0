"""Refusals that need no running bot: serve.sh's start-up checks and the action server's token."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.action_server import token_accepted

SERVE = Path(__file__).resolve().parent.parent / "scripts" / "serve.sh"


def serve(**settings):
    env = {k: v for k, v in os.environ.items()
           if k not in ("RASA_AUTH_TOKEN", "ACTION_TOKEN", "ACTION_HOST", "BIND_HOST", "WIDGET_ORIGINS")}
    # "nothing" is not a part: should the checks let it through, serve.sh says so (exit 2, usage).
    return subprocess.run([str(SERVE), "nothing"], env={**env, **settings}, capture_output=True,
                          text=True, timeout=30)


@pytest.mark.parametrize("settings, complaint", [
    ({"BIND_HOST": "0.0.0.0"}, "set RASA_AUTH_TOKEN"),
    ({"BIND_HOST": "10.1.2.3"}, "set RASA_AUTH_TOKEN"),
    ({"ACTION_HOST": "0.0.0.0"}, "set ACTION_TOKEN"),
    ({"WIDGET_ORIGINS": "*"}, "'*' is not allowed"),
    ({"WIDGET_ORIGINS": "http://a.example https://*.example"}, "'*' is not allowed"),
])
def test_serve_refuses_to_start_open_to_the_network(settings, complaint):
    result = serve(**settings)
    assert result.returncode == 2 and complaint in result.stderr, result.stderr


@pytest.mark.parametrize("settings", [
    {},
    {"BIND_HOST": "0.0.0.0", "RASA_AUTH_TOKEN": "t"},
    {"ACTION_HOST": "0.0.0.0", "ACTION_TOKEN": "t"},
])
def test_serve_accepts_safe_settings(settings):
    result = serve(**settings)
    assert result.returncode == 2 and "usage:" in result.stderr, result.stderr


def test_action_token_check():
    assert token_accepted("", "")  # no token configured: loopback only, enforced at start
    assert token_accepted("s3cret", "s3cret")
    assert not token_accepted("", "s3cret")
    assert not token_accepted("s3cre", "s3cret")
    assert not token_accepted("非ascii", "s3cret")


def test_action_server_refuses_to_listen_beyond_loopback_without_a_token():
    script = SERVE.parent / "action_server.py"
    env = {**os.environ, "ACTION_HOST": "0.0.0.0", "ACTION_TOKEN": ""}
    result = subprocess.run([sys.executable, str(script)], env=env,
                            capture_output=True, text=True, timeout=60,
                            cwd=SERVE.parent.parent)
    assert result.returncode == 2 and "ACTION_TOKEN" in result.stderr


def test_settings_show_the_stores_in_use_with_secrets_masked():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS_", "DB_", "TRACKER_"))}
    plain = subprocess.run([str(SERVE), "settings"], env=env, capture_output=True, text=True, timeout=30)
    assert "tracker store: sqlite" in plain.stdout and "lock store: in_memory" in plain.stdout
    chart = {"DB_HOST": "db", "DB_USER": "rasa", "DB_PASSWORD": "p@ss:/w", "DB_DATABASE": "bot",
             "REDIS_HOST": "redis", "REDIS_PASSWORD": "r3dis"}
    shown = subprocess.run([str(SERVE), "settings"], env={**env, **chart}, capture_output=True,
                           text=True, timeout=30).stdout
    assert "tracker store: postgresql://rasa:***@db:5432/bot" in shown
    assert "lock store: stores.redis_lock.AtomicRedisLockStore at redis:6379" in shown
    assert "socket.io relay: redis://:***@redis:6379/2" in shown
    assert "p@ss" not in shown and "r3dis" not in shown


def test_the_action_server_builds_the_text_normaliser_before_the_first_seller_waits():
    from core.normalization import normalizer_for
    from scripts.action_server import create_app

    normalizer_for.cache_clear()
    create_app("")
    assert normalizer_for.cache_info().currsize == 1


@pytest.mark.parametrize("host,loopback", [("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True),
                                           ("LOCALHOST", True), ("0.0.0.0", False), ("10.0.0.5", False), ("", False)])
def test_one_set_of_loopback_names_for_python_and_serve_sh(host, loopback):
    from core.loopback import is_loopback

    assert is_loopback(host) is loopback
    asked = subprocess.run([sys.executable, "-m", "core.loopback", host], cwd=SERVE.parent.parent)
    assert (asked.returncode == 0) is loopback
