"""The project's SQL tracker store keeps what Rasa's keeps (compactly), faster, and sets SQLite up for a chat server."""
import asyncio
import json
import sqlite3

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from core import answer_plan, learning, ranking
from stores import stored_event
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


def _retrieved(store, senders, full=False):
    async def run():
        get = store.retrieve_full_tracker if full else store.retrieve
        return {sender: (await get(sender)).current_state() for sender in senders}
    return asyncio.run(run())


def test_stores_and_retrieves_exactly_what_rasas_sql_store_does(tmp_path, domain):
    rasas = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    ours = PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db"))
    # Rasa's store saves the earlier session again when a tracker holding two sessions is saved twice
    # (test below); everywhere else the rows are the same.
    same = {sender: steps for sender, steps in STEPS.items() if sender != "two-sessions"}
    save_turn_by_turn(rasas, domain.slots, same)
    save_turn_by_turn(ours, domain.slots, same)
    ours_rows, rasas_rows = _rows(tmp_path / "ours.db"), _rows(tmp_path / "rasa.db")
    assert [row[:5] for row in ours_rows] == [row[:5] for row in rasas_rows]
    assert [json.loads(row[5]) for row in ours_rows] == [stored_event.compact(json.loads(row[5])) for row in rasas_rows]
    saved = [row[0] for row in _rows(tmp_path / "ours.db")]
    assert saved.count("one-session") == 13 and saved.count("nothing-new") == 8  # each event once
    assert _retrieved(ours, same) == _retrieved(rasas, same)
    assert _retrieved(ours, same, full=True) == _retrieved(rasas, same, full=True)
    assert asyncio.run(ours.retrieve("nobody")) is None


def test_a_second_session_is_stored_once(tmp_path, domain):
    ours = PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db"))
    save_turn_by_turn(ours, domain.slots, {"two-sessions": STEPS["two-sessions"]})
    assert len(_rows(tmp_path / "ours.db")) == 16  # 3 + 5, then 3 + 5: each event once
    latest = asyncio.run(ours.retrieve("two-sessions"))
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["第二次"]
    assert len(latest.events) == 8
    full = asyncio.run(ours.retrieve_full_tracker("two-sessions"))
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["第一次", "第二次"]


def _returning_seller(store, domain):
    """Rasa's processor with a seller back after the session expired: read the conversation,
    start a new session and log the message (saved), answer (saved again), read it back."""
    async def run():
        await store.save(DialogueStateTracker.from_events("back", session_start(1.0) + turn("第一次", 2.0), domain.slots))
        tracker = await store.retrieve("back")
        for event in session_start(5000.0) + turn("又来了", 5001.0)[:1]:
            tracker.update(event)
        await store.save(tracker)
        for event in turn("又来了", 5001.0)[1:]:
            tracker.update(event)
        await store.save(tracker)
        return await store.retrieve("back"), await store.retrieve_full_tracker("back")
    return asyncio.run(run())


