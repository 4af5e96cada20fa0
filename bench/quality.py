"""Understanding quality on the held-out set: this pipeline against simpler choices.

(a) this project's pipeline, (b) TF-IDF over character n-grams + logistic
regression, (c) keyword matching, (d) Rasa's pipeline without the jieba domain
dictionary and the text normaliser; all trained on exactly data/nlu. Plus 5-fold
cross-validation of (a) on the training data.
"""
import asyncio
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import jieba
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from core.replies import intent_replies, load_responses, response_text  # noqa: E402
from tests.nlu_labels import is_correct, predicted_label  # noqa: E402

Examples = List[Tuple[str, str]]
REJECTED = {"out_of_scope", "nlu_fallback"}


def examples(path: Path) -> Examples:
    from rasa.shared.nlu.training_data.loading import load_data

    return [(m.get("text"), m.get_full_intent()) for m in load_data(str(path)).intent_examples]


def reply_of(label: str, responses: Dict, replies: Dict[str, str]) -> str:
    """The text the bot would send for a label (the answer-level score compares these)."""
    if label.startswith("faq/"):
        return response_text(responses, f"utter_{label}") or label
    if label == "nlu_fallback":
        return "CLARIFY"
    return response_text(responses, replies.get(label, "")) or label


def score(predict: Callable[[str], str], holdout: Examples) -> Dict[str, float]:
    responses, replies = load_responses(), intent_replies()
    gold = [label for _, label in holdout]
    predicted = [predict(text) for text, _ in holdout]
    correct = [is_correct(g, p) for g, p in zip(gold, predicted, strict=False)]
    # For macro-F1 a declined out-of-scope question counts as the out_of_scope label.
    mapped = ["out_of_scope" if g == "out_of_scope" and p in REJECTED else p
              for g, p in zip(gold, predicted, strict=False)]
    oos = [p in REJECTED for g, p in zip(gold, predicted, strict=False) if g == "out_of_scope"]
    answers = [(g == "out_of_scope" and p in REJECTED)
               or reply_of(g, responses, replies) == reply_of(p, responses, replies)
               for g, p in zip(gold, predicted, strict=False)]
    wrong_answers = [not c and p not in REJECTED for c, p in zip(correct, predicted, strict=False)]
    return {
        "accuracy": sum(correct) / len(correct),
        "wrong_answers": sum(wrong_answers),
        "clarified": sum(not c and p == "nlu_fallback" for c, p in zip(correct, predicted, strict=False)),
        "macro_f1": f1_score(gold, mapped, labels=sorted(set(gold)), average="macro", zero_division=0),
        "oos_rejection": sum(oos) / len(oos),
        "answer_level": sum(answers) / len(answers),
        "_predicted": predicted,
    }


def rasa_predictor(model_path: Path) -> Callable[[str], str]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model_path))
    loop = asyncio.new_event_loop()
    return lambda text: predicted_label(loop.run_until_complete(agent.parse_message(text)))


def tfidf_predictor(train: Examples) -> Callable[[str], str]:
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
    model = LogisticRegression(max_iter=3000, C=10)
    model.fit(vectorizer.fit_transform([t for t, _ in train]), [label for _, label in train])
    return lambda text: model.predict(vectorizer.transform([text]))[0]


def keyword_predictor(train: Examples) -> Callable[[str], str]:
    """Each label's distinctive words (mostly seen under that label); most hits wins."""
    by_word: Dict[str, Counter] = defaultdict(Counter)
    for text, label in train:
        for word in set(jieba.lcut(text)):
            if word.strip():
                by_word[word][label] += 1
    keywords = {word: counts.most_common(1)[0][0] for word, counts in by_word.items()
                if counts.most_common(1)[0][1] / sum(counts.values()) >= 0.6 and len(word) > 1}

    def predict(text: str) -> str:
        hits = Counter(keywords[w] for w in jieba.lcut(text) if w in keywords)
        return hits.most_common(1)[0][0] if hits else "out_of_scope"
    return predict


