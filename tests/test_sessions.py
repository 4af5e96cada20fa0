"""Who owns a conversation id (channels/sessions.py), without a running bot."""
import stat

import pytest

from channels import sessions
from channels.sessions import NotYours, check_read, check_write, holds_token, new_session, token_for


@pytest.fixture(autouse=True)
def own_secret(tmp_path, monkeypatch):
    monkeypatch.setattr(sessions, "SECRET_FILE", tmp_path / ".session_secret")
    monkeypatch.setattr(sessions, "_cached", None)
    monkeypatch.delenv("SESSION_SECRET", raising=False)


def test_a_session_is_proved_by_its_own_token_only():
    mine, token = new_session()
    other, other_token = new_session()
    assert mine != other and mine.startswith("w_") and len(mine) == 34
    assert holds_token(mine, token)
    for wrong in (None, "", other_token, token[:-1], token.upper(), "令牌", 5):
        assert not holds_token(mine, wrong), wrong
    assert not holds_token("shop-1", token_for("shop-1"))  # only web sessions have tokens


def test_who_may_write_and_read():
    mine, token = new_session()
    check_write(mine, token)
    check_read(mine, token)
    check_write("shop-1", None)  # Rasa's plain REST conversations: as before
    for sender in ("wecom:zhangsan", "dingtalk:cid:staff"):
        with pytest.raises(NotYours, match="chat platform"):
            check_write(sender, None)
    for sender, token_given in ((mine, None), (mine, "0" * 64), ("w_forged", None), ("shop-1", None)):
        with pytest.raises(NotYours):
            check_read(sender, token_given)
    for sender in (mine, "w_anything"):
        with pytest.raises(NotYours, match="token"):
            check_write(sender, None)


def test_the_secret_is_made_once_kept_private_and_overridden_by_the_setting(monkeypatch):
    mine, token = new_session()
    kept = sessions.SECRET_FILE
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    monkeypatch.setattr(sessions, "_cached", None)  # a restart: the kept secret is read back
    assert holds_token(mine, token)
    monkeypatch.setenv("SESSION_SECRET", "set-by-the-operator-" + "x" * 20)
    assert not holds_token(mine, token)  # another secret, another token
    monkeypatch.delenv("SESSION_SECRET")
    assert holds_token(mine, token)


def test_a_damaged_secret_file_or_a_short_secret_stops_rather_than_signing_with_little(monkeypatch):
    sessions.SECRET_FILE.write_text("\n")
    with pytest.raises(RuntimeError, match="SESSION_SECRET"):
        new_session()
    monkeypatch.setenv("SESSION_SECRET", "short")
    with pytest.raises(RuntimeError, match="at least"):
        new_session()
