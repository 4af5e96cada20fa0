"""The demo page points its widget at the bot on the host the browser used (issue #12)."""
import http.client
import socket
import threading
import time
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


@pytest.fixture
def files_server(tmp_path):
    """The web server over a folder of its own: a page, a sub-folder, and symlinks in and out."""
    served = tmp_path / "web"
    (served / "widget").mkdir(parents=True)
    (served / "index.html").write_text('<div data-bot-url="{{BOT_URL}}"></div>', encoding="utf-8")
    (served / "widget" / "chat.js").write_text("ok", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    (served / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (served / "leakdir").symlink_to(tmp_path)
    (served / "alias.js").symlink_to(served / "widget" / "chat.js")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(WebHandler, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _request(port, method, path):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request(method, path)
    answer = connection.getresponse()
    return answer.status, answer.read().decode("utf-8", "replace")


def test_only_files_inside_the_folder_are_served(files_server):
    assert _request(files_server, "GET", "/widget/chat.js") == (200, "ok")
    assert _request(files_server, "GET", "/alias.js") == (200, "ok")  # a link that stays inside
    for path in ("/widget/", "/leak.txt", "/leakdir/secret.txt", "/leakdir/"):
        status, body = _request(files_server, "GET", path)
        assert status == 404 and "outside" not in body and "chat.js" not in body, path
    assert _request(files_server, "GET", "/widget/%00.js")[0] == 400
    assert _request(files_server, "GET", "/%00")[0] == 400


def test_head_of_the_page_is_the_page_not_its_template(files_server):
    connection = http.client.HTTPConnection("127.0.0.1", files_server, timeout=5)
    connection.request("GET", "/")
    page = connection.getresponse().read()
    connection.request("HEAD", "/")
    head = connection.getresponse()
    assert head.status == 200 and head.read() == b""
    assert int(head.getheader("Content-Length")) == len(page) and b"{{BOT_URL}}" not in page


def test_an_idle_connection_is_closed(files_server, monkeypatch):
    assert WebHandler.timeout and WebHandler.timeout <= 60  # http.server's default: never
    monkeypatch.setattr(WebHandler, "timeout", 1)  # the same mechanism, quicker
    with socket.create_connection(("127.0.0.1", files_server), timeout=10) as idle:
        started = time.monotonic()
        assert idle.recv(1) == b""  # closed by the server, not by our own timeout
        assert time.monotonic() - started < 5
