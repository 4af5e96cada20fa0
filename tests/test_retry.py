"""One retry loop for every outside call (core/retry.py): the webhook and the chat platforms' send APIs."""
import asyncio

from core import retry


def test_a_failing_call_is_retried_with_doubling_pauses_then_given_up(monkeypatch):
    pauses, calls = [], []

    async def no_wait(seconds):
        pauses.append(seconds)

    async def send():
        calls.append(1)
        raise ConnectionError("down")

    monkeypatch.setattr(retry.asyncio, "sleep", no_wait)
    assert asyncio.run(retry.with_retries(send, "test", attempts=4, first_pause=0.5)) is None
    assert len(calls) == 4 and pauses == [0.5, 1.0, 2.0]


def test_the_first_success_is_returned_and_ends_the_retries(monkeypatch):
    outcomes = iter([OSError("once"), "sent", "never"])

    async def send():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def no_wait(seconds):
        pass

    monkeypatch.setattr(retry.asyncio, "sleep", no_wait)
    assert asyncio.run(retry.with_retries(send, "test")) == "sent"
    assert next(outcomes) == "never"
