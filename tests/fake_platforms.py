"""A local stand-in for DingTalk's and WeCom's send APIs that records what the bot sent.

DingTalk: session webhooks (``?session=<id>``) and the open API (access token,
robot ``oToMessages/batchSend`` to ``staff-<id>``); WeCom: gettoken and message/send.
"""
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List

from tests.bot_server import free_port


class FakePlatforms:
    def __init__(self) -> None:
        self.sent: List[Dict[str, Any]] = []  # {"api": "dingtalk"|"wecom", "body": ..., "query": ...}
        self.token_calls = 0
        self.dingtalk_token_calls = 0
        self.down = False  # answer 503 to sends
        self.expire_token_once = False  # answer WeCom's "token expired" once
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: Dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                if url.path == "/cgi-bin/gettoken":
                    outer.token_calls += 1
                    self._answer(200, {"errcode": 0, "access_token": f"tok-{outer.token_calls}",
                                       "expires_in": 7200})
                else:
                    self._answer(404, {})

            def do_POST(self):
                url = urllib.parse.urlsplit(self.path)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if outer.down:
                    self._answer(503, {})
                    return
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/v1.0/oauth2/accessToken":
                    outer.dingtalk_token_calls += 1
                    self._answer(200, {"accessToken": f"dt-{outer.dingtalk_token_calls}", "expireIn": 7200})
                    return
                if url.path == "/v1.0/robot/oToMessages/batchSend":
                    if not (self.headers.get("x-acs-dingtalk-access-token") or "").startswith("dt-"):
                        self._answer(401, {"code": "InvalidAuthentication"})
                        return
                    outer.sent.append({"api": "dingtalk", "path": url.path, "query": query, "body": body})
                    self._answer(200, {"processQueryKey": "q-1"})
                    return
                if url.path == "/cgi-bin/message/send" and outer.expire_token_once:
                    outer.expire_token_once = False
                    self._answer(200, {"errcode": 42001, "errmsg": "access_token expired"})
                    return
                api = "wecom" if url.path.startswith("/cgi-bin/") else "dingtalk"
                outer.sent.append({"api": api, "path": url.path, "query": query, "body": body})
                self._answer(200, {"errcode": 0, "errmsg": "ok"})

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def texts(self, api: str, who: str = None) -> List[str]:
        out = []
        for s in self.sent:
            if s["api"] != api:
                continue
            if api == "wecom" and who and s["body"]["touser"] != who:
                continue
            if api == "dingtalk" and "msgParam" in s["body"]:  # sent later, through the open API
                if who and s["body"]["userIds"] != [f"staff-{who}"]:
                    continue
                out.append(json.loads(s["body"]["msgParam"])["content"])
                continue
            if api == "dingtalk" and who and s["query"].get("session") != who:
                continue
            out.append(s["body"]["text"]["content"])
        return out

    def wait_for(self, api: str, who: str, count: int = 1, timeout: float = 30) -> List[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.texts(api, who)
            if len(found) >= count:
                return found
            time.sleep(0.2)
        raise AssertionError(f"{api} got {self.texts(api, who)} for {who}, wanted {count}")
