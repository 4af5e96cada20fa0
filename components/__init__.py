"""Custom Rasa NLU components (loaded by module path from config.yml).

Rasa imports this package whenever it loads this project's model, which is
where two changes to Rasa's own behaviour are put in place: the faster check of
action server replies (components/action_response_check.py) and reminders that
run late rather than never (components/reminder_timing.py).
"""
from components.action_response_check import install as _install_action_response_check
from components.reminder_timing import install as _install_reminder_timing

_install_action_response_check()
_install_reminder_timing()
