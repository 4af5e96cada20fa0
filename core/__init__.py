"""The project's core: everything that does not import Rasa or rasa-sdk.

The eligibility rules and the check's fact table, reading what sellers say,
normalisation, the reply texts of domain.yml, transcripts, the hand-off payload
and its webhook, retries, message limits. ``actions/``, ``channels/``,
``components/``, ``stores/`` and ``desk/`` build on it; it imports none of them
(``tests/test_layout.py``).
"""
