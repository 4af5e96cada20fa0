"""A reminder due while the Rasa server was busy still runs (the hand-off timer must not be dropped)."""
import asyncio
import datetime
import time

from rasa.core import jobs

import components  # noqa: F401  (installs the change, as loading the model does)


def test_a_reminder_overdue_by_more_than_a_second_still_runs():
    async def run():
        ran = []
        scheduler = await jobs.scheduler()
        try:
            scheduler.add_job(lambda: ran.append(1), "date",
                              run_date=datetime.datetime.now() + datetime.timedelta(milliseconds=100), id="t")
            time.sleep(2.5)  # the event loop is blocked past the due time, as on a busy server
            await asyncio.sleep(0.5)
            return ran
        finally:
            jobs.kill_scheduler()
    assert asyncio.run(run()) == [1]
