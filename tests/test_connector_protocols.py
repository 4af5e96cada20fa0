"""The connectors' protocol pieces, checked against WeCom's published sample values."""
import pytest

from channels import dingtalk_sign, wecom_crypto
from channels.connector import under_base
from channels.outgoing import SeenMessages, choice_payload, render, split_text

KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
CORP = "ww1436e0e65a779aee"
SAMPLE_ECHOSTR = "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
SAMPLE_MESSAGE = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+"
    "kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH"
    "4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux"
    "082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+")


def test_wecom_published_signatures():
    assert wecom_crypto.signature("QDG6eK", "1409659589", "263014780",
                                  "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==") \
        == "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
    assert wecom_crypto.signature("hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo", "1476416373", "47744683",
                                  SAMPLE_ECHOSTR) == "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb"


def test_wecom_published_ciphertexts_decrypt():
    assert wecom_crypto.decrypt(SAMPLE_ECHOSTR, KEY, CORP) == "1288432023552776189"
    message = wecom_crypto.decrypt(SAMPLE_MESSAGE, KEY, CORP)
    assert "<Content>你好</Content>" in message and "<FromUserName>ChenJiaShun</FromUserName>" in message


def test_wecom_refuses_other_corps_and_garbage():
    with pytest.raises(wecom_crypto.WeComCryptoError):
        wecom_crypto.decrypt(SAMPLE_ECHOSTR, KEY, "ww-someone-else")
    for garbage in ["", "!!!", "aGVsbG8=", SAMPLE_ECHOSTR[:-8] + "AAAAAAA="]:
        with pytest.raises(wecom_crypto.WeComCryptoError):
            wecom_crypto.decrypt(garbage, KEY, CORP)
    with pytest.raises(wecom_crypto.WeComCryptoError):
        wecom_crypto.check_signature("t", "1", "2", "x", "0" * 40)


def test_wecom_encrypt_round_trip():
    text = "<xml><Content>账期保障怎么退出</Content></xml>"
    assert wecom_crypto.decrypt(wecom_crypto.encrypt(text, KEY, CORP), KEY, CORP) == text


def test_dingtalk_signature_window():
    now = 1_700_000_000_000
    stamp = str(now)
    good = dingtalk_sign.sign(stamp, "secret")
    dingtalk_sign.check(stamp, good, "secret", now_ms=now + 4 * 60 * 1000)  # delivered a little late
    dingtalk_sign.check(stamp, good, "secret", now_ms=now - 4 * 60 * 1000)  # a clock a little behind
    for args in [(stamp, good, "other"), (stamp, None, "secret"), ("abc", good, "secret"),
                 (stamp, good, "secret", now + 6 * 60 * 1000),  # a captured request sent again later
                 (stamp, good, "secret", now - 59 * 60 * 1000)]:  # from 59 minutes in the future
        with pytest.raises(dingtalk_sign.DingTalkSignError):
            dingtalk_sign.check(*args[:3], now_ms=args[3] if len(args) > 3 else now)


def test_render_numbers_buttons_and_choice_maps_back():
    buttons = [{"title": "有", "payload": "/affirm"}, {"title": "没有", "payload": "/deny"}]
    text = render([{"text": "第一条"}, {"text": "有维权吗？", "buttons": buttons}])
    assert text == "第一条\n\n有维权吗？\n回复数字选择：\n1. 有\n2. 没有"
    assert choice_payload(" 2 ", buttons) == "/deny"
    assert choice_payload("3", buttons) is None and choice_payload("2个", buttons) is None
    assert choice_payload("1", []) is None


def test_split_respects_bytes_and_keeps_everything():
    text = "\n".join(f"{i}. " + "账" * 300 for i in range(12))
    pieces = split_text(text, 2048)
    assert len(pieces) > 1 and all(len(p.encode()) <= 2048 for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    assert split_text("a" * 5000, 2048) == ["a" * 2048, "a" * 2048, "a" * 904]


def test_seen_messages_expire():
    now = [0.0]
    seen = SeenMessages(ttl_seconds=10, clock=lambda: now[0])
    assert seen.first_time("m1") and not seen.first_time("m1")
    now[0] = 11
    assert seen.first_time("m1")
    assert seen.first_time(None) and seen.first_time(None)


def test_only_urls_under_the_configured_base_are_called():
    base = "https://oapi.dingtalk.com"
    assert under_base("https://oapi.dingtalk.com/robot/sendBySession?session=1", base)
    for url in ["http://oapi.dingtalk.com/robot/x", "https://oapi.dingtalk.com.evil.cn/robot/x",
                "https://evil.cn/robot/x?https://oapi.dingtalk.com/", "https://oapi.dingtalk.com", None]:
        assert not under_base(url, base)
    robot = "https://oapi.dingtalk.com/robot"
    assert under_base("https://oapi.dingtalk.com/robot/sendBySession?session=1", robot)
    for url in ["https://oapi.dingtalk.com/robot/../x", "https://oapi.dingtalk.com/robot/%2e%2e/x",
                "https://oapi.dingtalk.com/robot/a/../../x", "https://oapi.dingtalk.com//x"]:
        assert not under_base(url, robot), url  # fetched outside /robot/ once the path is normalised


def test_wecom_timestamps_outside_the_window_are_refused():
    now = 1_700_000_000
    wecom_crypto.check_timestamp(str(now - 60), now=now)
    wecom_crypto.check_timestamp(str(now + 60), now=now)
    for stamp in (str(now - 3600), str(now + 3600), "", "abc", None):
        with pytest.raises(wecom_crypto.WeComCryptoError):
            wecom_crypto.check_timestamp(stamp, now=now)


def test_an_access_token_is_fetched_once_and_again_when_refreshed_or_expired(monkeypatch):
    import asyncio

    from channels import connector

    fetched = []

    async def fetch():
        fetched.append(1)
        return f"tok-{len(fetched)}", 7200

    clock = [1000.0]
    monkeypatch.setattr(connector.time, "monotonic", lambda: clock[0])
    token = connector.CachedToken(fetch)

    async def run():
        assert await token.get() == "tok-1"
        assert await token.get() == "tok-1"  # cached
        assert await token.get(refresh=True) == "tok-2"  # the platform said it expired
        clock[0] += 7200 - 299  # five minutes before it would expire
        assert await token.get() == "tok-3"
    asyncio.run(run())
