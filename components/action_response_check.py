"""Rasa's check of the action server's replies, with its schema checked once.

Rasa 3.6 checks every reply of the action server against a fixed JSON schema
(``RemoteAction._validate_action_result``) with ``jsonschema.validate``, which
first re-checks that schema against the JSON-Schema meta-schema, on every call.
That re-check took ~4.6 ms of the ~4.8 ms per custom action call here (bench:
``make bench``, and docs/serving.md), and every FAQ answer or exit-check turn makes one to
three such calls. The same check is made here with a validator built once: a
reply Rasa would refuse is still refused, with Rasa's own error message.

Installed by ``components/__init__.py``, so it applies wherever Rasa loads this
project's model (``rasa run``, ``rasa shell``, ``rasa test``, ``make run``).
"""
from typing import Any, Dict, Optional, Text

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

# Rasa's own check, kept for comparison (tests/test_action_response_check.py).
RASA_CHECK = RemoteAction._validate_action_result
_validator: Optional[Any] = None


def response_validator() -> Any:
    """The validator of Rasa's action response schema, built (and the schema checked) once."""
    global _validator
    if _validator is None:
        schema = RemoteAction.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    return _validator


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    # What jsonschema.validate does after checking the schema (jsonschema 3.2).
    error = best_match(response_validator().iter_errors(result))
    try:
        if error is not None:
            raise error
        return True
    except ValidationError as e:
        # Rasa's own wording (rasa/core/actions/action.py, 3.6).
        e.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise e


def install() -> None:
    """Makes Rasa's remote actions use the check above (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
