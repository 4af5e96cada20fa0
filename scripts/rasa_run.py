"""``rasa …`` with ``--auth-token`` taken from RASA_AUTH_TOKEN, so the token never shows in ``ps``.

A process's command line is readable by every local user (/proc/<pid>/cmdline);
scripts/serve.sh starts the Rasa server through this instead of passing the
token as an argument. Everything else is Rasa's own command-line interface.
"""
import os
import sys

from rasa.__main__ import main

if __name__ == "__main__":
    token = os.environ.get("RASA_AUTH_TOKEN", "")
    sys.argv = ["rasa", *sys.argv[1:], *(["--auth-token", token] if token else [])]
    main()
