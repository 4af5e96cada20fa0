"""The project's SQL tracker store keeps exactly what Rasa's keeps, faster, and sets SQLite up for a chat server."""
import asyncio
import sqlite3

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from stores.sql_tracker_store import PingingSQLTrackerStore
from tests.conftest import PROJECT_DIR, save_turn_by_turn


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(PROJECT_DIR / "domain.yml"))


def session_start(at):
    return [ActionExecuted("action_session_start", timestamp=at), SessionStarted(timestamp=at),
            ActionExecuted("action_listen", timestamp=at)]


def turn(text, at):
    return [UserUttered(text, intent={"name": "faq", "confidence": 1.0}, timestamp=at),
            ActionExecuted("action_answer", timestamp=at), BotUttered("答", timestamp=at),
            SlotSet("has_open_dispute", "no", timestamp=at), ActionExecuted("action_listen", timestamp=at)]


# Saved after each step, as Rasa saves a conversation turn by turn; the second
# session starts later and must hide the first one from `retrieve`.
STEPS = {
    "one-session": [session_start(1.0), turn("账期保障是什么", 2.0), turn("怎么退出", 3.0)],
    "two-sessions": [session_start(1.0), turn("第一次", 2.0), session_start(10.0), turn("第二次", 11.0)],
    "no-session-start": [turn("直接说话", 5.0), turn("再说一句", 6.0)],
    "nothing-new": [session_start(1.0), [], turn("问", 2.0), []],
}


def _rows(path):
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id").fetchall()


def _retrieved(store, full=False):
    async def run():
        get = store.retrieve_full_tracker if full else store.retrieve
        return {sender: (await get(sender)).current_state() for sender in STEPS}
    return asyncio.run(run())


def test_stores_and_retrieves_exactly_what_rasas_sql_store_does(tmp_path, domain):
    rasas = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    ours = PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db"))
    save_turn_by_turn(rasas, domain.slots, STEPS)
    save_turn_by_turn(ours, domain.slots, STEPS)
    assert _rows(tmp_path / "ours.db") == _rows(tmp_path / "rasa.db")
    saved = [row[0] for row in _rows(tmp_path / "ours.db")]
    assert saved.count("one-session") == 13 and saved.count("nothing-new") == 8  # each event once
    assert _retrieved(ours) == _retrieved(rasas)
    assert _retrieved(ours, full=True) == _retrieved(rasas, full=True)
    latest = asyncio.run(ours.retrieve("two-sessions"))
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["第二次"]
    assert asyncio.run(ours.retrieve("nobody")) is None


def _pragmas(store):
    with store.engine.connect() as connection:
        return (connection.execute(sa.text("PRAGMA journal_mode")).scalar(),
                connection.execute(sa.text("PRAGMA synchronous")).scalar())


def test_sqlite_writes_ahead_and_waits_for_the_disk_only_when_asked(tmp_path, domain, monkeypatch):
    monkeypatch.delenv("SQLITE_SYNCHRONOUS", raising=False)
    assert _pragmas(PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "a.db"))) == ("wal", 1)
    monkeypatch.setenv("SQLITE_SYNCHRONOUS", "full")
    assert _pragmas(PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "b.db"))) == ("wal", 2)
    monkeypatch.setenv("SQLITE_SYNCHRONOUS", "sometimes")
    with pytest.raises(ValueError, match="SQLITE_SYNCHRONOUS"):
        PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "c.db"))
