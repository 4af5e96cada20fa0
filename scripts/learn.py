"""`make learn`: agents' labels of missed messages → training data; with --retrain, a guarded retrain.

1. Export: every label of kind "intent" or "out_of_scope" stored from the desk's
   inbox (stores/miss_labels.py) becomes an example in ``data/nlu/learned.yml``,
   added to the examples the file already has (a message labelled again takes
   its new label), with where it came from in the example's metadata; personal
   data masked, texts already in the training data or in an evaluation set
   (tests/eval/, never trained on; compared as the model matches them,
   ``core.learning.learned_key``) left out. Labels "new_answer" go to
   ``results/learn/learn-report.md`` for whoever owns the knowledge.
2. ``--retrain``: the same export is staged in ``results/learn/``; a candidate
   model is trained with it (``rasa train``: the labelled messages go to
   ``components/learned_examples.py``, everything else is the team's data, so
   DIET and the ResponseSelector come out as the current model's); the
   evaluation sets run against both models (the real servers, as ``make test``
   does, on loopback ports with their own SQLite file and none of the live
   settings); only when the candidate is not worse on any set (``worse``: no
   case the current model gets right newly wrong, so no new contradiction or
   wrong verdict and no lower accuracy) does the staged data become ``data/nlu/learned.yml``, the candidate
   replace the current model and Rasa's ``PUT /model`` load it into the running
   server(s); otherwise nothing in ``data/`` or ``models/`` changes and the
   report says why. ``results/learn/learn-report.md`` shows the figures side by side.

Exit status: 0 exported (and, with --retrain, accepted or nothing to learn), 3 refused, 2 an error.
"""
import argparse
import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from core.learning import (  # noqa: E402
    learned_key,
    mask_personal_data,
    new_answers_report,
    training_examples,
    unlearnable,
)
from core.normalization import normalizer_for  # noqa: E402
from core.replies import read_yaml  # noqa: E402
from scripts.rasa_env import settings  # noqa: E402
from tests.eval.run import SHORTEST_SHARED, as_compared  # noqa: E402

LEARNED = PROJECT_DIR / "data" / "nlu" / "learned.yml"
MODEL = PROJECT_DIR / "models" / "zqbz.tar.gz"
HEADER = ("# Written by `make learn` from agents' labels in the desk's inbox (scripts/learn.py). Examples stay once\n"
          "# written; a message labelled again on the desk takes its new label; delete a wrong one here by hand.")
REFUSED = 3
# What the evaluation's result depends on besides the model: cached figures are kept per model *and* these.
EVALUATED_WITH = ("actions", "core", "components", "tests/eval", "domain.yml", "endpoints.yml")
# Settings the evaluation servers must not inherit: they would write into the live database, lock store or
# platforms, notify the agents' webhook, or listen beyond this machine.
NOT_FOR_EVALUATION = ("TRACKER_DB_URL", "DB_HOST", "DB_PORT", "DB_USER", "DB_PASSWORD", "DB_DATABASE",
                      "REDIS_HOST", "REDIS_PORT", "REDIS_DB", "REDIS_PASSWORD", "HANDOFF_WEBHOOK_URL",
                      "DINGTALK_APP_SECRET", "DINGTALK_APP_KEY", "DINGTALK_ROBOT_CODE", "WECOM_CORP_ID",
                      "WECOM_TOKEN", "WECOM_AES_KEY", "WECOM_SECRET", "WECOM_AGENT_ID", "ALLOWED_HOSTS",
                      "WIDGET_ORIGINS", "ACTION_HOST", "ACTION_ENDPOINT_URL", "MODEL")


class LearnError(RuntimeError):
    """The retrain could not be done; the message says what to do."""


def _texts_in(paths: List[Path]) -> List[str]:
    """The example texts of Rasa NLU files (block and list forms)."""
    texts = []
    for path in paths:
        for entry in (read_yaml(path) or {}).get("nlu") or []:
            examples = entry.get("examples") or []
            if isinstance(examples, str):
                texts += [line.strip()[2:] for line in examples.splitlines() if line.strip().startswith("- ")]
            else:
                texts += [str(example.get("text") or "") for example in examples if isinstance(example, dict)]
    return texts


def _existing_examples(learned: Path) -> Dict[str, List[Dict[str, Any]]]:
    """intent → examples ``{"text", "source"}`` already in ``learned`` (an earlier export, maybe from elsewhere)."""
    if not learned.exists():
        return {}
    found: Dict[str, List[Dict[str, Any]]] = {}
    for entry in (read_yaml(learned) or {}).get("nlu") or []:
        for example in entry.get("examples") or []:
            if isinstance(example, dict) and example.get("text"):
                found.setdefault(entry["intent"], []).append(
                    {"text": str(example["text"]), "source": str((example.get("metadata") or {}).get("source", ""))})
    return found


