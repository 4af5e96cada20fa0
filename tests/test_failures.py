"""What a seller gets when the action server fails: the FAQ answer planned without it, or only the apology."""
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from channels.failures import faq_answers
from tests.conftest import PROJECT_DIR


@pytest.fixture(scope="module")
def slots():
    return Domain.load(str(PROJECT_DIR / "domain.yml")).slots


def asked(slots, text, topic, intent="faq", *before):
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9},
             "response_selector": {"faq": {"response": {"intent_response_key": f"faq/{topic}", "confidence": 0.9},
                                           "ranking": [{"intent_response_key": f"faq/{topic}", "confidence": 0.9}]}}}
    return DialogueStateTracker.from_events("s", [*before, UserUttered(text, parse_data=parse)], slots=slots)


def test_a_plain_faq_question_is_answered_as_action_answer_would(slots):
    [answer] = faq_answers(asked(slots, "退出后钱多久能用", "money_after_exit"))
    assert "15天" in answer["text"] and answer["response"] == "utter_faq/money_after_exit"


def test_what_the_seller_said_still_shapes_the_answer(slots):
    answers = "\n".join(a["text"] for a in faq_answers(asked(slots, "没有维权 为什么还是退不掉账期保障", "exit_fails")))
    assert answers and "是的，店里有维权" not in answers and "强制类目" in answers


@pytest.mark.parametrize("before, intent", [
    ([], "ask_can_exit"),  # the check: an apology, never its first half
    ([ActiveLoop("exit_check_form")], "faq"),  # in the middle of the check
    ([SlotSet("handed_off", True)], "faq"),  # waiting for a person
    ([], "nlu_fallback"),
])
def test_anything_else_gets_only_the_apology(slots, before, intent):
    assert faq_answers(asked(slots, "退出后钱多久能用", "money_after_exit", intent, *before)) == []
    assert faq_answers(None) == []


def test_the_action_server_timeout_is_seconds_and_configurable(monkeypatch):
    import rasa.core.actions.action
    import rasa.utils.endpoints

    from components.action_timeout import action_timeout, install
    for value, seconds in [(None, 10.0), ("3", 3.0), ("0.5", 0.5), ("0", 10.0), ("-1", 10.0), ("soon", 10.0)]:
        if value is None:
            monkeypatch.delenv("ACTION_TIMEOUT", raising=False)
        else:
            monkeypatch.setenv("ACTION_TIMEOUT", value)
        assert action_timeout() == seconds
    for module in (rasa.utils.endpoints, rasa.core.actions.action):
        monkeypatch.setattr(module, "DEFAULT_REQUEST_TIMEOUT", 300)
    monkeypatch.setenv("ACTION_TIMEOUT", "4")
    install()
    assert rasa.utils.endpoints.DEFAULT_REQUEST_TIMEOUT == rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT == 4.0
