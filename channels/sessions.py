"""Who may read and write a conversation: the channel that owns its id, and for the widget a signed token.

Conversation ids are namespaced by the channel that creates them:

- ``dingtalk:…`` and ``wecom:…``: only those channels (whose callbacks are
  signed by the platform) write them; REST and socket.io refuse them.
- ``w_<32 hex>``: a web session, made by the server (``new_session``) for the
  widget, with a token that is an HMAC of the id under SESSION_SECRET. The id
  travels in URLs (a load balancer routes on it), the desk and logs; the token
  only in request bodies and headers. Knowing or guessing the id gives nothing:
  writing to it, reading its history, rating its answers and resuming its
  socket.io session all need the token.
- anything else: a plain REST conversation, as Rasa's REST channel has always
  taken them (``{"sender": "alice", ...}``). It can be written by whoever names
  it, as in Rasa, but has no history or feedback endpoint: those need a session.

SESSION_SECRET is shared by every Rasa instance; when it is not set, a random
one is made once and kept in ``.session_secret`` beside the project (mode 0600,
git-ignored), so sessions survive a restart on one machine. Standard library only.
"""
import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Optional, Tuple

PLATFORM_PREFIXES = ("dingtalk:", "wecom:")
WEB_SESSION = re.compile(r"^w_[0-9a-f]{32}$")
TOKEN_HEADER = "X-Session-Token"
SECRET_FILE = Path(__file__).resolve().parent.parent / ".session_secret"


class NotYours(PermissionError):
    """The conversation belongs to another channel or session; the text says what proof is missing."""


MIN_SECRET_CHARS = 32


def _secret_from_file(path: Path) -> bytes:
    """The kept secret; made first in a private temporary file and linked into place,
    so a process starting at the same moment never reads a half-written one."""
    if not path.exists():
        made = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(made, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(32) + "\n")
        try:
            os.link(made, path)  # fails if another process was first: theirs is kept
        except FileExistsError:
            pass
        finally:
            made.unlink()
    value = path.read_text(encoding="ascii").strip()
    if len(value) < MIN_SECRET_CHARS:
        raise RuntimeError(f"{path} holds no usable secret: delete it or set SESSION_SECRET")
    return value.encode("ascii")


_cached: Optional[Tuple[str, bytes]] = None


def secret() -> bytes:
    """SESSION_SECRET, else the machine's kept secret (made on first use)."""
    global _cached
    configured = os.environ.get("SESSION_SECRET", "")
    if configured and len(configured) < MIN_SECRET_CHARS:
        raise RuntimeError(f"SESSION_SECRET must be at least {MIN_SECRET_CHARS} characters")
    if _cached is None or _cached[0] != configured:
        _cached = (configured, configured.encode("utf-8") if configured else _secret_from_file(SECRET_FILE))
    return _cached[1]


def token_for(session_id: str) -> str:
    return hmac.new(secret(), f"web-session:{session_id}".encode("utf-8"), hashlib.sha256).hexdigest()


def new_session() -> Tuple[str, str]:
    """A fresh web session: (conversation id, its token)."""
    session_id = "w_" + secrets.token_hex(16)
    return session_id, token_for(session_id)


def is_web_session(sender: str) -> bool:
    return bool(WEB_SESSION.match(sender))


def holds_token(sender: str, token: Optional[str]) -> bool:
    """Whether ``token`` proves the web session ``sender``."""
    return (is_web_session(sender) and isinstance(token, str)
            and hmac.compare_digest(token.encode("utf-8", "replace"), token_for(sender).encode("ascii")))


def check_write(sender: str, token: Optional[str]) -> None:
    """May a REST or socket.io client send a message into ``sender``? NotYours if not."""
    if sender.startswith(PLATFORM_PREFIXES):
        raise NotYours("this conversation belongs to a chat platform's channel")
    if sender.startswith("w_") and not holds_token(sender, token):
        raise NotYours(f"this web session needs its token ({TOKEN_HEADER} header or \"token\")")


def check_read(sender: str, token: Optional[str]) -> None:
    """May a client read the history of, or rate answers in, ``sender``? NotYours if not."""
    if not holds_token(sender, token):
        raise NotYours(f"history and feedback need a web session and its token ({TOKEN_HEADER}): "
                       "POST /webhooks/rest/session starts one")
