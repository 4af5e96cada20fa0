"""The likely meanings of a parse result (core/ranking.py), shared by the menu and the desk."""
from core.ranking import Meaning, faq_ranking, likeliest_intent, meanings

PARSE = {
    "intent": {"name": "faq", "confidence": 0.6},
    "intent_ranking": [{"name": "faq", "confidence": 0.6}, {"name": "nlu_fallback", "confidence": 0.3},
                       {"name": "ask_can_exit", "confidence": 0.25}, {"name": "out_of_scope", "confidence": 0.05}],
    "response_selector": {"faq": {"ranking": [
        {"intent_response_key": "faq/exit_steps", "confidence": 0.7},
        {"intent_response_key": "faq/exit_fails", "confidence": 0.2}]}},
}


def test_the_faq_intent_stands_for_its_topics_in_the_selectors_order_and_the_fallback_is_no_meaning():
    assert meanings(PARSE) == [
        Meaning("faq", 0.6, "faq/exit_steps", 0.7), Meaning("faq", 0.6, "faq/exit_fails", 0.2),
        Meaning("ask_can_exit", 0.25), Meaning("out_of_scope", 0.05)]
    assert [m.response for m in meanings(PARSE)] == ["utter_faq/exit_steps", "utter_faq/exit_fails", None, None]


def test_an_faq_intent_without_topics_offers_nothing_but_is_still_the_likeliest_intent():
    parse = {"intent_ranking": [{"name": "nlu_fallback", "confidence": 0.9}, {"name": "faq", "confidence": 0.1}]}
    assert meanings(parse) == []
    assert faq_ranking(parse) == []
    assert likeliest_intent(parse) == "faq"


def test_an_empty_or_partial_parse_has_no_meanings():
    assert meanings({}) == [] and likeliest_intent({}) is None
    assert meanings({"intent_ranking": [{"confidence": 0.5}], "response_selector": None}) == []
