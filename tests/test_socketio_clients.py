"""socket.io clients on pages of another allowed origin, over both transports (issue #12).

- rasa-webchat 1.0.1 (npm; Botfront's widget, the most used third-party Rasa web
  client): its socket.io client starts with HTTP long-polling and upgrades to a
  websocket. One test lets it; one blocks websockets, so that polling carries the
  whole conversation.
- The project's own widget with ``data-transports="polling"``.

The pages come from a plain static server on another loopback port, an origin
the bot is told to allow (WIDGET_ORIGINS), as a seller's help page would be.
"""
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.bot_server import BotServer, free_port
from tests.conftest import PROJECT_DIR
from tests.test_widget_browser import REPLY_MS, browser  # noqa: F401 (fixture)

pytestmark = [pytest.mark.model, pytest.mark.browser]

WEBCHAT_JS = PROJECT_DIR / "node_modules" / "rasa-webchat" / "lib" / "index.js"
BOT_SAID = ".rw-from-response .rw-message-text"  # not the typing indicator, which is a .rw-response too


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    """A static server for the test pages: (its URL, its folder)."""
    folder = tmp_path_factory.mktemp("pages")
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", folder
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def bot(tmp_path_factory, pages):
    url, _ = pages
    server = BotServer(tmp_path_factory.mktemp("clients"))
    server.env["WIDGET_ORIGINS"] = f"{url} {server.web_url}"
    for part in ("actions", "rasa", "web"):
        server.start(part)
    yield server
    server.stop_all()


@pytest.fixture
def open_page(browser, bot, pages):  # noqa: F811 (fixture)
    url, folder = pages
    contexts = []

    def open_(name, html, block_websockets=False):
        (folder / name).write_text(html, encoding="utf-8")
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.errors, page.websockets = [], []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("websocket", lambda ws: page.websockets.append(ws.url))
        if block_websockets:  # a proxy that lets no websocket through
            page.route_web_socket("**/socket.io/**", lambda ws: ws.close())
        page.goto(f"{url}/{name}")
        return page

    yield open_
    for context in contexts:
        context.close()


def _webchat_html(bot_url):
    # initPayload: rasa-webchat sends it when the chat opens; this bot greets on /greet.
    return f"""<!doctype html><html><head><meta charset="utf-8"></head><body>
<script src="rasa-webchat.js"></script>
<script>
  WebChat.default({{
    initPayload: "/greet", socketUrl: "{bot_url}", socketPath: "/socket.io/",
    customData: {{ language: "zh" }}, title: "账期保障助手", params: {{ storage: "session" }}
  }}, null);
</script></body></html>"""


@pytest.fixture
def webchat(open_page, bot, pages):
    if not WEBCHAT_JS.exists():
        pytest.fail("node_modules/rasa-webchat missing: `make install` runs npm ci")
    (pages[1] / "rasa-webchat.js").write_bytes(WEBCHAT_JS.read_bytes())

    def start(block_websockets):
        page = open_page("webchat.html", _webchat_html(bot.url), block_websockets)
        page.click(".rw-launcher")
        page.wait_for_selector(BOT_SAID, timeout=REPLY_MS)  # the greeting from /greet
        page.wait_for_timeout(500)
        return page

    return start


def _wait_for_more(page, selector, before):
    page.wait_for_function(f"document.querySelectorAll('{selector}').length > {before}", timeout=REPLY_MS)
    page.wait_for_timeout(800)  # the rest of a multi-message answer
    return "\n".join(page.locator(selector).all_inner_texts()[before:])


def _send(page, text):
    before = page.locator(BOT_SAID).count()
    page.fill(".rw-new-message", text)
    page.press(".rw-new-message", "Enter")
    return _wait_for_more(page, BOT_SAID, before)


def _click(page, title):
    before = page.locator(BOT_SAID).count()
    page.locator(".rw-reply", has_text=title).last.click()
    return _wait_for_more(page, BOT_SAID, before)


def _converse_in_webchat(page):
    """A question, then the exit check completed with the buttons rasa-webchat shows."""
    assert "千牛卖家中心" in _send(page, "账期保障怎么退出")
    assert "维权" in _send(page, "我能退出账期保障吗")
    assert page.locator(".rw-reply", has_text="没有").count() >= 1  # the check's buttons are shown
    _click(page, "没有")
    verdict = _click(page, "没有")
    assert "应该可以直接退出" in verdict, verdict
    assert not page.errors, page.errors


def test_rasa_webchat_converses_from_another_origin(webchat):
    page = webchat(block_websockets=False)
    _converse_in_webchat(page)
    assert page.websockets, "rasa-webchat never upgraded to a websocket"


def test_rasa_webchat_converses_over_polling_alone(webchat):
    _converse_in_webchat(webchat(block_websockets=True))


def _ask_widget_over_socket(page, text):
    """Open the project's widget, wait for its socket.io session, ask; the answer."""
    page.click(".zqbz-launcher")
    page.wait_for_function("document.querySelector('.zqbz-root').dataset.transport === 'socket'")
    before = page.locator(".zqbz-bot").count()
    page.fill(".zqbz-input", text)
    page.press(".zqbz-input", "Enter")
    return _wait_for_more(page, ".zqbz-bot", before)


def test_the_widget_converses_over_polling_alone(open_page, bot):
    html = (f'<!doctype html><meta charset="utf-8"><script src="{bot.web_url}/widget/chat-widget.js" '
            f'data-bot-url="{bot.url}" data-transports="polling" defer></script>')
    page = open_page("widget-polling.html", html)
    assert "1. 打开千牛卖家中心" in _ask_widget_over_socket(page, "账期保障怎么退出")
    assert page.websockets == []  # polling alone carried the conversation
    assert not page.errors, page.errors


def test_the_demo_page_works_from_another_machine_when_bound_beyond_loopback(browser, tmp_path):  # noqa: F811
    """BIND_HOST=0.0.0.0: the page reached by this machine's address talks to the bot on that address."""
    from scripts.rasa_env import _this_machine
    host = _this_machine()[0]  # the address another machine would use (the name, if there is none)
    server = BotServer(tmp_path, env={"BIND_HOST": "0.0.0.0", "RASA_AUTH_TOKEN": "bind-test-token"})
    for part in ("actions", "rasa", "web"):
        server.start(part)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://{host}:{server.web_port}/")
        bot_url = page.get_attribute("script[data-bot-url]", "data-bot-url")
        assert bot_url == f"http://{host}:{server.rasa_port}"
        assert "1. 打开千牛卖家中心" in _ask_widget_over_socket(page, "账期保障怎么退出")
    finally:
        context.close()
        server.stop_all()
