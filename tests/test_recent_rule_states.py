"""The RulePolicy with only the states its rules can look at (components/recent_rule_states.py)
predicts exactly what Rasa's own RulePolicy predicts, on long conversations too."""
import random
from typing import List

import pytest
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

from components import recent_rule_states
from tests.conftest import PROJECT_DIR

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def policy(agent) -> RulePolicy:
    found = [node._component for node in agent.processor.graph_runner._instantiated_nodes.values()
             if isinstance(getattr(node, "_component", None), RulePolicy)]
    assert len(found) == 1
    return found[0]


@pytest.fixture(scope="module")
def story_events(agent) -> List[List[Event]]:
    """Each test conversation's events (tests/test_stories.yml: forms, corrections, hand-over, FAQs)."""
    steps = YAMLStoryReader(agent.domain).read_from_file(PROJECT_DIR / "tests" / "test_stories.yml")
    return [list(step.events) for step in steps]


def long_conversations(story_events: List[List[Event]], count: int, stories_each: int) -> List[List[Event]]:
    """Conversations that run several test conversations one after the other, in a random order."""
    pick = random.Random(17)
    found = []
    for _ in range(count):
        events: List[Event] = [ActionExecuted("action_session_start"), SessionStarted(),
                               ActionExecuted("action_listen")]
        for story in pick.sample(story_events, min(stories_each, len(story_events))):
            events += story
        found.append(events)
    return found


def prediction(policy: RulePolicy, domain, events: List[Event]):
    tracker = DialogueStateTracker.from_events("someone", events, slots=domain.slots)
    result, source = policy._predict(tracker, domain)
    return (result.probabilities, result.events, result.is_end_to_end_prediction, result.is_no_user_prediction,
            result.hide_rule_turn, result.policy_name), source


def rasa_prediction(policy: RulePolicy, domain, events: List[Event], monkeypatch):
    with monkeypatch.context() as rasa_own:
        rasa_own.setattr(RulePolicy, "_predict", recent_rule_states.RASA_PREDICT)
        rasa_own.setattr(RulePolicy, "_prediction_states", recent_rule_states.RASA_PREDICTION_STATES)
        rasa_own.setattr(RulePolicy, "format_tracker_states", staticmethod(recent_rule_states.RASA_FORMAT))
        return prediction(policy, domain, events)


def test_the_policy_in_use_is_the_one_with_recent_states(policy):
    assert RulePolicy._predict is recent_rule_states._predict
    assert recent_rule_states.rule_window(policy) >= 2


def test_every_prediction_of_long_conversations_is_rasas(policy, agent, story_events, monkeypatch):
    domain = agent.domain
    window = recent_rule_states.rule_window(policy)
    compared = longer_than_window = 0
    for events in long_conversations(story_events, count=4, stories_each=6):
        # Before every action of the conversation (and at its end): what would the policy predict?
        for end in [i for i, event in enumerate(events) if isinstance(event, ActionExecuted)] + [len(events)]:
            ours, our_source = prediction(policy, domain, events[:end])
            rasas, rasa_source = rasa_prediction(policy, domain, events[:end], monkeypatch)
            assert ours == rasas, f"after {end} events"
            if rasa_source in policy.lookup["rules"]:  # a rule matched: the same one
                assert our_source == rasa_source
            compared += 1
            turns = sum(isinstance(event, ActionExecuted) for event in events[:end])
            longer_than_window += turns > 3 * window
    assert compared > 100 and longer_than_window > 50


def test_the_states_are_rasas_last_ones(policy, agent, story_events):
    domain = agent.domain
    for events in long_conversations(story_events, count=2, stories_each=5):
        tracker = DialogueStateTracker.from_events("someone", events, slots=domain.slots)
        every_state = [domain._clean_state(state) for state in domain.states_for_tracker_history(tracker)]
        for window in (1, 3, 10, len(every_state) + 5):
            assert recent_rule_states.recent_states(tracker, domain, window) == every_state[-window:]


def test_states_are_formatted_for_the_debug_line_only_when_it_is_logged(caplog):
    states = [{"prev_action": {"action_name": "action_listen"}}]
    caplog.set_level("INFO", logger="rasa.core.policies.rule_policy")
    assert RulePolicy.format_tracker_states(states) == ""
    caplog.set_level("DEBUG", logger="rasa.core.policies.rule_policy")
    assert RulePolicy.format_tracker_states(states) == Policy.format_tracker_states(states) != ""