def test_a_seller_back_after_the_session_expired_reads_each_message_once(tmp_path, domain):
    # Rasa 3.6's own store saves that turn's first events twice: it counts the stored events of the
    # latest session, which by the second save is the new one, and skips only that many.
    latest, full = _returning_seller(
        PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db")), domain)
    assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["又来了"]
    assert [e.type_name for e in latest.events] == [e.type_name for e in session_start(0) + turn("", 0)]
    assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["第一次", "又来了"]
    assert len(_rows(tmp_path / "ours.db")) == 16


def test_a_tracker_whose_events_were_replaced_is_saved_by_rasas_count(tmp_path, domain):
    store = PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db"))

    async def run():
        await store.save(DialogueStateTracker.from_events("s", session_start(1.0) + turn("一", 2.0), domain.slots))
        tracker = await store.retrieve("s")
        # The same conversation rebuilt from copies of its events, then one more turn.
        tracker.events.clear()
        for event in session_start(1.0) + turn("一", 2.0) + turn("二", 3.0):
            tracker.events.append(event)
        await store.save(tracker)
        return await store.retrieve("s")
    again = asyncio.run(run())
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["一", "二"]
    assert len(_rows(tmp_path / "ours.db")) == 13


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


# A message as the trained model reads it: answer texts, ten-entry rankings, tokens.
PARSE = {
    "intent": {"name": "faq", "confidence": 0.9999994039535522, "full_retrieval_intent_name": "faq/how_to_exit"},
    "entities": [], "text": "账期保障怎么关闭?", "message_id": "m1", "metadata": {},
    "text_as_written": "賬期保障怎麼關閉？？", "text_tokens": [[0, 4], [4, 6], [6, 8], [8, 9]],
    "intent_ranking": [{"name": name, "confidence": confidence} for name, confidence in [
        ("faq", 0.9999994039535522), ("ask_can_exit", 5.3e-07), ("dont_know", 1.9e-08), ("thank", 1.6e-08),
        ("request_human", 1.1e-08), ("deny", 1.0e-08), ("greet", 8.4e-09), ("cancel", 6.5e-09),
        ("goodbye", 6.1e-09), ("out_of_scope", 5.9e-09)]],
    "response_selector": {"all_retrieval_intents": ["faq"], "faq": {
        "response": {"responses": [{"text": "退出账期保障的步骤：\n1. 打开千牛卖家中心", "metadata": {"question": "账期保障怎么退出？"}}],
                     "confidence": 0.6124019074440002, "intent_response_key": "faq/how_to_exit",
                     "utter_action": "utter_faq/how_to_exit"},
        "ranking": [{"confidence": c, "intent_response_key": k} for k, c in [
            ("faq/how_to_exit", 0.6124019074440002), ("faq/exit_fee", 0.3343910504318773),
            ("faq/exit_effect", 0.0017183356685563922), ("faq/forced_category", 0.001535384333692491),
            ("faq/exit_timing", 0.0014663670444861054), ("faq/other_15_days", 0.0010683266445994377)]]}},
    "questions": [{"text": "账期保障怎么关闭", "intent": "faq", "topic": "faq/how_to_exit", "confidence": 0.61}],
}


def test_a_stored_message_reads_the_same_to_everything_that_reads_it_later_in_far_fewer_bytes(tmp_path, domain):
    store = PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db"))
    events = session_start(1.0) + [UserUttered(PARSE["text_as_written"], PARSE["intent"], [], PARSE, 2.0),
                                   ActionExecuted("action_answer", timestamp=2.0),
                                   BotUttered("退出账期保障的步骤：", {"buttons": None, "elements": None}, timestamp=2.0),
                                   ActionExecuted("action_listen", timestamp=2.0)]
    save_turn_by_turn(store, domain.slots, {"seller": [events]})
    stored = asyncio.run(store.retrieve("seller"))
    read = stored.latest_message.parse_data
    assert read["text"] == PARSE["text"] and read["text_as_written"] == PARSE["text_as_written"]
    # What the desk, the hand-off timer and the learning inbox compute from a stored message.
    for threshold, margin in [(0.5, 0.1), (0.5, 0.3), (0.7, 0.1)]:
        assert answer_plan.sure_topic(read, threshold, margin) == answer_plan.sure_topic(PARSE, threshold, margin)
    assert answer_plan.asked_topics(read) == answer_plan.asked_topics(PARSE) == ["how_to_exit"]
    assert learning._candidates(read) == learning._candidates(PARSE)
    assert ranking.likeliest_intent(read) == "faq"
    assert [m.topic for m in ranking.meanings(read)][:3] == [m.topic for m in ranking.meanings(PARSE)][:3]
    assert stored.get_slot("has_open_dispute") is None and stored.latest_action_name == "action_listen"
    bot = [e for e in stored.events if isinstance(e, BotUttered)][0]
    assert bot.text == "退出账期保障的步骤：" and bot.data == {}
    # Chinese text is stored as UTF-8, not \\u escapes, and the answer text only once (in the bot's reply).
    with sqlite3.connect(tmp_path / "ours.db") as connection:
        user_row = connection.execute("SELECT data FROM events WHERE type_name = 'user'").fetchone()[0]
    assert "賬期保障怎麼關閉" in user_row and "\\u" not in user_row and "千牛卖家中心" not in user_row
    full = json.dumps(UserUttered(PARSE["text_as_written"], PARSE["intent"], [], PARSE, 2.0).as_dict())
    assert len(user_row.encode()) < 0.6 * len(full.encode())


def test_sqlite_connections_are_kept_between_turns(tmp_path, domain):
    store = PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "ours.db"))
    opened = []
    sa.event.listen(store.engine, "connect", lambda *_: opened.append(1))
    save_turn_by_turn(store, domain.slots, STEPS)
    _retrieved(store, STEPS)
    assert len(opened) <= 1


