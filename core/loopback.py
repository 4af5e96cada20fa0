"""The loopback names: an address only this machine reaches.

One set for every part that decides whether it may run without a token
(``scripts/serve.sh``, ``scripts/action_server.py``) or which Host headers it
accepts (``channels/request_guard.py``). ``python -m core.loopback HOST`` exits
0 when HOST is one of them (what serve.sh asks).
"""
import sys

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def is_loopback(host: str) -> bool:
    return host.strip().lower().strip("[]") in LOOPBACK_NAMES


if __name__ == "__main__":
    sys.exit(0 if len(sys.argv) == 2 and is_loopback(sys.argv[1]) else 1)