def train_nlu(config: Path, nlu: Path, out_dir: Path, name: str) -> Tuple[Path, float]:
    started = time.monotonic()
    subprocess.run([str(Path(sys.executable).parent / "rasa"), "train", "nlu", "--config", str(config),
                    "--nlu", str(nlu), "--domain", str(PROJECT_DIR / "domain.yml"), "--out", str(out_dir),
                    "--fixed-model-name", name], cwd=PROJECT_DIR, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out_dir / f"{name}.tar.gz", time.monotonic() - started


def worst_labels(holdout: Examples, predicted: List[str], count: int = 5) -> List[Dict]:
    """The labels with the lowest held-out accuracy and what they were mistaken for."""
    rows: Dict[str, Dict] = defaultdict(lambda: {"n": 0, "right": 0, "as": Counter()})
    for (_, gold), pred in zip(holdout, predicted, strict=False):
        row = rows[gold]
        row["n"] += 1
        if is_correct(gold, pred):
            row["right"] += 1
        else:
            row["as"][pred] += 1
    table = [{"label": label, "n": r["n"], "accuracy": r["right"] / r["n"],
              "mistaken_for": dict(r["as"].most_common(3))} for label, r in rows.items()]
    return sorted(table, key=lambda r: (r["accuracy"], -r["n"]))[:count]


def cross_validation(folds: int = 5) -> Dict[str, float]:
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = load_data(str(PROJECT_DIR / "data" / "nlu"))
    messages = data.intent_examples
    labels = [m.get_full_intent() for m in messages]
    scores, baseline = [], []
    with tempfile.TemporaryDirectory() as tmp:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=42)
        for fold, (train_idx, test_idx) in enumerate(splitter.split(messages, labels)):
            train = TrainingData(training_examples=[messages[i] for i in train_idx],
                                 lookup_tables=data.lookup_tables, responses=data.responses)
            path = Path(tmp) / f"fold{fold}.yml"
            path.write_text(train.nlu_as_yaml(), encoding="utf-8")
            model, _ = train_nlu(PROJECT_DIR / "config.yml", path, Path(tmp), f"fold{fold}")
            predict = rasa_predictor(model)
            test = [(messages[i].get("text"), labels[i]) for i in test_idx]
            scores.append(sum(is_correct(g, predict(t)) for t, g in test) / len(test))
            tfidf = tfidf_predictor([(messages[i].get("text"), labels[i]) for i in train_idx])
            baseline.append(sum(is_correct(g, tfidf(t)) for t, g in test) / len(test))

    def mean_std(values: List[float]) -> Tuple[float, float]:
        mean = sum(values) / len(values)
        return mean, (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5

    mean, spread = mean_std(scores)
    tfidf_mean, tfidf_spread = mean_std(baseline)
    return {"folds": folds, "mean": mean, "std": spread, "scores": scores,
            "tfidf_mean": tfidf_mean, "tfidf_std": tfidf_spread}


def run(model_path: Path, work_dir: Path) -> Dict:
    train = examples(PROJECT_DIR / "data" / "nlu")
    holdout = examples(PROJECT_DIR / "tests" / "data" / "nlu_holdout.yml")
    plain_model, plain_seconds = train_nlu(PROJECT_DIR / "bench" / "config_plain.yml",
                                           PROJECT_DIR / "data" / "nlu", work_dir, "plain")
    systems = {
        "(a) this pipeline": rasa_predictor(model_path),
        "(b) TF-IDF char n-grams + logistic regression": tfidf_predictor(train),
        "(c) keyword matching": keyword_predictor(train),
        "(d) Rasa without jieba dictionary and normaliser": rasa_predictor(plain_model),
    }
    results = {name: score(predict, holdout) for name, predict in systems.items()}
    worst = worst_labels(holdout, results["(a) this pipeline"]["_predicted"])
    for result in results.values():
        result.pop("_predicted")
    return {"train_examples": len(train), "holdout_examples": len(holdout),
            "holdout_out_of_scope": sum(1 for _, g in holdout if g == "out_of_scope"),
            "systems": results, "worst_labels": worst, "cross_validation": cross_validation()}
