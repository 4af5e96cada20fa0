"""Learning from real conversations, end to end (issue #16): a message the bot declines shows up in the
desk's inbox, an agent labels it, `make learn`'s export writes it to training data, the guarded retrain
accepts the new model and loads it into the running server, and the same message is then answered; a
candidate that is worse is refused and the model stays.

Runs scripts/learn.py as `make learn RETRAIN=1` does, on a copy of the model, against servers started as
`make run` starts them; training and the evaluation sets make this the slowest test (~8 minutes here).
"""
import hashlib
import json
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import sqlalchemy as sa
from rasa.shared.nlu.training_data.loading import load_data

from core.replies import load_responses, response_text
from stores import miss_labels
from tests.bot_server import PROJECT_DIR, BotServer
from tests.eval.run import load

pytestmark = pytest.mark.model

# Declined by the model trained on data/ alone; a seller asking how to exit, in words the data does not have.
MISSED = "账期保障这个东西我想让它消失 咋办"
TOPIC = "faq/how_to_exit"
DECLINED = ("没看懂", "资料里没有")  # utter_default, utter_out_of_scope


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    work = tmp_path_factory.mktemp("learn")
    model = work / "model.tar.gz"
    shutil.copy(PROJECT_DIR / "models" / "zqbz.tar.gz", model)
    server = BotServer(work, env={"MODEL": str(model)}).start()
    yield server, work, model
    server.stop_all()


def desk(server, method, path, body=None):
    request = urllib.request.Request(
        f"{server.web_url}/agent/api/{path}", method=method,
        data=None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Authorization": f"Bearer {server.env['AGENT_TOKEN']}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def learn(server, work, model):
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "learn.py"), "--retrain", "--model", str(model),
         "--learned", str(work / "learned.yml"), "--work", str(work / "learn")],
        cwd=PROJECT_DIR, env={**server.env, "RASA_URLS": server.url}, capture_output=True, text=True,
        timeout=1800)


def answer_text():
    return response_text(load_responses(), f"utter_{TOPIC}")


def test_a_declined_message_is_labelled_learned_loaded_and_then_answered(setup):
    server, work, model = setup
    seller = server.session()
    assert any(word in (r.get("text") or "") for r in server.say(seller, MISSED) for word in DECLINED)

    status, listed = desk(server, "GET", "inbox")
    assert status == 200
    [miss] = [m for m in listed["items"] if m["text"] == MISSED]
    assert miss["reason"] == "declined" and miss["conversation_id"] == seller and miss["reply"]
    assert TOPIC in [c["value"] for c in listed["choices"]]

    assert desk(server, "POST", f"inbox/{miss['id']}/label", {"conversation_id": seller, "kind": "intent",
                                                               "value": "faq/no_such_topic", "agent": "小王"})[0] == 400
    assert desk(server, "POST", f"inbox/{miss['id']}/label", {"conversation_id": "someone-else", "kind": "intent",
                                                               "value": TOPIC, "agent": "小王"})[0] == 404
    status, stored = desk(server, "POST", f"inbox/{miss['id']}/label",
                          {"conversation_id": seller, "kind": "intent", "value": TOPIC, "agent": "小王"})
    assert status == 200 and stored["label"]["agent"] == "小王" and stored["label"]["text"] == MISSED
    assert MISSED not in [m["text"] for m in desk(server, "GET", "inbox")[1]["items"]]

    before = digest(model)
    result = learn(server, work, model)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "accepted" in result.stdout
    [example] = load_data(str(work / "learned.yml")).training_examples
    assert (example.get("text"), example.get("intent_response_key")) == (MISSED, TOPIC)
    assert "labelled by 小王" in example.get("metadata", {}).get("example", {}).get("source", ""), example.data
    assert digest(model) != before

    replies = server.say(server.session(), MISSED)  # the running server, no restart
    assert any(r.get("text") == answer_text() for r in replies), replies


def test_a_worse_candidate_is_refused_and_the_model_stays(setup):
    server, work, model = setup
    # Careless labels on the desk: 订单险 taken for another product (also an evaluation sentence, in pinyin: left
    # out), a follow-up given the wrong topic and replies to the check called out of scope (not learned at all:
    # their meaning depends on the conversation).
    careless = [("订单险是什么", "out_of_scope", None), ("那怎么退", "intent", "faq/what_is"),
                ("没维权", "out_of_scope", None), ("都交了", "out_of_scope", None)]
    turns = [turn["user"] for folder in ("", "fresh", "round3") for case in load("conversations.yml", folder)
             for turn in case["turns"]]
    assert "订单险是什么" in turns
    engine = sa.create_engine(f"sqlite:///{server.env['TRACKER_DB']}")
    with engine.begin() as connection:
        for number, (text, kind, value) in enumerate(careless):
            miss = {"id": f"{number:040x}", "conversation_id": "careless", "text": text, "reason": "declined"}
            miss_labels.save(connection, miss, kind, value, None, "粗心的同事", now=time.time())
    engine.dispose()

    # The same careless label in learned.yml itself (another machine's export, or a hand edit): the gate's case.
    # "订单险是什么" is a turn of two conversations of the evaluation sets, which catch it.
    learned = work / "learned.yml"  # written by the test above when its candidate was accepted
    written = learned.read_text(encoding="utf-8") if learned.exists() else 'version: "3.1"\nnlu:\n'
    learned.write_text(written.replace("nlu: []", "nlu:").rstrip("\n") + "\n" + "\n".join([
        "- intent: out_of_scope", "  examples:", '  - text: "订单险是什么"', "    metadata:",
        '      source: "labelled by 粗心的同事 on 2026-12-01; conversation 0000000000 (declined)"']) + "\n",
        encoding="utf-8")
    before, installed = digest(model), learned.read_text(encoding="utf-8")
    result = learn(server, work, model)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "refused" in result.stdout and "current model" in result.stdout
    assert "1 evaluation sentences, 3 replies or follow-ups" in result.stdout
    assert digest(model) == before
    assert installed == learned.read_text(encoding="utf-8")  # refused: the data stays as it was
    assert "refused" in (work / "learn" / "learn-report.md").read_text(encoding="utf-8")
    # the running server still answers what 订单险 is
    assert not any(word in (r.get("text") or "") for r in server.say(server.session(), "订单险是什么")
                   for word in DECLINED)
