"""The chat widget in real headless Chromium, against the real bot of `make run`."""
import os
from pathlib import Path

import pytest

from tests.bot_server import BotServer
from tests.conftest import PROJECT_DIR

pytestmark = [pytest.mark.model, pytest.mark.browser]

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = PROJECT_DIR / ("docs" if os.environ.get("UPDATE_SCREENSHOTS") else "results")
REPLY_MS = 20_000


@pytest.fixture(scope="module")
def bot(tmp_path_factory):
    server = BotServer(tmp_path_factory.mktemp("widget"))
    for part in ("actions", "rasa", "web"):
        server.start(part)
    yield server
    server.stop_all()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: `make browser` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, bot):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(bot.web_url + "/")
    page.click(".zqbz-launcher")
    page.wait_for_function("document.querySelector('.zqbz-root').dataset.transport === 'socket'")
    yield page
    assert not page.errors, page.errors
    context.close()


def ask(page, text):
    """Type a question and press Enter; wait for the bot's answer to it."""
    before = page.locator(".zqbz-bot").count()
    page.fill(".zqbz-input", text)
    page.press(".zqbz-input", "Enter")
    page.wait_for_function(f"document.querySelectorAll('.zqbz-bot').length > {before}", timeout=REPLY_MS)
    page.wait_for_timeout(600)  # the rest of a multi-message answer
    return page.locator(".zqbz-bot").all_inner_texts()[before:]


def click_choice(page, title):
    before = page.locator(".zqbz-bot").count()
    page.locator(".zqbz-choice:enabled", has_text=title).last.click()
    page.wait_for_function(f"document.querySelectorAll('.zqbz-bot').length > {before}", timeout=REPLY_MS)
    page.wait_for_timeout(600)
    return page.locator(".zqbz-bot").all_inner_texts()[before:]


def user_bubbles(page):
    return page.locator(".zqbz-user").all_inner_texts()


def test_question_gets_the_numbered_exit_steps(page):
    answer = "\n".join(ask(page, "账期保障怎么退出"))
    for line in ["1. 打开千牛卖家中心", "2. 进入「淘宝服务」", "3. 点「消费者保障服务」", "4. 找到「账期保障」",
                 "5. 点「退出」"]:
        assert line in answer


def test_exit_check_by_clicking_buttons(page):
    first = "\n".join(ask(page, "我能退出账期保障吗"))
    assert "维权" in first
    click_choice(page, "没有")
    verdict = "\n".join(click_choice(page, "没有"))
    assert "应该可以直接退出" in verdict and "1. 打开千牛卖家中心" in verdict
    assert user_bubbles(page)[-2:] == ["没有", "没有"]  # titles shown, not /deny payloads
    assert page.locator(".zqbz-choice:enabled", has_text="有").count() == 0  # answered groups are closed


def test_reload_keeps_the_conversation(page):
    ask(page, "退出后钱多久能用")
    shown = page.locator(".zqbz-msg").all_inner_texts()
    page.reload()
    page.click(".zqbz-launcher")
    page.wait_for_function(f"document.querySelectorAll('.zqbz-msg').length >= {len(shown)}")
    assert page.locator(".zqbz-msg").all_inner_texts()[-len(shown):] == shown


@pytest.mark.parametrize("attack", ["<script>window.__xss = 1</script>", "<img src=x onerror=\"window.__xss=1\">",
                                    "<b onmouseover=alert(1)>粗体</b>"])
def test_markup_is_shown_as_text_and_never_runs(page, attack):
    ask(page, attack)
    assert attack in user_bubbles(page)
    page.reload()  # and again when the history comes back from the tracker
    page.click(".zqbz-launcher")
    page.wait_for_function("document.querySelectorAll('.zqbz-user').length > 0")
    assert attack in user_bubbles(page)
    assert page.evaluate("window.__xss") is None
    assert page.locator(".zqbz-log img, .zqbz-log script, .zqbz-log b").count() == 0


def test_enter_while_composing_pinyin_does_not_send(page):
    page.fill(".zqbz-input", "zhangqi")
    page.dispatch_event(".zqbz-input", "compositionstart")
    page.evaluate("""() => document.querySelector('.zqbz-input').dispatchEvent(new KeyboardEvent('keydown',
        {key: 'Enter', code: 'Enter', keyCode: 229, isComposing: true, bubbles: true, cancelable: true}))""")
    page.wait_for_timeout(300)
    assert user_bubbles(page) == [] and page.input_value(".zqbz-input") == "zhangqi"
    page.fill(".zqbz-input", "账期")
    page.dispatch_event(".zqbz-input", "compositionend")
    page.wait_for_timeout(50)
    page.press(".zqbz-input", "Shift+Enter")
    assert user_bubbles(page) == [] and page.input_value(".zqbz-input") == "账期\n"
    page.type(".zqbz-input", "保障是什么")
    page.press(".zqbz-input", "Enter")
    page.wait_for_function("document.querySelectorAll('.zqbz-user').length === 1")
    assert user_bubbles(page) == ["账期\n保障是什么"]


