"""The messages agents labelled (data/nlu/learned.yml) are answered as labelled, written any way the model reads
alike, and change nothing else: DIET and the ResponseSelector never see them (components/learned_examples.py)."""
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.learned_examples import LEARNED, LearnedAnswers, LearnedExamples
from components.question_splitter import PARENT
from core.learning import learned_key, source_note, unlearnable
from core.normalization import normalizer_for

CONFIG = {"dictionary_path": "data/dict"}
LABELLED = "账期保障这个东西我想让它消失 咋办"
SOURCE = source_note({"agent": "小王", "labelled_at": 0.0, "conversation_id": "c1", "reason": "declined"})


def example(text, intent, topic=None, source=None):
    data = {"text": text, "intent": intent}
    if topic:
        data["intent_response_key"] = f"{intent}/{topic}"
    if source:
        data["metadata"] = {"example": {"source": source}}
    return Message(data=data)


def training_data():
    return TrainingData(
        [example("账期保障怎么退出", "faq", "how_to_exit"), example("你好", "greet"),
         example(LABELLED, "faq", "how_to_exit", SOURCE), example("有维权能退吗", "ask_can_exit", source=SOURCE),
         example("88vip怎么开通", "out_of_scope", source="written by hand")],
        responses={"utter_faq/how_to_exit": [{"text": "退出步骤：…"}]})


@pytest.fixture()
def trained(tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("learned_examples")
    LearnedExamples(CONFIG, storage, resource).train(training_data())
    return LearnedExamples.load(CONFIG, storage, resource, execution_context=None)


def parsed(text, intent="nlu_fallback", confidence=0.4):
    message = Message(data={"text": text})
    message.data["intent"] = {"name": intent, "confidence": confidence}
    message.data["intent_ranking"] = [{"name": intent, "confidence": confidence},
                                      {"name": "faq", "confidence": 0.3}]
    message.data["response_selector"] = {"faq": {"response": {"intent_response_key": "faq/what_is",
                                                              "confidence": 0.3, "responses": [{"text": "是…"}]},
                                                 "ranking": [{"intent_response_key": "faq/what_is", "confidence": 0.3},
                                                             {"intent_response_key": "faq/how_to_exit",
                                                              "confidence": 0.2}]}}
    return message


def test_the_rest_of_the_pipeline_learns_from_the_teams_data_alone(tmp_path):
    learned = LearnedExamples(CONFIG, LocalModelStorage(tmp_path), Resource("x"))
    texts = [m.get("text") for m in learned.process_training_data(training_data()).training_examples]
    assert texts == ["账期保障怎么退出", "你好", "88vip怎么开通"]
    # The same data as a model trained before anything was labelled: Rasa restores DIET from its cache.
    team_only = TrainingData([m for m in training_data().training_examples if m.get("text") in texts],
                             responses=training_data().responses)
    assert learned.process_training_data(training_data()).fingerprint() == team_only.fingerprint()


@pytest.mark.parametrize("written", [LABELLED, "账期保障这个东西我想让它消失咋办", "賬期保障這個東西我想讓它消失 咋辦？？",
                                     "帐期保障这个东西我想让它消失 咋办呢", " 账期保障 这个东西 我想让它消失，咋办! "])
def test_a_labelled_message_is_answered_as_labelled_however_it_is_written(trained, written):
    [message] = LearnedAnswers().process(trained.process([parsed(written)]))
    assert message.get("intent")["name"] == "faq" and message.get("intent")["confidence"] == 1.0
    response = message.get("response_selector")["faq"]["response"]
    assert (response["intent_response_key"], response["confidence"], response["utter_action"]) == (
        "faq/how_to_exit", 1.0, "utter_faq/how_to_exit")
    assert response["responses"] == [{"text": "退出步骤：…"}]
    assert message.get("response_selector")["faq"]["ranking"][0]["intent_response_key"] == "faq/how_to_exit"
    assert message.get(LEARNED) == {"label": "faq/how_to_exit", "source": SOURCE}
    assert message.as_dict_nlu()  # still a valid parse


@pytest.mark.parametrize("other", ["没有维权能退吗", "有维权能退出吗", "账期保障这个东西我想让它留着 咋办", "账期保障",
                                   "88vip怎么开通", "/greet"])
def test_a_message_that_differs_in_meaning_keeps_the_models_reading(trained, other):
    [message] = LearnedAnswers().process(trained.process([parsed(other)]))
    assert message.get("intent")["name"] == "nlu_fallback" and message.get(LEARNED) is None


def test_a_labelled_intent_has_no_faq_topic_and_the_label_is_first_in_the_ranking(trained):
    [message] = LearnedAnswers().process(trained.process([parsed("有维权 能退吗？")]))
    assert message.get("intent") == {"name": "ask_can_exit", "confidence": 1.0}
    assert message.get("intent_ranking")[0] == {"name": "ask_can_exit", "confidence": 1.0}
    assert message.get("response_selector")["faq"]["response"]["intent_response_key"] == "faq/what_is"


def test_the_questions_of_a_labelled_message_leave_with_it(trained):
    whole = parsed(LABELLED)
    parts = [Message(data={"text": "账期保障这个东西", PARENT: whole}), Message(data={"text": "咋办", PARENT: whole})]
    unrelated = parsed("你好")
    kept = LearnedAnswers().process(trained.process([whole, unrelated] + parts))
    assert kept == [whole, unrelated]


def test_a_model_trained_before_anything_was_labelled_answers_as_before(tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("learned_examples")
    LearnedExamples(CONFIG, storage, resource).train(TrainingData([example("你好", "greet")]))
    loaded = LearnedExamples.load(CONFIG, storage, resource, execution_context=None)
    [message] = LearnedAnswers().process(loaded.process([parsed(LABELLED)]))
    assert message.get("intent")["name"] == "nlu_fallback"
    missing = LearnedExamples.load(CONFIG, LocalModelStorage(tmp_path / "none"), Resource("gone"),
                                   execution_context=None)
    assert missing.process([parsed(LABELLED)])[0].get(LEARNED) is None


def test_only_questions_that_name_their_subject_are_learned_and_the_key_reads_as_the_model_does():
    normalize = normalizer_for("data/dict")
    # Masked messages are not learned: "我是某某" stood for a name as well as for a category.
    assert unlearnable("我是某某 能退吗", normalize) == "masked" and unlearnable("订单号************* 怎么退") == "masked"
    # Replies and follow-ups mean what the conversation makes them mean.
    assert [unlearnable(t, normalize) for t in ("没维权", "都交了", "那怎么退", "一年多少钱")] == ["context"] * 4
    assert unlearnable("订单险是什么", normalize) is None and unlearnable(LABELLED, normalize) is None
    assert learned_key("有维权", normalize) != learned_key("没有维权", normalize)
    # Particles that make the question stay; those after a question that asks anyway go.
    assert learned_key("有维权吗", normalize) != learned_key("有维权", normalize)
    assert learned_key("是吗", normalize) != learned_key("是", normalize)
    assert learned_key("账期保障怎么退呢？", normalize) == learned_key("账期保障怎么退啊", normalize)
    assert learned_key("是什么", normalize).endswith("什么")
