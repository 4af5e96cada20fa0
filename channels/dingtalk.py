"""Rasa input channel for a DingTalk (钉钉) robot's outgoing callback.

POST /webhooks/dingtalk/webhook, signed with DINGTALK_APP_SECRET (see
channels/dingtalk_sign.py). The answer goes to the message's session webhook
when that URL is on DINGTALK_API_BASE, with retries; otherwise (or when the URL
is anything else: never fetched) it comes back in the HTTP response. Buttons
become a numbered list the user answers with a number. A retried delivery of
the same msgId is answered once. Disabled (503) without a secret.

A session webhook expires (about 90 minutes) and exists only while answering a
message, so messages sent later (an agent's reply, the hand-off timer's
message) go through DingTalk's open API instead: an access token from
``/v1.0/oauth2/accessToken`` (DINGTALK_APP_KEY + DINGTALK_APP_SECRET, cached
until shortly before it expires) and ``/v1.0/robot/oToMessages/batchSend`` to
the user's staff id as the robot DINGTALK_ROBOT_CODE (default: the app key), on
DINGTALK_OPENAPI_BASE. Without an app key such messages stay in the
conversation's history only.
"""
import json
import logging
from typing import Any, Awaitable, Callable, Dict, Optional, Text, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels import dingtalk_sign
from channels.connector import CachedToken, ConnectorInput, OutboundError, PlatformOutput, call_json, under_base
from channels.outgoing import render, split_text
from core.message_limits import MessageError, check_sender
from core.retry import with_retries

logger = logging.getLogger(__name__)
DEFAULT_API_BASE = "https://oapi.dingtalk.com"
DEFAULT_OPENAPI_BASE = "https://api.dingtalk.com"
MAX_BYTES = 4000


class DingTalkOpenApi:
    """DingTalk's open API for robot messages to a user, with the access token cached."""

    def __init__(self, base: Text, app_key: Text, app_secret: Text, robot_code: Text) -> None:
        self.base, self.app_key, self.app_secret = base.rstrip("/"), app_key, app_secret
        self.robot_code = robot_code or app_key
        self._token = CachedToken(self._fetch_token)

    async def _fetch_token(self) -> Tuple[Text, int]:
        answer = await call_json("POST", f"{self.base}/v1.0/oauth2/accessToken",
                                 {"appKey": self.app_key, "appSecret": self.app_secret})
        if not answer.get("accessToken"):
            raise OutboundError(f"accessToken refused: {answer.get('code')} {answer.get('message')}")
        return answer["accessToken"], int(answer.get("expireIn", 7200))

    async def token(self, refresh: bool = False) -> Text:
        return await self._token.get(refresh)

    async def send_text(self, staff_id: Text, content: Text) -> None:
        body = {"robotCode": self.robot_code, "userIds": [staff_id], "msgKey": "sampleText",
                "msgParam": json.dumps({"content": content}, ensure_ascii=False)}
        try:
            await call_json("POST", f"{self.base}/v1.0/robot/oToMessages/batchSend", body,
                            headers={"x-acs-dingtalk-access-token": await self.token()})
        except OutboundError as error:
            if "HTTP 401" in str(error) or "HTTP 403" in str(error):  # token revoked or expired early
                await self.token(refresh=True)
            raise


def staff_id_of(sender_id: Text) -> Optional[Text]:
    """The user of a conversation id ``dingtalk:<conversationId>:<staffId>``."""
    parts = sender_id.split(":", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "dingtalk" and parts[2] else None


class DingTalkInput(ConnectorInput):
    """DingTalk robot callback → Rasa → session webhook."""

    remember_ids_seconds = (dingtalk_sign.MAX_AGE_MS + dingtalk_sign.MAX_AHEAD_MS) / 1000

    @classmethod
    def name(cls) -> Text:
        return "dingtalk"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(credentials.get("app_secret") or "",
                   credentials.get("api_base") or DEFAULT_API_BASE,
                   app_key=credentials.get("app_key") or "", robot_code=credentials.get("robot_code") or "",
                   openapi_base=credentials.get("openapi_base") or DEFAULT_OPENAPI_BASE)

    def __init__(self, app_secret: Text, api_base: Text, app_key: Text = "", robot_code: Text = "",
                 openapi_base: Text = DEFAULT_OPENAPI_BASE) -> None:
        self.app_secret, self.api_base = app_secret, api_base.rstrip("/")
        self.open_api = DingTalkOpenApi(openapi_base, app_key, app_secret, robot_code) \
            if app_key and app_secret else None

    async def send_later(self, sender_id: Text, text: Text) -> None:
        """A message outside an answer (an agent's reply, the hand-off timer), through the open API."""
        staff_id = staff_id_of(sender_id)
        if self.open_api is None or staff_id is None:
            logger.warning("DingTalk: no open API (DINGTALK_APP_KEY) or no staff id for %s: not sent", sender_id)
            return
        for piece in split_text(text, MAX_BYTES):
            await with_retries(lambda piece=piece: self.open_api.send_text(staff_id, piece),
                               "DingTalk robot batchSend")

    def get_output_channel(self) -> Optional[OutputChannel]:
        return PlatformOutput(self.send_later) if self.open_api is not None else None

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
            msg_id = body.get("msgId")
            if not isinstance(text, str) or not isinstance(sender, str) or not sender or \
                    not isinstance(msg_id, str) or not msg_id:
                return response.json({"error": "text.content, senderId and msgId are required"}, status=400)
            # A msgId answered before (a retry, or a replay within the timestamp window): once only.
            if not self.first_time(request, msg_id):
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
