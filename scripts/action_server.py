"""Run rasa-sdk's action server, answering only the Rasa server.

The server is rasa-sdk's own app (``rasa_sdk.endpoint.create_app``) with two
differences from ``python -m rasa_sdk``:
- no CORS headers: browsers never call it (rasa-sdk's default allows ``*``);
- with ACTION_TOKEN set, every call but ``/health`` needs the header
  ``X-Action-Token: <ACTION_TOKEN>``, which Rasa sends (endpoints.yml).
It refuses to start on an address other than the loopback without a token.
Settings: ACTION_PORT (5055), ACTION_HOST (127.0.0.1), ACTION_TOKEN.
"""
import hmac
import logging
import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from core.loopback import is_loopback  # noqa: E402 - importable only once the project is on sys.path
from scripts.rasa_env import settings  # noqa: E402

TOKEN_HEADER = "X-Action-Token"
OPEN_PATHS = {"/health"}


def token_accepted(given: str, token: str) -> bool:
    """Whether a request carrying ``given`` may run actions."""
    return not token or hmac.compare_digest(given.encode(), token.encode())


def create_app(token: str):
    from rasa_sdk.endpoint import create_app as create_sdk_app
    from sanic import response

    app = create_sdk_app("actions", cors_origins=None)
    # The text normaliser takes about a second to build (pinyin of the domain's
    # words): built now, not while the first seller waits for an answer.
    from core.normalization import normalizer_for
    from core.settings import dictionary_dir
    normalizer_for(dictionary_dir())

    @app.on_request
    async def require_token(request):
        if request.path not in OPEN_PATHS and not token_accepted(
                request.headers.get(TOKEN_HEADER, ""), token):
            return response.json({"error": f"missing or wrong {TOKEN_HEADER} header"}, status=401)

    return app


def main() -> int:
    env = settings(os.environ)  # the one place of defaults, shared with serve.sh
    host, port = env["ACTION_HOST"], int(env["ACTION_PORT"])
    token = os.environ.get("ACTION_TOKEN", "")
    if not is_loopback(host) and not token:
        print(f"error: the action server on {host} needs ACTION_TOKEN "
              "(or ACTION_HOST=127.0.0.1)", file=sys.stderr)
        return 2
    from rasa_sdk import utils

    utils.configure_colored_logging("INFO")
    utils.update_sanic_log_level()
    logging.getLogger(__name__).info("Action server on http://%s:%s (token %s)",
                                     host, port, "required" if token else "not set")
    create_app(token).run(host, port, workers=1, access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
