"""Rasa's RulePolicy, given only the dialogue states its rules can look at.

Rasa 3.6's RulePolicy builds the state of every turn of the conversation
(``Domain.states_for_tracker_history``) each time it looks for a rule, two or
three times per action, and formats all of them into a debug line that is
built even when debug logging is off. Its rules only ever compare their own
length of states, counted back from the latest one (``RulePolicy._get_possible_keys``:
a turn further back than a rule's length matches it whatever it holds). So the
states before the longest rule's length cannot change which rule matches, and
the cost of a prediction grew with the conversation for nothing: on a
120-message conversation the policy was the largest part of the Rasa server's
time (docs/benchmarks.md).

Here the RulePolicy (still Rasa's class, named ``RulePolicy`` in config.yml):

- builds states only for the last ``window`` turns, ``window`` being the
  length of its longest rule (unhappy-path rules included); the events are
  still replayed from the start, as Rasa does, so slots and the active loop
  of those turns are exactly Rasa's;
- builds them once per prediction: the two lookups of one prediction (by the
  message's text, then by its intent) share them, each on its own copy, as
  Rasa's featurizer changes the last state in place;
- formats the states for its debug line only when that line would be logged.

The rule found is the same as Rasa's for any conversation: a rule of length
``n`` is checked against the last ``n`` states, all inside the window; a
conversation shorter than the window gives the same states as Rasa's.
``tests/test_recent_rule_states.py`` checks every prediction of the project's
conversations against Rasa's own method.

Installed by ``components/__init__.py``, wherever Rasa loads this project's model.
"""
import logging
from typing import Any, Dict, FrozenSet, List, Optional, Text, Tuple

from rasa.core.policies import rule_policy
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

RASA_PREDICT = RulePolicy._predict
RASA_PREDICTION_STATES = RulePolicy._prediction_states
RASA_FORMAT = Policy.format_tracker_states
# The rule policy's debug lines go through this module's logger and structlog alike.
_rule_policy_log = logging.getLogger(rule_policy.__name__)


def recent_states(tracker: DialogueStateTracker, domain: Domain, window: int) -> List[State]:
    """The states of the tracker's last ``window`` turns: Rasa's ``states_for_tracker_history``
    (without rule-only turns hidden, as for the RulePolicy), from the turn ``window`` back."""
    applied = tracker.applied_events()
    turns = 1 + sum(1 for event in applied if isinstance(event, ActionExecuted))
    first = turns - window
    replay = tracker.init_copy()
    states: List[State] = []
    turn = 0
    for event in applied:
        if isinstance(event, ActionExecuted):
            if turn >= first:
                states.append(domain.get_active_state(replay))
            turn += 1
        replay.update(event)
    states.append(domain.get_active_state(replay))
    return states


def _copy(states: List[State]) -> List[State]:
    # The featurizer deletes keys of the sub-states (text or intent of the user's turn).
    return [{kind: dict(sub) if isinstance(sub, dict) else sub for kind, sub in state.items()}
            for state in states]


def rule_window(policy: RulePolicy) -> int:
    """How many states the policy's longest rule compares (its unhappy-path rules included)."""
    rules = policy.lookup.get(RULES) or {}
    unhappy = policy.lookup.get(RULES_FOR_LOOP_UNHAPPY_PATH) or {}
    key: Tuple[FrozenSet[Text], FrozenSet[Text]] = (frozenset(rules), frozenset(unhappy))
    cached: Optional[Tuple[Any, int]] = getattr(policy, "_recent_window", None)
    if cached is None or cached[0] != key:
        lengths = [len(policy._rule_key_to_state(rule)) for rule in list(rules) + list(unhappy)]
        cached = (key, max(lengths, default=1))
        policy._recent_window = cached
    return cached[1]


def _prediction_states(self: RulePolicy, tracker: DialogueStateTracker, domain: Domain,
                       use_text_for_last_user_input: bool = False,
                       rule_only_data: Optional[Dict[Text, Any]] = None) -> List[State]:
    memo: Optional[Dict[str, List[State]]] = getattr(self, "_recent_memo", None)
    if memo is not None and "states" in memo:
        states = _copy(memo["states"])
    else:
        states = recent_states(tracker, domain, rule_window(self))
        if memo is not None:
            memo["states"] = _copy(states)
    # What Rasa's featurizer does after building the states (MaxHistoryTrackerFeaturizer.prediction_states).
    trackers_as_states = [self.featurizer.slice_state_history(states, self.featurizer.max_history)]
    self.featurizer._choose_last_user_input(trackers_as_states, use_text_for_last_user_input)
    return trackers_as_states[0]


def _predict(self: RulePolicy, tracker: DialogueStateTracker, domain: Domain) -> Any:
    # One prediction looks the rules up twice on the same tracker; the states are built once for both.
    self._recent_memo = {}
    try:
        return RASA_PREDICT(self, tracker, domain)
    finally:
        self._recent_memo = None


def _format_tracker_states(states: List[Dict]) -> Text:
    if _rule_policy_log.isEnabledFor(logging.DEBUG):
        return RASA_FORMAT(states)
    return ""


def install() -> None:
    """Makes Rasa's RulePolicy build only the states its rules can look at (idempotent)."""
    RulePolicy._prediction_states = _prediction_states
    RulePolicy._predict = _predict
    RulePolicy.format_tracker_states = staticmethod(_format_tracker_states)
