"""The domain is complete and its texts follow the project's rules."""
import re
from pathlib import Path

from rasa.shared.nlu.training_data.loading import load_data

from actions.exit_check_form import FORM_SLOTS
from core.normalization import Normalizer
from tests.conftest import PROJECT_DIR

# Code that sends responses by name: the actions, and the agent tools (resume message).
ACTION_SOURCES = "\n".join(p.read_text(encoding="utf-8") for folder in ("actions", "core", "desk", "channels")
                           for p in (PROJECT_DIR / folder).glob("*.py"))


def _rule_and_story_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in (PROJECT_DIR / "data").rglob("*.yml"))


def test_every_faq_topic_has_an_answer_and_a_suggestion_title(domain):
    data = load_data(str(PROJECT_DIR / "data" / "nlu"))
    topics = {m.get_full_intent() for m in data.intent_examples if m.get("intent") == "faq"}
    assert len(topics) >= 15
    for topic in topics:
        response = domain["responses"].get(f"utter_{topic}")
        assert response, f"no answer for {topic}"
        assert response[0]["metadata"]["question"], topic


def test_every_answer_topic_is_trained(domain):
    data = load_data(str(PROJECT_DIR / "data" / "nlu"))
    topics = {m.get_full_intent() for m in data.intent_examples}
    for name in domain["responses"]:
        if name.startswith("utter_faq/"):
            assert name[len("utter_"):] in topics, name


def test_every_response_is_used(domain):
    """Used in rules, asked by the form, or sent by an action (by name or naming scheme)."""
    used_in_data = _rule_and_story_text()
    asked_by_form = {f"utter_ask_{slot}" for slot in domain["slots"]}
    for name in domain["responses"]:
        if (name.startswith("utter_faq/") or name in asked_by_form or name in used_in_data
                or f'"{name}"' in ACTION_SOURCES):
            continue
        prefix = re.sub(r"_(dispute|forced_category)$", "_", name)
        assert f'f"{prefix}{{' in ACTION_SOURCES, f"{name} is never sent"


def test_every_response_named_in_code_exists(domain):
    for name in set(re.findall(r'"(utter_[a-z_]+)"', ACTION_SOURCES)) - {"utter_action"}:
        # ("utter_action" is the key under which Rasa records a bot message's response)
        assert name in domain["responses"], name


def test_while_a_person_is_asked_for_every_intent_goes_to_the_waiting_action(domain):
    """A seller waiting for a person is never met by silence because their message had an unlisted intent."""
    from rasa.shared.utils.io import read_yaml_file

    rules = read_yaml_file(PROJECT_DIR / "data" / "rules" / "handoff.yml")["rules"]
    waiting = next(r for r in rules if r.get("condition") == [{"slot_was_set": [{"handed_off": True}]}])
    listed = {option["intent"] for option in waiting["steps"][0]["or"]}
    assert waiting["steps"][1] == {"action": "action_while_waiting"}
    assert listed == set(domain["intents"]) | {"nlu_fallback"}


def test_each_question_of_the_check_has_buttons_for_yes_no_and_unknown(domain):
    for slot in domain["forms"]["exit_check_form"]["required_slots"]:
        for question in domain["responses"][f"utter_ask_{slot}"]:  # every variation
            assert [b["payload"] for b in question["buttons"]] == ["/affirm", "/deny", "/dont_know"]


def test_the_form_validation_knows_the_form_slots_without_the_domain(domain):
    # Rasa sends validate_exit_check_form no domain; it keeps its own list of the form's slots.
    assert FORM_SLOTS == domain["forms"]["exit_check_form"]["required_slots"]
    assert {"validate_exit_check_form": {"send_domain": False}} in domain["actions"]


def test_replies_are_simplified_chinese():
    """Replies are read by sellers in mainland China: no traditional characters."""
    to_simplified = Normalizer()._t2s.convert
    text = Path(PROJECT_DIR / "domain.yml").read_text(encoding="utf-8")
    replies = re.findall(r'text: "([^"]+)"', text)
    assert replies
    for reply in replies:
        assert to_simplified(reply) == reply, reply


def test_uncertain_facts_are_hedged(domain):
    """P-level facts (facts.md: K9-K11, N1-N5) must carry 以…为准 or say what is unknown."""
    hedged_topics = ["forced_category", "tools_compared", "how_to_join", "deposit",
                     "deposit_topup", "deposit_release", "dispute_freeze"]
    for topic in hedged_topics:
        text = domain["responses"][f"utter_faq/{topic}"][0]["text"]
        assert "为准" in text, topic


def test_unknowns_are_admitted_and_offer_a_person(domain):
    for topic in ["exit_timing", "hold_as_deposit", "insurance"]:
        response = domain["responses"][f"utter_faq/{topic}"][0]
        assert "没有" in response["text"]
        assert {"payload": "/request_human", "title": "转人工"} in response["buttons"]
