"""Messages are handled a few at a time, first come first served (channels/admission.py)."""
import asyncio
from typing import List

import pytest

from channels import admission as admission_module
from channels.admission import Admission, admitted


def run(coroutine):
    return asyncio.run(coroutine)


async def _crowd(gate: Admission, count: int, work_steps: int = 3, names=None):
    """``count`` messages arriving one after the other, each yielding ``work_steps`` times while handled."""
    started: List[int] = []
    finished: List[int] = []
    most = 0

    async def message(number: int) -> None:
        nonlocal most
        async with gate:
            started.append(number)
            most = max(most, gate.active)
            for _ in range(work_steps):
                await asyncio.sleep(0)  # waits for the action server, the database…
            finished.append(number)

    tasks = []
    for number in range(count):
        tasks.append(asyncio.create_task(message(number)))
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    return started, finished, most


def test_at_most_the_limit_are_handled_at_once_in_the_order_they_came():
    started, finished, most = run(_crowd(Admission(limit=3, wait=10), count=20))
    assert most == 3
    assert started == list(range(20))
    assert sorted(finished) == list(range(20))


def test_a_newcomer_does_not_take_a_place_freed_for_one_who_waits():
    async def scenario():
        gate = Admission(limit=1, wait=10)
        order: List[str] = []
        await gate.__aenter__()  # the first message is being handled

        async def waiting(name):
            async with gate:
                order.append(name)

        first = asyncio.create_task(waiting("waited"))
        await asyncio.sleep(0)
        await gate.__aexit__(None, None, None)  # its place goes to the one waiting…
        newcomer = asyncio.create_task(waiting("newcomer"))  # …not to one arriving just now
        await asyncio.gather(first, newcomer)
        return order, gate.active
    order, active = run(scenario())
    assert order == ["waited", "newcomer"] and active == 0


def test_a_message_that_waited_too_long_is_handled_beside_the_others_then_the_limit_holds_again():
    async def scenario():
        gate = Admission(limit=1, wait=0.05)
        release = asyncio.Event()
        handled: List[str] = []

        async def stuck():  # e.g. its action server call hangs
            async with gate:
                await release.wait()

        async def message(name):
            async with gate:
                handled.append(name)

        blocker = asyncio.create_task(stuck())
        await asyncio.sleep(0)
        late = asyncio.create_task(message("late"))
        await asyncio.wait_for(late, 2)  # not kept waiting for as long as the stuck one
        assert handled == ["late"] and gate.active == 1
        release.set()
        await blocker
        assert gate.active == 0
        return await _crowd(gate, count=5)
    _, _, most = run(scenario())
    assert most == 1


def test_a_message_given_up_while_waiting_keeps_no_place():
    async def scenario():
        gate = Admission(limit=1, wait=10)
        await gate.__aenter__()

        async def message():
            async with gate:
                pass

        given_up = asyncio.create_task(message())
        await asyncio.sleep(0)
        given_up.cancel()  # the seller's connection closed
        with pytest.raises(asyncio.CancelledError):
            await given_up
        await gate.__aexit__(None, None, None)
        assert gate.active == 0
        await asyncio.wait_for(message(), 1)  # the place is free
        return gate.active
    assert run(scenario()) == 0


def test_a_message_given_up_just_as_its_turn_came_leaves_no_place_taken():
    async def scenario():
        gate = Admission(limit=1, wait=10)
        await gate.__aenter__()
        entered: List[str] = []

        async def message(name):
            async with gate:
                entered.append(name)

        first = asyncio.create_task(message("first"))
        second = asyncio.create_task(message("second"))
        await asyncio.sleep(0)
        await gate.__aexit__(None, None, None)  # the place is handed to "first"…
        first.cancel()  # …which is cancelled before it runs (Python 3.10 may still let it in)
        await asyncio.wait_for(asyncio.gather(first, second, return_exceptions=True), 1)
        return entered, gate.active
    entered, active = run(scenario())
    assert "second" in entered and active == 0


def test_the_wrapped_handler_gets_the_message_and_its_result_back(monkeypatch):
    monkeypatch.setenv("MESSAGE_CONCURRENCY", "2")
    seen = []

    async def on_new_message(message):
        seen.append((message, admission_module.admission().active))
        return "done"

    assert run(admitted(on_new_message)("你好")) == "done"
    assert seen == [("你好", 1)]


def test_settings(monkeypatch):
    for value, limit in [(None, 4), ("1", 1), ("16", 16), ("0", 4), ("-2", 4), ("many", 4)]:
        if value is None:
            monkeypatch.delenv("MESSAGE_CONCURRENCY", raising=False)
        else:
            monkeypatch.setenv("MESSAGE_CONCURRENCY", value)
        assert admission_module.concurrency() == limit
    for value, seconds in [(None, 5.0), ("0.5", 0.5), ("0", 5.0), ("soon", 5.0)]:
        if value is None:
            monkeypatch.delenv("ADMISSION_WAIT", raising=False)
        else:
            monkeypatch.setenv("ADMISSION_WAIT", value)
        assert admission_module.wait_seconds() == seconds


@pytest.mark.parametrize("module, make", [
    ("channels.rest_input", lambda m: m.ValidatedRestInput()),
    ("channels.socketio_input", lambda m: m.WidgetSocketIOInput()),
])
def test_every_channel_handles_its_messages_through_the_admission(module, make, monkeypatch):
    import importlib
    channel_module = importlib.import_module(module)
    wrapped = []

    def recording(handler):
        wrapped.append(handler)
        return handler

    monkeypatch.setattr(channel_module, "admitted", recording)

    async def on_new_message(message):
        return None

    make(channel_module).blueprint(on_new_message)
    assert wrapped == [on_new_message]


def test_the_chat_platforms_handle_their_messages_through_the_admission(monkeypatch):
    from types import SimpleNamespace

    from channels import connector

    wrapped = []

    def recording(handler):
        wrapped.append(handler)
        return handler

    async def no_conversation(sender_id):
        return None

    async def on_new_message(message):
        await message.output_channel.send_text_message(message.sender_id, "您好")

    monkeypatch.setattr(connector, "admitted", recording)
    request = SimpleNamespace(app=SimpleNamespace(ctx=SimpleNamespace(
        agent=SimpleNamespace(tracker_store=SimpleNamespace(retrieve=no_conversation)))))
    replies = run(connector.ConnectorInput().answer(request, on_new_message, "seller", "你好", {}))
    assert wrapped == [on_new_message] and [r["text"] for r in replies] == ["您好"]
