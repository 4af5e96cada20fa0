"""Rasa's reminders run late rather than never.

Rasa 3.6 schedules reminders (here: the hand-off timer, actions/handoff.py)
on an APScheduler whose jobs keep APScheduler's default ``misfire_grace_time``
of one second: a reminder due while the server is busy for more than a second
(a burst of messages, a slow model call) is dropped without a word, and the
seller waiting for a person is never told that none came. The scheduler Rasa
creates is given no grace limit instead (``None``: run however late).

Installed by ``components/__init__.py``, wherever Rasa loads this project's model.
"""
from typing import Any

from rasa.core import jobs

RASA_SCHEDULER = jobs.scheduler


async def scheduler() -> Any:
    """Rasa's scheduler, with late jobs still run."""
    found = await RASA_SCHEDULER()
    found._job_defaults["misfire_grace_time"] = None  # APScheduler 3: the default of add_job's argument
    return found


def install() -> None:
    jobs.scheduler = scheduler
