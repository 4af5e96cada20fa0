"""Host (DNS rebinding) and Origin (CSRF) checks of the APIs (channels/request_guard.py)."""
import pytest

from channels.request_guard import allowed_hosts, host_name, refusal

LOCAL = allowed_hosts({})


@pytest.mark.parametrize("header, name", [
    ("127.0.0.1:5005", "127.0.0.1"), ("localhost", "localhost"), ("[::1]:8000", "::1"),
    ("LocalHost:1", "localhost"), ("", None), (None, None), ("a b", None), ("x/y", None),
    ("evil.com@127.0.0.1", None), ("127.0.0.1:99999", None), ("127.0.0.1:port", None),
])
def test_host_names(header, name):
    assert host_name(header) == name


def test_allowed_hosts_are_the_loopback_names_the_bind_address_and_the_listed_ones():
    assert LOCAL == {"127.0.0.1", "localhost", "::1"}
    assert allowed_hosts({"BIND_HOST": "0.0.0.0"}) == LOCAL
    assert allowed_hosts({"BIND_HOST": "10.0.0.5", "ALLOWED_HOSTS": "bot.example.com, Desk.Example.com"}) == \
        LOCAL | {"10.0.0.5", "bot.example.com", "desk.example.com"}
    assert allowed_hosts({"ALLOWED_HOSTS": "*"}) is None


def test_refusals():
    assert refusal("GET", "127.0.0.1:5005", None, LOCAL) is None
    assert refusal("GET", "rebind.attacker.example:5005", None, LOCAL)[0] == 403
    assert refusal("GET", "rebind.attacker.example", None, None) is None  # ALLOWED_HOSTS=*
    assert refusal("GET", None, None, LOCAL)[0] == 403
    # Writes from another origin (a page's fetch or form), not from the same one or from curl (no Origin).
    assert refusal("POST", "127.0.0.1:8000", "http://evil.example", LOCAL)[0] == 403
    assert refusal("PUT", "127.0.0.1:5005", "null", LOCAL)[0] == 403
    assert refusal("POST", "127.0.0.1:8000", "http://127.0.0.1:5005", LOCAL)[0] == 403  # another port
    assert refusal("POST", "127.0.0.1:8000", "http://127.0.0.1:8000", LOCAL) is None
    desk = {"desk.example.com"}  # behind a TLS proxy: the page is https, the request here plain http
    assert refusal("POST", "desk.example.com", "https://desk.example.com", desk) is None
    assert refusal("POST", "desk.example.com:443", "https://desk.example.com", desk) is None
    assert refusal("POST", "desk.example.com", "https://evil.example.com", desk)[0] == 403
    assert refusal("POST", "[::1]:8000", "http://[::1]:8000", LOCAL) is None
    assert refusal("POST", "127.0.0.1", "http://127.0.0.1", LOCAL) is None
    assert refusal("POST", "127.0.0.1:8000", None, LOCAL) is None
    assert refusal("GET", "127.0.0.1:8000", "http://evil.example", LOCAL) is None  # reads: the token decides
