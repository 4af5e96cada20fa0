"""Custom Rasa NLU components (loaded by module path from config.yml).

Rasa imports this package whenever it loads this project's model, which is
where four changes to Rasa's own behaviour are put in place: the faster check of
action server replies (components/action_response_check.py), reminders that run
late rather than never (components/reminder_timing.py), a timeout of seconds
for the action server (components/action_timeout.py) and a RulePolicy that builds
only the dialogue states its rules can look at (components/recent_rule_states.py).
"""
from components.action_response_check import install as _install_action_response_check
from components.action_timeout import install as _install_action_timeout
from components.recent_rule_states import install as _install_recent_rule_states
from components.reminder_timing import install as _install_reminder_timing

_install_action_response_check()
_install_action_timeout()
_install_recent_rule_states()
_install_reminder_timing()
