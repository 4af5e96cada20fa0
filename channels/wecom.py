"""Rasa input channel for a WeCom (企业微信) application's callback.

GET  /webhooks/wecom/webhook: the URL check (signature, decrypt ``echostr``).
POST /webhooks/wecom/webhook: an encrypted message (signature, AES, see
channels/wecom_crypto.py). The HTTP answer is immediate and empty; the bot's
answer goes out through WeCom's message API on WECOM_API_BASE, split to 2048
bytes, with a cached access token that is refreshed when it expires, and
retries. Messages sent later (an agent's reply, the hand-off timer's message)
take the same API. A retried delivery of the same MsgId is answered once.
Disabled (503) without its settings.
"""
import logging
import urllib.parse
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from defusedxml import ElementTree
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import wecom_crypto
from channels.connector import CachedToken, ConnectorInput, OutboundError, PlatformOutput, call_json
from channels.outgoing import render, split_text
from core.message_limits import MessageError, check_sender
from core.retry import with_retries

logger = logging.getLogger(__name__)
DEFAULT_API_BASE = "https://qyapi.weixin.qq.com"
MAX_BYTES = 2048
TOKEN_EXPIRED = {40001, 40014, 42001}
SETTINGS = ("corp_id", "token", "aes_key", "secret", "agent_id")


class WeComApi:
    """WeCom's message API with the access token cached until shortly before it expires."""

    def __init__(self, base: Text, corp_id: Text, secret: Text, agent_id: Text) -> None:
        self.base, self.corp_id, self.secret, self.agent_id = base.rstrip("/"), corp_id, secret, agent_id
        self._token = CachedToken(self._fetch_token)

    async def _fetch_token(self) -> Tuple[Text, int]:
        query = urllib.parse.urlencode({"corpid": self.corp_id, "corpsecret": self.secret})
        answer = await call_json("GET", f"{self.base}/cgi-bin/gettoken?{query}")
        if answer.get("errcode", 0) != 0 or not answer.get("access_token"):
            raise OutboundError(f"gettoken errcode {answer.get('errcode')}: {answer.get('errmsg')}")
        return answer["access_token"], int(answer.get("expires_in", 7200))

    async def token(self, refresh: bool = False) -> Text:
        return await self._token.get(refresh)

    async def send_text(self, user: Text, content: Text) -> None:
        token = await self.token()
        body = {"touser": user, "msgtype": "text", "agentid": self.agent_id, "text": {"content": content}}
        answer = await call_json("POST", f"{self.base}/cgi-bin/message/send?access_token={token}", body)
        if answer.get("errcode", 0) in TOKEN_EXPIRED:
            await self.token(refresh=True)
            raise OutboundError("access token expired; refreshed, sending again")
        if answer.get("errcode", 0) != 0:
            raise OutboundError(f"message/send errcode {answer.get('errcode')}: {answer.get('errmsg')}")


def _field(root: Any, tag: Text) -> Optional[Text]:
    node = root.find(tag)
    return node.text if node is not None else None


class WeComInput(ConnectorInput):
    """WeCom app callback → Rasa → WeCom message API."""

    remember_ids_seconds = 2 * wecom_crypto.MAX_SKEW_SECONDS

    @classmethod
    def name(cls) -> Text:
        return "wecom"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls({key: str(credentials.get(key) or "") for key in SETTINGS},
                   credentials.get("api_base") or DEFAULT_API_BASE)

    def __init__(self, settings: Dict[Text, Text], api_base: Text) -> None:
        self.settings = settings
        self.enabled = all(settings.values())
        self.api = WeComApi(api_base, settings["corp_id"], settings["secret"], settings["agent_id"])

    def _decrypt(self, request: Request, encrypted: Text) -> Text:
        args = request.args
        wecom_crypto.check_signature(self.settings["token"], args.get("timestamp", ""),
                                     args.get("nonce", ""), encrypted, args.get("msg_signature", ""))
        return wecom_crypto.decrypt(encrypted, self.settings["aes_key"], self.settings["corp_id"])

    async def send_later(self, sender_id: Text, text: Text) -> None:
        """A message outside an answer (an agent's reply, the hand-off timer): to the user of ``wecom:<user>``."""
        if not sender_id.startswith("wecom:"):
            logger.warning("WeCom: %s is not a WeCom conversation: not sent", sender_id)
            return
        user = sender_id.split(":", 1)[1]
        for piece in split_text(text, MAX_BYTES):
            await with_retries(lambda piece=piece: self.api.send_text(user, piece), "WeCom message/send")

    def get_output_channel(self) -> Optional[OutputChannel]:
        return PlatformOutput(self.send_later) if self.enabled else None

    async def _reply(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                     user: Text, text: Text, msg_id: Optional[Text]) -> None:
        replies = await self.answer(request, on_new_message, f"wecom:{user}", text.strip(),
                                    {"platform": "wecom", "MsgId": msg_id})
        for piece in split_text(render(replies), MAX_BYTES):
            await with_retries(lambda piece=piece: self.api.send_text(user, piece), "WeCom message/send")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("wecom_webhook", __name__)
        disabled = {"error": "WeCom connector not configured (WECOM_CORP_ID, WECOM_TOKEN, "
                             "WECOM_AES_KEY, WECOM_SECRET, WECOM_AGENT_ID)"}

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @hook.route("/webhook", methods=["GET"])
        async def verify_url(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json(disabled, status=503)
            try:
                return response.text(self._decrypt(request, request.args.get("echostr", "")))
            except wecom_crypto.WeComCryptoError as error:
                return response.json({"error": str(error)}, status=401)

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.json(disabled, status=503)
            try:
                outer = ElementTree.fromstring(request.body or b"")
                encrypted = _field(outer, "Encrypt")
            except Exception as error:  # noqa: BLE001 - defusedxml/expat errors of all kinds
                return response.json({"error": f"body is not valid XML: {type(error).__name__}"}, status=400)
            if not encrypted:
                return response.json({"error": "no <Encrypt> element"}, status=400)
            try:
                # A message outside the time window is a replay (URL verification echoes only).
                wecom_crypto.check_timestamp(request.args.get("timestamp", ""))
                inner = ElementTree.fromstring(self._decrypt(request, encrypted))
            except wecom_crypto.WeComCryptoError as error:
                return response.json({"error": str(error)}, status=401)
            except Exception as error:  # noqa: BLE001
                return response.json({"error": f"decrypted message is not XML: {type(error).__name__}"},
                                     status=400)
            msg_type, user, text = _field(inner, "MsgType"), _field(inner, "FromUserName"), _field(inner, "Content")
            if msg_type != "text":
                return response.json({"error": f"unsupported MsgType {msg_type!r}: text only"}, status=400)
            if not user or text is None:
                return response.json({"error": "FromUserName and Content are required"}, status=400)
            try:
                check_sender(f"wecom:{user}")
            except MessageError as error:
                return response.json({"error": str(error)}, status=400)
            msg_id = _field(inner, "MsgId")
            # The MsgId, or without one this very callback (its signature), answered once.
            if self.first_time(request, msg_id or "sig:" + request.args.get("msg_signature", "")):
                self.in_background(self._reply(request, on_new_message, user, text, msg_id))
            return response.text("")

        return hook