def test_conversations_stored_before_the_index_are_indexed_once_at_start(tmp_path, domain, monkeypatch):
    from stores import conversation_index

    save_turn_by_turn(SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "old.db")), domain.slots, STEPS)
    store = PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "old.db"))
    with store.session_scope() as session:
        assert conversation_index.figures(session)["conversations"] == len(STEPS)

    # Two Rasa processes (SANIC_WORKERS) starting on such a database at once: the one that loses the race to
    # index still starts.
    save_turn_by_turn(SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "race.db")), domain.slots,
                      STEPS)

    rebuild = conversation_index.rebuild

    def other_process_commits_first(session, conversations):
        conversations = list(conversations)
        with sa.create_engine(f"sqlite:///{tmp_path / 'race.db'}").begin() as other:  # the winner, committed
            rebuild(other, conversations[1:2])
        return rebuild(session, conversations)

    monkeypatch.setattr(conversation_index, "rebuild", other_process_commits_first)
    loser = PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "race.db"))
    assert asyncio.run(loser.retrieve("one-session")) is not None
    with loser.session_scope() as session:  # the winner's row only, nothing counted twice
        assert conversation_index.figures(session)["conversations"] == 1


def test_events_read_back_as_rasa_reads_them():
    from rasa.shared.core import events as rasa_events
    from rasa.shared.core.events import (
        ActionExecutionRejected,
        ActionReverted,
        ActiveLoop,
        AgentUttered,
        AllSlotsReset,
        ConversationPaused,
        ConversationResumed,
        DefinePrevUserUtteredFeaturization,
        EntitiesAdded,
        FollowupAction,
        LoopInterrupted,
        ReminderCancelled,
        ReminderScheduled,
        Restarted,
        UserUtteranceReverted,
    )

    from stores.sql_tracker_store import deserialise_events

    sample = [UserUttered("账期", {"name": "faq", "confidence": 0.9}, [], {"text": "账期"}, 1.0, {"a": 1}),
              BotUttered("答", {"buttons": [{"title": "是", "payload": "/affirm"}]}, {"utter_action": "u"}, 2.0),
              SlotSet("has_open_dispute", "no", 3.0), SlotSet("handoff_since", None), SessionStarted(4.0),
              ActionExecuted("action_listen", "RulePolicy", 1.0, hide_rule_turn=True), ActiveLoop("exit_check_form"),
              ActiveLoop(None), LoopInterrupted(True), ActionExecutionRejected("exit_check_form"),
              ReminderScheduled("EXTERNAL_handoff_timeout", __import__("datetime").datetime(2026, 12, 4), "r1"),
              ReminderCancelled("r1"), ConversationPaused(), ConversationResumed(), Restarted(),
              FollowupAction("action_answer"), UserUtteranceReverted(), ActionReverted(), AllSlotsReset(),
              AgentUttered("人工客服的回复"), DefinePrevUserUtteredFeaturization(False),
              EntitiesAdded([{"entity": "x", "value": "y"}])]
    stored = [e.as_dict() for e in sample] + [{"event": "form", "name": "exit_check_form", "timestamp": 9.0}, {"no": "event"}]
    ours, rasas = deserialise_events(stored), rasa_events.deserialise_events(stored)
    assert [type(e) for e in ours] == [type(e) for e in rasas] and len(ours) == len(sample) + 1
    assert [e.as_dict() for e in ours] == [e.as_dict() for e in rasas]
    with pytest.raises(ValueError):
        deserialise_events([{"event": "no_such_event"}])
