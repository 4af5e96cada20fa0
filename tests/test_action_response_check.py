"""The faster check of action server replies accepts and refuses exactly what Rasa's own check does."""
import copy

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

import components  # noqa: F401  (installs the check, as loading the model does)
from components import action_response_check

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "has_dispute", "value": True}],
     "responses": [{"response": "utter_faq/how_to_exit"}]},
    {"events": [{"event": "followup", "name": "action_listen"}, {"event": "active_loop", "name": None}]},
    {},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": "slot", "name": 3}]},
    {"events": [{"no_event_key": 1}]},
    {"responses": ["a string, not an object"]},
    {"events": [{"event": "user", "text": "hi", "parse_data": "not an object"}]},
]


def test_loading_the_project_components_installs_the_check():
    assert RemoteAction._validate_action_result is action_response_check._validate_action_result


@pytest.mark.parametrize("reply", VALID)
def test_replies_rasa_accepts_are_accepted(reply):
    action = RemoteAction("action_answer", None)
    assert action_response_check.RASA_CHECK(action, copy.deepcopy(reply)) is True
    assert action._validate_action_result(copy.deepcopy(reply)) is True


@pytest.mark.parametrize("reply", INVALID)
def test_replies_rasa_refuses_are_refused_with_rasas_message(reply):
    action = RemoteAction("action_answer", None)
    with pytest.raises(ValidationError) as rasa_error:
        action_response_check.RASA_CHECK(action, copy.deepcopy(reply))
    with pytest.raises(ValidationError) as our_error:
        action._validate_action_result(copy.deepcopy(reply))
    assert our_error.value.message == rasa_error.value.message
    assert "Failed to validate Action server response" in our_error.value.message


def test_the_schema_itself_is_checked_once_not_per_reply(monkeypatch):
    calls = []
    validator_class = type(action_response_check.response_validator())
    monkeypatch.setattr(action_response_check, "_validator", None)
    original = validator_class.check_schema
    monkeypatch.setattr(validator_class, "check_schema", classmethod(
        lambda cls, schema: calls.append(1) or original.__func__(cls, schema)))
    action = RemoteAction("action_answer", None)
    for _ in range(5):
        action._validate_action_result({"events": [], "responses": []})
    assert len(calls) == 1
