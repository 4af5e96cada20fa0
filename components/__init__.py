"""Custom Rasa NLU components (loaded by module path from config.yml).

Rasa imports this package whenever it loads this project's model, which is
where the faster check of action server replies is put in place
(components/action_response_check.py).
"""
from components.action_response_check import install as _install_action_response_check

_install_action_response_check()
