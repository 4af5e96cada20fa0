"""The settings `endpoints.yml` and `credentials.yml` read as ${VAR}, with their one-machine defaults.

Rasa 3.6 expands ``${VAR}`` in its YAML files from the environment and stops
when a variable is not set. This module is the one place that says what each
variable is when the operator did not set it, and what follows from the ones
they did (``REDIS_HOST`` set → Redis lock store; ``DB_HOST`` set → PostgreSQL).
Two users:

- ``scripts/serve.sh`` (``make run``): ``eval "$(python scripts/rasa_env.py)"``
  exports every setting before it starts the servers;
- the plain ``rasa`` command of the project's virtualenv (``rasa shell``,
  ``rasa run``, ``rasa run actions``, ``rasa test``, ``rasa interactive``): a
  ``.pth`` file that ``make install`` writes into the virtualenv runs
  :func:`apply_to_rasa_cli` when Python starts, which fills in the unset
  variables only when the program is ``rasa`` — other programs of the
  virtualenv (pytest, the servers started by serve.sh) see the environment as
  it is.

Standard library only: it runs before anything else is imported.
"""
import os
import shlex
import socket
import sys
import urllib.parse
from typing import Dict, Mapping

LOOPBACK = "127.0.0.1"


def _quote(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def settings(env: Mapping[str, str]) -> Dict[str, str]:
    """Every setting, from ``env`` where it is set and from the one-machine defaults where not."""
    def get(key: str, default: str = "") -> str:
        return env.get(key, default)

    values: Dict[str, str] = {
        "RASA_PORT": get("RASA_PORT", "5005"), "ACTION_PORT": get("ACTION_PORT", "5055"),
        "WEB_PORT": get("WEB_PORT", "8000"), "BIND_HOST": get("BIND_HOST", LOOPBACK),
        "MODEL": get("MODEL", "models/zqbz.tar.gz"), "MAX_REQUEST_BYTES": get("MAX_REQUEST_BYTES", "262144"),
        "RASA_AUTH_TOKEN": get("RASA_AUTH_TOKEN"), "ACTION_HOST": get("ACTION_HOST", LOOPBACK),
        "ACTION_TOKEN": get("ACTION_TOKEN"), "TRACKER_DB": get("TRACKER_DB", "rasa.db"),
        "TRACKER_DB_URL": get("TRACKER_DB_URL"), "REDIS_HOST": get("REDIS_HOST"),
        "REDIS_PORT": get("REDIS_PORT", "6379"), "REDIS_DB": get("REDIS_DB", "1"),
        "REDIS_PASSWORD": get("REDIS_PASSWORD"),
        # Chat-platform connectors (credentials.yml): empty secrets leave them switched off.
        "DINGTALK_APP_SECRET": get("DINGTALK_APP_SECRET"),
        "DINGTALK_API_BASE": get("DINGTALK_API_BASE", "https://oapi.dingtalk.com"),
        "WECOM_CORP_ID": get("WECOM_CORP_ID"), "WECOM_TOKEN": get("WECOM_TOKEN"),
        "WECOM_AES_KEY": get("WECOM_AES_KEY"), "WECOM_SECRET": get("WECOM_SECRET"),
        "WECOM_AGENT_ID": get("WECOM_AGENT_ID"),
        "WECOM_API_BASE": get("WECOM_API_BASE", "https://qyapi.weixin.qq.com"),
        # DingTalk's open API, for messages sent later (an agent's reply, the hand-off timer).
        "DINGTALK_APP_KEY": get("DINGTALK_APP_KEY"), "DINGTALK_ROBOT_CODE": get("DINGTALK_ROBOT_CODE"),
        "DINGTALK_OPENAPI_BASE": get("DINGTALK_OPENAPI_BASE", "https://api.dingtalk.com"),
        # The agents' desk → Rasa (channels/handoff_api.py); empty: that API is off.
        "HANDOFF_API_TOKEN": get("HANDOFF_API_TOKEN"),
    }
    web = values["WEB_PORT"]
    hosts = ["localhost", LOOPBACK]
    if values["BIND_HOST"] in ("0.0.0.0", "::"):  # the demo page reached from other machines
        hosts += _this_machine()
    elif values["BIND_HOST"] not in hosts:
        hosts.insert(0, values["BIND_HOST"])
    values["WIDGET_ORIGINS"] = get("WIDGET_ORIGINS", " ".join(f"http://{host}:{web}" for host in hosts))
    values["ACTION_ENDPOINT_URL"] = get("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{values['ACTION_PORT']}/webhook")
    # Rasa's Helm chart hands its PostgreSQL to the container as DB_HOST, DB_PORT,
    # DB_USER, DB_PASSWORD, DB_DATABASE: the same as TRACKER_DB_URL.
    if not values["TRACKER_DB_URL"] and get("DB_HOST"):
        values["TRACKER_DB_URL"] = (f"postgresql://{get('DB_USER', 'rasa')}:{_quote(get('DB_PASSWORD'))}"
                                    f"@{get('DB_HOST')}:{get('DB_PORT', '5432')}/{get('DB_DATABASE', 'rasa')}")
    values["LOCK_STORE"], values["SOCKETIO_REDIS_URL"] = "in_memory", ""
    if values["REDIS_HOST"]:
        values["LOCK_STORE"] = "stores.redis_lock.AtomicRedisLockStore"  # Rasa's Redis lock store, made atomic
        # socket.io relays between instances through Redis database REDIS_DB + 1.
        values["SOCKETIO_REDIS_URL"] = (f"redis://:{_quote(values['REDIS_PASSWORD'])}@{values['REDIS_HOST']}:"
                                        f"{values['REDIS_PORT']}/{int(values['REDIS_DB']) + 1}")
    return values


def _this_machine() -> list:
    """This machine's address on its default route and its name, as another machine's browser may reach it."""
    found = []
    try:  # connecting a UDP socket sends nothing; it picks the outgoing interface
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            found.append(probe.getsockname()[0])
    except OSError:
        pass
    name = socket.gethostname()
    try:
        found += socket.gethostbyname_ex(name)[2]
    except OSError:
        pass
    addresses = [a for a in dict.fromkeys(found) if not a.startswith(("127.", "0."))]
    return addresses + [name]


def apply_to_rasa_cli() -> None:
    """Fill in unset settings when this Python process is the ``rasa`` command (called from a .pth file)."""
    if os.path.basename(sys.argv[0] if sys.argv else "") != "rasa":
        return
    for key, value in settings(os.environ).items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", os.environ["MAX_REQUEST_BYTES"])


def pth_line(script: str) -> str:
    """The line of the virtualenv's .pth file that runs :func:`apply_to_rasa_cli` from ``script``."""
    return (f"import runpy, sys; sys.argv and sys.argv[0].endswith('rasa') and "
            f"runpy.run_path({script!r})['apply_to_rasa_cli']()\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--pth"]:  # make install: the .pth file's content
        print(pth_line(os.path.abspath(__file__)), end="")
    else:  # serve.sh: export every setting
        for key, value in settings(os.environ).items():
            print(f"export {key}={shlex.quote(value)}")
