"""Serve the demo help page, the chat widget and the agent tools (web/) on WEB_PORT.

A small static server from the standard library. Dynamic parts: the demo page
(``{{BOT_URL}}`` in web/index.html becomes the Rasa server's URL, so the page
works on whatever ports `make run` was given) and the agent API under
/agent/api/ (desk/http.py).
Only files inside web/ are served (no directory listings, no symlinks leading
out of it, a NUL or other unusable path is a 400); a connection idle for
IDLE_SECONDS is closed.
Settings: WEB_PORT (8000), BIND_HOST (127.0.0.1), RASA_PORT (5005), BOT_URL
(default: the host the browser reached this page by, on RASA_PORT — so the demo
works from another machine when BIND_HOST=0.0.0.0).
"""
import html
import json
import os
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

PROJECT_DIR = Path(__file__).resolve().parent.parent
WEB_DIR = PROJECT_DIR / "web"
sys.path.insert(0, str(PROJECT_DIR))
from channels import request_guard  # noqa: E402 (standard library only)
from scripts.rasa_env import settings  # noqa: E402 (standard library only)

MAX_BODY_BYTES = 64 * 1024
IDLE_SECONDS = 30
INDEX_PATHS = ("/", "/index.html")


class WebHandler(SimpleHTTPRequestHandler):
    """Static files, the templated index page, and cautious headers."""

    bot_url = ""  # BOT_URL; empty: the page's own host on rasa_port
    rasa_port = 5005
    timeout = IDLE_SECONDS  # socketserver closes a connection that sends nothing for this long

    def _bot_url(self) -> str:
        if self.bot_url:
            return self.bot_url
        host = urlsplit("//" + (self.headers.get("Host") or "")).hostname or "127.0.0.1"
        return f"http://{f'[{host}]' if ':' in host else host}:{self.rasa_port}"

    def end_headers(self) -> None:
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def _agent_api(self, method: str) -> None:
        from desk import http as agent_http  # Rasa's modules load only when agents use it

        length = self.headers.get("Content-Length") or "0"
        refused = request_guard.refusal(method, self.headers.get("Host"), self.headers.get("Origin"),
                                        request_guard.allowed_hosts())
        if refused:
            status, answer = refused[0], {"error": refused[1]}
            self.close_connection = True  # the body, if any, is not read
        elif not length.isdigit():
            status, answer = 400, {"error": "Content-Length must be a number of bytes"}
            self.close_connection = True  # the body, if any, is not read
        elif int(length) > MAX_BODY_BYTES:
            status, answer = 413, {"error": f"body larger than {MAX_BODY_BYTES} bytes"}
            self.close_connection = True
        else:
            body = self.rfile.read(int(length)) if int(length) else b""
            status, answer = agent_http.handle(method, self.path, dict(self.headers), body)
        data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        if self.path.startswith("/agent/api/"):
            self._agent_api("POST")
        else:
            self.send_error(405)

    def do_GET(self) -> None:
        if self.path.startswith("/agent/api/"):
            self._agent_api("GET")
            return
        if self.path.split("?")[0] in INDEX_PATHS:
            self.wfile.write(self._index_head())
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        if self.path.split("?")[0] in INDEX_PATHS:
            self._index_head()  # the page's real headers, never the raw template
            return
        super().do_HEAD()

    def _index_head(self) -> bytes:
        """Sends the demo page's status and headers; returns its body."""
        page = (Path(self.directory) / "index.html").read_text(encoding="utf-8")
        body = page.replace("{{BOT_URL}}", html.escape(self._bot_url(), quote=True)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return body

    def send_head(self):  # type: ignore[no-untyped-def]
        """http.server's, for files inside the served folder only."""
        try:
            real = os.path.realpath(self.translate_path(self.path))
        except ValueError:  # a NUL byte in the path
            self.send_error(400, "Bad path")
            return None
        root = os.path.realpath(self.directory)
        if real != root and not real.startswith(root + os.sep):
            self.send_error(404, "File not found")  # a symlink that leads out of web/
            return None
        return super().send_head()

    def list_directory(self, path):  # type: ignore[no-untyped-def]
        self.send_error(404, "File not found")  # folders are not listed
        return None


def main() -> None:
    env = settings(os.environ)  # the one place of defaults, shared with serve.sh
    host, port = env["BIND_HOST"], int(env["WEB_PORT"])
    WebHandler.bot_url = os.environ.get("BOT_URL", "")
    WebHandler.rasa_port = int(env["RASA_PORT"])
    handler = partial(WebHandler, directory=str(WEB_DIR))
    with ThreadingHTTPServer((host, port), handler) as server:
        print(f"Help page with the chat widget: http://{host}:{port}/", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