def test_feedback_is_stored_with_the_conversation(page, bot):
    ask(page, "账期保障是什么")
    page.locator(".zqbz-bot .zqbz-rate[data-rating='down']").last.click()
    page.wait_for_selector(".zqbz-feedback[data-sent='down']")
    sender = page.evaluate("JSON.parse(localStorage.getItem('zqbz-chat:' + "
                           f"'{bot.url}' + ':session')).sender")
    events = bot.tracker(sender)["events"]
    feedback = [e for e in events if e["event"] == "slot" and e["name"] == "answer_feedback"]
    assert feedback and feedback[-1]["value"]["rating"] == "down"
    assert "账期保障是消费者保障服务里的一项" in feedback[-1]["value"]["message"]


def test_server_down_shows_an_error_and_recovers_without_losing_what_was_typed(page, bot):
    ask(page, "你好")
    bot.stop("rasa")
    try:
        page.wait_for_selector(".zqbz-status:not([hidden])", timeout=REPLY_MS)
        page.fill(".zqbz-input", "账期保障怎么退出")
        page.press(".zqbz-input", "Enter")
        assert "等待发送" in user_bubbles(page)[-1]
        assert "连接已断开" in page.inner_text(".zqbz-status")
    finally:
        bot.start("rasa")
    page.wait_for_function("document.querySelectorAll('.zqbz-pending').length === 0", timeout=60_000)
    page.wait_for_function("[...document.querySelectorAll('.zqbz-bot')].some("
                           "b => b.innerText.includes('1. 打开千牛卖家中心'))", timeout=REPLY_MS)
    assert page.locator(".zqbz-status").is_hidden()


def test_phone_width_and_keyboard_only(browser, bot):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(bot.web_url + "/")
    page.keyboard.press("Tab")  # first focusable element: the launcher
    assert page.evaluate("document.activeElement.className") == "zqbz-launcher"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.className") == "zqbz-input"
    page.wait_for_function("document.querySelector('.zqbz-root').dataset.transport === 'socket'")
    page.keyboard.type("zqbz怎么关")
    page.keyboard.press("Enter")
    page.wait_for_function("[...document.querySelectorAll('.zqbz-bot')].some("
                           "b => b.innerText.includes('千牛卖家中心'))", timeout=REPLY_MS)
    box = page.locator(".zqbz-panel").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.get_attribute(".zqbz-log", "role") == "log"
    assert page.get_attribute(".zqbz-panel", "role") == "dialog"
    page.keyboard.press("Escape")
    assert page.locator(".zqbz-panel").is_hidden()
    assert page.evaluate("document.activeElement.className") == "zqbz-launcher"
    context.close()


def test_other_origins_are_refused(bot):
    handshake = f"{bot.url}/socket.io/?EIO=4&transport=polling"
    allowed, _ = bot.get(handshake, {"Origin": bot.web_url})
    refused, _ = bot.get(handshake, {"Origin": "http://evil.example"})
    assert allowed == 200 and refused == 400
    _, headers = bot.get(f"{bot.url}/webhooks/rest/", {"Origin": "http://evil.example"})
    assert "Access-Control-Allow-Origin" not in headers
    _, headers = bot.get(f"{bot.url}/webhooks/rest/", {"Origin": bot.web_url})
    assert headers.get("Access-Control-Allow-Origin") == bot.web_url


def test_socketio_polling_answers_carry_exactly_one_cors_header(bot):
    """Browsers refuse an answer with Access-Control-Allow-Origin twice (Rasa's --cors and engine.io)."""
    import http.client
    from urllib.parse import urlsplit
    host = urlsplit(bot.url)
    for origin, status, expected in [(bot.web_url, 200, [bot.web_url]), ("http://evil.example", 400, [])]:
        connection = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
        connection.request("GET", "/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
        response = connection.getresponse()
        response.read()
        assert response.status == status
        assert (response.headers.get_all("Access-Control-Allow-Origin") or []) == expected


def test_screenshot_desktop_and_phone(browser, bot):
    """Pictures for the README (`make screenshots` writes them to docs/)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for name, viewport in [("widget-desktop.png", {"width": 1280, "height": 800}),
                           ("widget-phone.png", {"width": 360, "height": 740})]:
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(bot.web_url + "/")
        page.evaluate(f"localStorage.removeItem('zqbz-chat:{bot.url}:session')")  # a new conversation
        page.reload()
        page.click(".zqbz-launcher")
        page.wait_for_function("document.querySelector('.zqbz-root').dataset.transport === 'socket'")
        ask(page, "维权都处理完了，能退出吗")  # the fact is read; the next question is asked
        replies = click_choice(page, "没有")
        assert any("应该可以直接退出" in reply for reply in replies), replies
        page.screenshot(path=str(SCREENSHOTS / name))
        assert (SCREENSHOTS / name).stat().st_size > 10_000
        context.close()
