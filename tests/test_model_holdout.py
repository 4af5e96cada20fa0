"""The trained model on sentences it never saw: at least 90% must be understood."""
import json
from collections import Counter
from pathlib import Path

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from tests.conftest import PROJECT_DIR
from tests.nlu_labels import is_correct, predicted_label

pytestmark = pytest.mark.model

HOLDOUT = PROJECT_DIR / "tests" / "data" / "nlu_holdout.yml"
REPORT = PROJECT_DIR / "results" / "holdout.json"
MIN_ACCURACY = 0.90


def _examples(path: Path):
    data = load_data(str(path))
    return [(m.get("text"), m.get_full_intent()) for m in data.intent_examples]


def test_holdout_set_is_large_and_never_trained_on():
    holdout = _examples(HOLDOUT)
    training = {text for text, _ in _examples(PROJECT_DIR / "data" / "nlu")}
    assert len(holdout) >= 150
    assert not [text for text, _ in holdout if text in training]
    assert sum(1 for _, label in holdout if label == "out_of_scope") >= 15


def test_holdout_accuracy(parse):
    rows = []
    for text, gold in _examples(HOLDOUT):
        predicted = predicted_label(parse(text))
        rows.append({"text": text, "gold": gold, "predicted": predicted,
                     "correct": is_correct(gold, predicted)})
    accuracy = sum(r["correct"] for r in rows) / len(rows)
    oos = [r for r in rows if r["gold"] == "out_of_scope"]
    report = {
        "examples": len(rows),
        "accuracy": round(accuracy, 4),
        "out_of_scope_rejection": round(sum(r["correct"] for r in oos) / len(oos), 4),
        "errors_by_gold": dict(Counter(r["gold"] for r in rows if not r["correct"])),
        "errors": [r for r in rows if not r["correct"]],
    }
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nheld-out accuracy {accuracy:.1%} on {len(rows)} sentences "
          f"(out-of-scope rejected {report['out_of_scope_rejection']:.1%}); details in {REPORT}")
    assert accuracy >= MIN_ACCURACY, report["errors"]


def test_no_out_of_scope_question_gets_an_in_scope_answer(parse):
    """A wrong confident answer is the worst bug: off-topic must never reach an FAQ answer."""
    answered = []
    for text, gold in _examples(HOLDOUT):
        if gold == "out_of_scope":
            label = predicted_label(parse(text))
            if label.startswith("faq/") or label == "ask_can_exit":
                answered.append((text, label))
    assert len(answered) <= 1, answered


def test_suggestion_titles_lead_to_their_own_answer(parse, domain):
    """The "您是不是想问…" buttons send their title; it must land on that topic, surely."""
    for name, variations in domain["responses"].items():
        question = (variations[0].get("metadata") or {}).get("question")
        if not question or not name.startswith("utter_faq/"):
            continue
        result = parse(question)
        assert predicted_label(result) == name[len("utter_"):], question
