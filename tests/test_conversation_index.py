"""The agents' index kept by the tracker store agrees with the figures read from whole conversations."""

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from core.stats import stats
from stores import conversation_index
from stores.sql_tracker_store import PingingSQLTrackerStore
from tests.conftest import PROJECT_DIR, save_turn_by_turn


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(PROJECT_DIR / "domain.yml"))


def user(text, intent):
    return UserUttered(text, intent={"name": intent, "confidence": 1.0})


def bot(text, utter="utter_x"):
    return BotUttered(text, metadata={"utter_action": utter})


# Each conversation as the turns in which Rasa saves it.
CONVERSATIONS = {
    "resolved": [[user("账期保障是什么", "faq"), bot("…")], [user("谢谢", "thank"), bot("不客气")]],
    "no-answer": [[user("88VIP怎么开通", "out_of_scope"), bot("抱歉", "utter_out_of_scope")],
                  [user("88VIP怎么开通", "out_of_scope"), bot("抱歉", "utter_out_of_scope")]],
    "asked-person": [[user("转人工", "request_human"), bot("好的", "utter_handoff"),
                      SlotSet("handoff_reason", "requested"), SlotSet("handed_off", True)]],
    "resumed": [[user("转人工", "request_human"), SlotSet("handoff_reason", "requested"),
                 SlotSet("handed_off", True)], [bot("客服：您好"), SlotSet("handed_off", False)]],
    "down-then-up": [[user("x", "faq"), bot("答")],
                     [SlotSet("answer_feedback", {"rating": "down", "message": "答", "answer_ts": 1.0})],
                     [SlotSet("answer_feedback", {"rating": "up", "message": "答", "answer_ts": 1.0})]],
    "down": [[user("y", "faq"), bot("答")],
             [SlotSet("answer_feedback", {"rating": "down", "message": "答", "answer_ts": 2.0})]],
    "button": [[user("/request_human", "request_human"), bot("抱歉", "utter_default")]],
    "silent": [[ActionExecuted("action_session_start")]],
}


def _all_events(conversations):
    return [[e.as_dict() for turn in turns for e in turn] for turns in conversations.values()]


def test_index_figures_equal_the_figures_of_whole_conversations(tmp_path, domain):
    store = PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"))
    save_turn_by_turn(store, domain.slots, CONVERSATIONS)
    with store.engine.connect() as connection:
        indexed = conversation_index.figures(connection)
        waiting = conversation_index.waiting(connection)
    expected = stats(_all_events(CONVERSATIONS))
    assert indexed == expected
    assert indexed["conversations"] == 7 and indexed["resolved"] == 2  # "resolved" and "down-then-up"
    assert [sender for sender, _ in waiting] == ["asked-person"]  # "resumed" is no longer waiting


def test_conversations_stored_before_the_index_are_indexed_once(tmp_path, domain):
    plain = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "old.db"))
    save_turn_by_turn(plain, domain.slots, CONVERSATIONS)
    store = PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "old.db"))
    with store.engine.connect() as connection:
        assert conversation_index.figures(connection) == stats(_all_events(CONVERSATIONS))
        rows = connection.execute(sa.select(sa.func.count()).select_from(conversation_index.figures_table))
        assert rows.scalar() == len(CONVERSATIONS)
    # Opening it again does not count anything twice.
    again = PingingSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "old.db"))
    with again.engine.connect() as connection:
        assert conversation_index.figures(connection)["conversations"] == 7