def _safe_text(text: str) -> str:
    """Rasa reads "[..](..)" / "[..]{..}" in an example as entity markup: the brackets become full-width."""
    return text.replace("[", "［").replace("]", "］")


def _evaluation_texts() -> List[str]:
    from tests.eval.run import load

    texts = []
    for folder in ("", "fresh", "round3"):
        texts += [case["text"] for case in load("single_messages.yml", folder)]
        texts += [turn["user"] for case in load("conversations.yml", folder) for turn in case["turns"]]
    return texts


def export(labels: List[Dict[str, Any]], learned: Path, report: Path, into: Optional[Path] = None) -> Dict[str, Any]:
    """Add the examples ``labels`` give to those of ``learned`` and write the result to ``into`` (``learned``).

    Examples already in the file stay (the file may come from another machine's labels); a message labelled
    again takes its new label. Returns what was written and what was left out.
    """
    into = into or learned
    others = [p for p in sorted((PROJECT_DIR / "data" / "nlu").glob("*.yml")) if p.resolve() != learned.resolve()]
    normalize = normalizer_for(str(PROJECT_DIR / "data" / "dict"))
    def key(text: str) -> str:
        return learned_key(text, normalize)

    held_out = {key(t) for t in _evaluation_texts() if len(as_compared(t)) >= SHORTEST_SHARED}
    left_out = {"held_out": 0, "masked": 0, "context": 0}
    kept = []
    for label in labels:
        text = _safe_text(str(label.get("text") or ""))
        why = None
        if label.get("kind") in ("intent", "out_of_scope"):
            why = "held_out" if key(text) in held_out else unlearnable(mask_personal_data(text), normalize)
        if why:
            left_out[why] += 1
        else:
            kept.append({**label, "text": text})
    new = training_examples(kept, _texts_in(others), key=key)
    relabelled = {key(e["text"]) for examples in new.values() for e in examples}
    grouped: Dict[str, List[Dict[str, Any]]] = {}
    for intent, examples in _existing_examples(learned).items():
        grouped[intent] = [e for e in examples if key(e["text"]) not in relabelled]
    for intent, examples in new.items():
        grouped.setdefault(intent, []).extend(examples)
    grouped = {intent: examples for intent, examples in grouped.items() if examples}
    lines = [HEADER, 'version: "3.1"', "nlu:"]
    for intent in sorted(grouped):
        lines += [f"- intent: {intent}", "  examples:"]
        for example in grouped[intent]:  # JSON strings are YAML double-quoted scalars; ASCII-only is safest
            lines += [f"  - text: {json.dumps(example['text'])}",
                      "    metadata:", f"      source: {json.dumps(example['source'])}"]
    if not grouped:
        lines[-1] = "nlu: []"
    if grouped or into.exists():  # no labels yet: no file (a new file in data/ means a retrain)
        into.parent.mkdir(parents=True, exist_ok=True)
        staged = into.with_name(into.name + ".tmp")
        staged.write_text("\n".join(lines) + "\n", encoding="utf-8")
        os.replace(staged, into)
    answers = new_answers_report(labels)
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text((answers or "# Questions that need a new answer\n\nNone labelled.\n"), encoding="utf-8")
    return {"examples": sum(len(v) for v in grouped.values()), "new": sum(len(v) for v in new.values()),
            "intents": sorted(grouped),
            **left_out, "new_answers": sum(lbl.get("kind") == "new_answer" for lbl in labels)}


