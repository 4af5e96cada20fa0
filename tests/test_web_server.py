"""The demo page points its widget at the bot on the host the browser used (issue #12)."""
import http.client
import threading
from functools import partial
from http.server import ThreadingHTTPServer

import pytest

from scripts.web_server import WEB_DIR, WebHandler


@pytest.fixture
def page_server():
    handler = partial(WebHandler, directory=str(WEB_DIR))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()
    WebHandler.bot_url, WebHandler.rasa_port = "", 5005


def _bot_url_in_page(port, host):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/", headers={"Host": host})
    page = connection.getresponse().read().decode("utf-8")
    return page.split('data-bot-url="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("host, expected", [
    ("192.168.1.20:8000", "http://192.168.1.20:5005"),  # another machine, BIND_HOST=0.0.0.0
    ("localhost:8000", "http://localhost:5005"),
    ("[::1]:8000", "http://[::1]:5005"),
])
def test_the_widget_talks_to_the_host_the_page_was_reached_by(page_server, host, expected):
    assert _bot_url_in_page(page_server, host) == expected


def test_a_forged_host_header_cannot_inject_markup(page_server):
    url = _bot_url_in_page(page_server, 'x"><script>alert(1)</script>')
    assert "<" not in url and '"' not in url and ">" not in url


def test_bot_url_when_set_wins(page_server):
    WebHandler.bot_url = "https://bot.example.com"
    assert _bot_url_in_page(page_server, "192.168.1.20:8000") == "https://bot.example.com"
