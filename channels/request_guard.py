"""Which requests may reach the APIs that read or change conversations and the model.

Two checks, for Rasa's HTTP API and the agents' API (the chat channels, whose
callers are web pages on other origins and chat platforms, are not concerned):

- **Host** (DNS rebinding): a page on an attacker's domain that resolves to
  127.0.0.1 sends its own name as Host. Only the loopback names, BIND_HOST and
  the names in ALLOWED_HOSTS (comma-separated; ``*``: any) are accepted.
- **Origin** (CSRF): a request that changes something (not GET/HEAD/OPTIONS)
  and carries an Origin other than the server's own is refused.

The tokens (RASA_AUTH_TOKEN, AGENT_TOKEN; scripts/serve.sh makes them when none
is set) stay the main lock; these checks keep a browser on the same machine
from being used as a way around them. Standard library only.
"""
import os
import urllib.parse
from typing import Mapping, Optional, Set, Tuple

from core.loopback import LOOPBACK_NAMES

ANY_ADDRESS = {"0.0.0.0", "::", ""}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def allowed_hosts(env: Mapping[str, str] = os.environ) -> Optional[Set[str]]:
    """The host names requests may name (None: any)."""
    listed = {name.strip().lower().strip("[]") for name in env.get("ALLOWED_HOSTS", "").replace(" ", ",").split(",")}
    if "*" in listed:
        return None
    bind = env.get("BIND_HOST", "127.0.0.1").strip().lower().strip("[]")
    return (listed | LOOPBACK_NAMES | ({bind} - ANY_ADDRESS)) - {""}


def host_name(host_header: Optional[str]) -> Optional[str]:
    """The name of a Host header ("[::1]:5005" → "::1"), None when it is not one."""
    if not host_header or any(ch in host_header for ch in "/?#@\\ "):
        return None
    try:
        parsed = urllib.parse.urlsplit("//" + host_header)
        _ = parsed.port  # reading it raises ValueError on a bad port
    except ValueError:
        return None
    return parsed.hostname


DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin_host(origin: str) -> Optional[str]:
    """"https://desk.example.com" → "desk.example.com"; "http://127.0.0.1:8000" → "127.0.0.1:8000"."""
    try:
        parsed = urllib.parse.urlsplit(origin)
        port = parsed.port
    except ValueError:
        return None
    if not parsed.hostname or parsed.scheme not in DEFAULT_PORTS:
        return None
    host = f"[{parsed.hostname}]" if ":" in parsed.hostname else parsed.hostname
    return host if port in (None, DEFAULT_PORTS[parsed.scheme]) else f"{host}:{port}"


def _plain_host(host_header: str) -> str:
    """The Host header without a default port (a TLS proxy in front may or may not keep it)."""
    host = host_header.lower()
    for port in DEFAULT_PORTS.values():
        if host.endswith(f":{port}"):
            return host[:-len(f":{port}")]
    return host


def refusal(method: str, host_header: Optional[str], origin: Optional[str],
            allowed: Optional[Set[str]]) -> Optional[Tuple[int, str]]:
    """(status, reason) when the request must be refused; None when it may go on."""
    name = host_name(host_header)
    if name is None or (allowed is not None and name not in allowed):
        return 403, (f"Host {host_header!r} is not allowed here (DNS rebinding protection): "
                     "add the name to ALLOWED_HOSTS")
    if method.upper() not in SAFE_METHODS and origin is not None:
        # Compared by host and port only: behind a TLS proxy the page is https and the request here http.
        if _origin_host(origin) != _plain_host(host_header or ""):
            return 403, f"cross-origin {method.upper()} from {origin!r} refused (CSRF protection)"
    return None
