"""Rasa input channel for a DingTalk (钉钉) robot's outgoing callback.

POST /webhooks/dingtalk/webhook, signed with DINGTALK_APP_SECRET (see
channels/dingtalk_sign.py). The answer goes to the message's session webhook
when that URL is on DINGTALK_API_BASE, with retries; otherwise (or when the URL
is anything else: never fetched) it comes back in the HTTP response. Buttons
become a numbered list the user answers with a number. A retried delivery of
the same msgId is answered once. Disabled (503) without a secret.
"""
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import dingtalk_sign
from channels.connector import ConnectorInput, call_json, under_base
from channels.message_limits import MessageError, check_sender
from channels.outgoing import SeenMessages, render, split_text, with_retries

logger = logging.getLogger(__name__)
DEFAULT_API_BASE = "https://oapi.dingtalk.com"
MAX_BYTES = 4000


class DingTalkInput(ConnectorInput):
    """DingTalk robot callback → Rasa → session webhook."""

    @classmethod
    def name(cls) -> Text:
        return "dingtalk"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(credentials.get("app_secret") or "",
                   credentials.get("api_base") or DEFAULT_API_BASE)

    def __init__(self, app_secret: Text, api_base: Text) -> None:
        self.app_secret, self.api_base = app_secret, api_base.rstrip("/")
        self.seen = SeenMessages()

    async def _send(self, url: Text, text: Text) -> None:
        for piece in split_text(text, MAX_BYTES):
            async def post(piece: Text = piece) -> Dict[str, Any]:
                answer = await call_json("POST", url, {"msgtype": "text", "text": {"content": piece}})
                if answer.get("errcode", 0) != 0:
                    raise RuntimeError(f"DingTalk errcode {answer.get('errcode')}: {answer.get('errmsg')}")
                return answer
            await with_retries(post, "DingTalk session webhook")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        hook = Blueprint("dingtalk_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.app_secret else "disabled"})

        @hook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.app_secret:
                return response.json({"error": "DingTalk connector not configured (DINGTALK_APP_SECRET)"},
                                     status=503)
            try:
                dingtalk_sign.check(request.headers.get("timestamp"), request.headers.get("sign"),
                                    self.app_secret)
            except dingtalk_sign.DingTalkSignError as error:
                return response.json({"error": str(error)}, status=401)
            body = request.json  # sanic answers 400 itself for broken JSON
            if not isinstance(body, dict):
                return response.json({"error": "body must be a JSON object"}, status=400)
            if body.get("msgtype") != "text":
                return response.json({"error": f"unsupported msgtype {body.get('msgtype')!r}: text only"},
                                     status=400)
            text = (body.get("text") or {}).get("content") if isinstance(body.get("text"), dict) else None
            sender = body.get("senderStaffId") or body.get("senderId")
            if not isinstance(text, str) or not isinstance(sender, str) or not sender:
                return response.json({"error": "text.content and senderId are required"}, status=400)
            if not self.seen.first_time(str(body.get("msgId") or "")):
                return response.json({"msgtype": "empty", "status": "duplicate"})
            try:
                sender_id = check_sender(f"dingtalk:{body.get('conversationId') or 'direct'}:{sender}")
            except MessageError as error:
                return response.json({"error": str(error)}, status=400)
            replies = await self.answer(request, on_new_message, sender_id, text.strip(),
                                        {"platform": "dingtalk", "msgId": body.get("msgId")})
            reply_text = render(replies)
            session_webhook = body.get("sessionWebhook")
            if reply_text and under_base(session_webhook, self.api_base):
                self.in_background(self._send(session_webhook, reply_text))
                return response.json({"msgtype": "empty"})
            return response.json({"msgtype": "text", "text": {"content": reply_text}})

        return hook