def train(out: Path, name: str, learned: Path) -> Path:
    """A model trained on the project's data and ``learned`` (instead of data/nlu/learned.yml) into ``out``.

    Not a fine-tune of DIET: one labelled example moved the labels of 97 of 861 evaluation sentences in a
    fine-tune (a model trained anew: up to 4 of 103 conversations of a set either way; measured 2026-12-03), so
    the gate below would have judged noise. components/learned_examples.py keeps the labelled messages out of
    DIET's data: DIET and the ResponseSelector are trained anew on the team's data alone, identically (the seeds
    are pinned), and only the labelled messages themselves are answered differently.
    """
    rasa = Path(sys.executable).with_name("rasa")
    data = [str(p) for p in sorted((PROJECT_DIR / "data").iterdir()) if p.name != "nlu"]
    data += [str(p) for p in sorted((PROJECT_DIR / "data" / "nlu").glob("*.yml")) if p.name != LEARNED.name]
    done = subprocess.run([str(rasa), "train", "--config", "config.yml", "--domain", "domain.yml",
                           "--data", *data, str(learned), "--out", str(out), "--fixed-model-name", name],
                          cwd=PROJECT_DIR)
    model = out / f"{name}.tar.gz"
    if done.returncode or not model.exists():
        raise LearnError("training the candidate failed (Rasa's error above); check the data with "
                         "`make test` before labelling more")
    return model


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as model:
        for block in iter(lambda: model.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def _code_digest() -> str:
    digest = hashlib.sha256()
    for name in EVALUATED_WITH:
        path = PROJECT_DIR / name
        for file in sorted([path] if path.is_file() else path.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                digest.update(str(file.relative_to(PROJECT_DIR)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()[:12]


def evaluation_env(env: Dict[str, str], model: Path, serving: Path) -> Dict[str, str]:
    """The evaluation servers' settings: ``env`` without anything live, on loopback, with fresh tokens."""
    clean = {key: value for key, value in env.items() if key not in NOT_FOR_EVALUATION}
    clean.update(MODEL=str(model), BIND_HOST="127.0.0.1", TRACKER_DB=str(serving / "tracker.db"),
                 RASA_AUTH_TOKEN=secrets.token_hex(16), AGENT_TOKEN=secrets.token_hex(16),
                 HANDOFF_API_TOKEN=secrets.token_hex(16))
    return clean


def evaluate(model: Path, work: Path) -> Dict[str, Dict[str, Any]]:
    """The evaluation sets against ``model``, served as `make run` serves it (own ports, own database).

    Kept in ``work`` by the model's digest: the current model is measured once, not at every retrain.
    """
    from tests.bot_server import BotServer
    from tests.eval.run import RestClient
    from tests.eval.run import evaluate as evaluate_set

    kept = work / f"figures-{_digest(model)}-{_code_digest()}.json"
    if kept.exists():
        return json.loads(kept.read_text(encoding="utf-8"))
    serving = work / f"serve-{kept.stem}"
    serving.mkdir(parents=True, exist_ok=True)
    server = BotServer(serving)
    server.env = evaluation_env(server.env, model, serving)
    token = server.env["RASA_AUTH_TOKEN"]
    server.start()
    try:
        results = {}
        for folder in ("", "fresh", "round3"):
            result = evaluate_set(RestClient(server.url, token=token), folder)
            results[folder or "eval"] = {
                **{key: result[key] for key in ("single_messages", "single_correct", "conversations",
                                                "conversations_correct", "hard_failures")},
                "failed": [f"single: {r['text']}" for r in result["failed_singles"]]
                + [f"conversation: {c['name']}" for c in result["failed_conversations"]],
                "hard": [f"single: {r['text']}" for r in result["failed_singles"] if r["hard"]]
                + [f"conversation: {c['name']}" for c in result["failed_conversations"] if c["hard"]]}
    finally:
        server.stop_all()
    kept.write_text(json.dumps(results), encoding="utf-8")
    return results


def worse(current: Dict[str, Dict[str, Any]], candidate: Dict[str, Dict[str, Any]]) -> List[str]:
    """Why the candidate is worse than the current model on an evaluation set ([] when it is not): a
    contradiction of the seller or wrong verdict the current model does not make, or any case the current model
    gets right and the candidate does not (so no lower accuracy either, and no case traded for another: with
    DIET unchanged, a case that flips was flipped by a label)."""
    reasons = []
    for name, before in current.items():
        after = candidate[name]
        new_hard = sorted(set(after["hard"]) - set(before["hard"]))
        if new_hard:
            reasons.append(f"{name}: new contradictions or wrong verdicts: {'; '.join(new_hard[:5])}")
        lost = sorted(set(after["failed"]) - set(before["failed"]))
        if lost:
            reasons.append(f"{name}: {len(lost)} cases newly wrong (single messages {before['single_correct']:.1%}"
                           f" → {after['single_correct']:.1%}, conversations {before['conversations_correct']:.1%}"
                           f" → {after['conversations_correct']:.1%}): {'; '.join(lost[:3])}")
    return reasons


def load_into_rasa(model: Path, urls: List[str], token: str) -> List[str]:
    """``PUT /model`` on each running Rasa server; the servers that did not take it, with why."""
    failed = []
    for url in urls:
        request = urllib.request.Request(
            f"{url.rstrip('/')}/model?token={urllib.parse.quote(token)}", method="PUT",
            data=json.dumps({"model_file": str(model)}).encode(), headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                if response.status not in (200, 204):
                    failed.append(f"{url}: HTTP {response.status}")
        except (urllib.error.URLError, OSError) as error:
            failed.append(f"{url}: {error}")
    return failed


def _table(current: Dict[str, Dict[str, Any]], candidate: Dict[str, Dict[str, Any]]) -> str:
    rows = ["| set | single messages | conversations | contradictions / wrong verdicts | newly wrong / newly right |",
            "| --- | --- | --- | --- | --- |"]
    for name in current:
        b, a = current[name], candidate[name]
        rows.append(f"| {name} | {b['single_correct']:.1%} → {a['single_correct']:.1%} | "
                    f"{b['conversations_correct']:.1%} → {a['conversations_correct']:.1%} | "
                    f"{b['hard_failures']} → {a['hard_failures']} | "
                    f"{len(set(a['failed']) - set(b['failed']))} / {len(set(b['failed']) - set(a['failed']))} |")
    return "\n".join(rows)


def guarded_retrain(current_model: Path, staged: Path, learned: Path, rasa_urls: List[str], token: str,
                    work: Path) -> Dict[str, Any]:
    """Train with ``staged`` data, compare, and only for a model that is not worse: install ``staged`` as
    ``learned``, replace the model and load it. The decision with its figures."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    work.mkdir(parents=True, exist_ok=True)
    candidate = train(work / "candidates", f"candidate-{stamp}", staged)
    current_figures = evaluate(current_model, work)
    candidate_figures = evaluate(candidate, work)
    reasons = worse(current_figures, candidate_figures)
    decision: Dict[str, Any] = {"accepted": not reasons, "reasons": reasons, "current": current_figures,
                                "candidate": candidate_figures, "table": _table(current_figures, candidate_figures)}
    if reasons:
        decision["kept"] = str(current_model)
        candidate.unlink()
        return decision
    previous = current_model.with_name(current_model.name.replace(".tar.gz", "") + f"-before-{stamp}.tar.gz")
    shutil.copy2(current_model, previous)  # the old model stays at hand
    os.replace(staged, learned)  # the data the accepted model learned; a refused candidate's stays in `work`
    shutil.copy2(candidate, current_model.with_name(current_model.name + ".tmp"))  # maybe another filesystem
    os.replace(current_model.with_name(current_model.name + ".tmp"), current_model)  # atomic for a server
    os.utime(current_model)  # newer than learned.yml: `make run` serves it instead of training from scratch
    candidate.unlink()
    decision.update(replaced=str(current_model), previous=str(previous),
                    not_loaded=load_into_rasa(current_model.resolve(), rasa_urls, token))
    return decision


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--retrain", action="store_true", help="train, compare and load a better model")
    parser.add_argument("--model", default=str(MODEL), help="the current model (replaced when accepted)")
    parser.add_argument("--learned", default=str(LEARNED), help="the training data file written from the labels")
    parser.add_argument("--work", default=str(PROJECT_DIR / "results" / "learn"), help="candidates, figures")
    args = parser.parse_args(argv)
    learned, report = Path(args.learned), Path(args.work) / "learn-report.md"
    env = settings(os.environ)
    os.environ.update({key: value for key, value in env.items() if key not in os.environ})
    from desk import conversations

    labels = conversations.all_labels()
    # With --retrain the data goes to data/ only with a model that passed the guard: until then it is staged.
    staged = Path(args.work) / "learned-candidate.yml"
    exported = export(labels, learned, report, into=staged if args.retrain else learned)
    print(f"learn: {len(labels)} labels → {exported['examples']} examples in {staged if args.retrain else learned} "
          f"({', '.join(exported['intents']) or 'none'}); left out: {exported['held_out']} evaluation sentences, "
          f"{exported['context']} replies or follow-ups (their meaning depends on the conversation), "
          f"{exported['masked']} changed by masking; {exported['new_answers']} need a new answer ({report})")
    if not args.retrain:
        return 0
    installed = learned.read_text(encoding="utf-8") if learned.exists() else None
    if not staged.exists() or staged.read_text(encoding="utf-8") == installed:
        print("learn: nothing new to learn; the current model stays")
        return 0
    urls = os.environ.get("RASA_URLS", f"http://127.0.0.1:{env['RASA_PORT']}").split()
    try:
        decision = guarded_retrain(Path(args.model), staged, learned, urls, env.get("RASA_AUTH_TOKEN", ""),
                                   Path(args.work))
    except LearnError as error:
        print(f"learn: {error}", file=sys.stderr)
        return 2
    verdict = "accepted: the new model replaced the current one" if decision["accepted"] else \
        "refused: the current model stays (" + "; ".join(decision["reasons"]) + ")"
    with report.open("a", encoding="utf-8") as out:
        out.write(f"\n# Retrain {time.strftime('%Y-%m-%d %H:%M')}\n\n{verdict}\n\n{decision['table']}\n")
        if decision.get("not_loaded"):
            out.write("\nNot loaded by: " + "; ".join(decision["not_loaded"]) + " (restart them)\n")
    print(f"learn: {verdict}\n{decision['table']}")
    if decision.get("not_loaded"):
        print("learn: not loaded by " + "; ".join(decision["not_loaded"]) + " (restart them to use it)")
    return 0 if decision["accepted"] else REFUSED


if __name__ == "__main__":
    sys.exit(main())
