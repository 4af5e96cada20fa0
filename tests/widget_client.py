"""A socket.io client speaking the chat widget's protocol, for tests without a browser."""
import threading

import socketio


class Widget:
    """A socket.io client speaking the widget's protocol (polling transport)."""

    def __init__(self, bot, session_id=None, token=None):
        """Resumes ``session_id`` when ``token`` proves it; otherwise the server starts a new session."""
        self.replies, self.arrived = [], threading.Event()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self._received)
        self.client.connect(bot.url, headers={"Origin": bot.web_url}, transports=["polling"],
                            socketio_path="socket.io", wait_timeout=30)
        confirmed = threading.Event()

        def on_confirm(data):
            self.session_id, self.token = data["session_id"], data["token"]
            confirmed.set()

        self.client.on("session_confirm", on_confirm)
        self.client.emit("session_request", {"session_id": session_id, "token": token})
        assert confirmed.wait(30)
        bot.tokens[self.session_id] = self.token  # REST history and feedback of this conversation

    def _received(self, data):
        self.replies.append(data)
        self.arrived.set()

    def send(self, payload, settle=2.0):
        """Emit ``payload``; the texts of what came back within ``settle`` seconds of quiet."""
        start = len(self.replies)
        self.arrived.clear()
        self.client.emit("user_uttered", payload)
        assert self.arrived.wait(30), f"no reply to {payload!r:.80}"
        while self.arrived.wait(settle):
            self.arrived.clear()
        return "\n".join(r.get("text") or "" for r in self.replies[start:])

    def say(self, text):
        return self.send({"message": text, "session_id": self.session_id})

    def close(self):
        self.client.disconnect()
