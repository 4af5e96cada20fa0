"""Base of the NLU components that read text the way ``core.normalization`` does."""
from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from core.normalization import normalizer_for


class NormalizingComponent(GraphComponent):
    """A component configured with the jieba dictionary folder, holding its normaliser."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # The jieba user dictionary: its nouns get pinyin-initial expansion, and the
        # training data beside it spells full pinyin.
        return {"dictionary_path": "data/dict"}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._normalize = normalizer_for(config["dictionary_path"])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> GraphComponent:
        return cls(config)
