"""Every entity annotation in the training data falls on jieba token boundaries.

The model tokenises with jieba and the domain dictionary after normalising; an
annotation that cuts a token in half could never be learned or extracted.
"""
import jieba
import pytest
from rasa.shared.nlu.training_data.loading import load_data

from actions.normalization import normalizer_for
from tests.conftest import PROJECT_DIR

DICT_DIR = PROJECT_DIR / "data" / "dict"


@pytest.fixture(scope="module")
def tokenizer():
    tok = jieba.Tokenizer()
    for path in sorted(DICT_DIR.glob("*.txt")):
        tok.load_userdict(str(path))
    return tok


def _annotated():
    data = load_data(str(PROJECT_DIR / "data" / "nlu"))
    return [m for m in data.training_examples if m.get("entities")]


def test_there_are_annotations_to_check():
    assert len(_annotated()) >= 10


@pytest.mark.parametrize("message", _annotated(), ids=lambda m: m.get("text"))
def test_annotation_on_token_boundaries(message, tokenizer):
    text = normalizer_for(str(DICT_DIR))(message.get("text"))
    starts = {start for _, start, _ in tokenizer.tokenize(text)}
    ends = {end for _, _, end in tokenizer.tokenize(text)}
    for ent in message.get("entities"):
        assert ent["start"] in starts and ent["end"] in ends, (text, ent)

