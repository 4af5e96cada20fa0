"""The atomic Redis lock store against a real Redis, from several processes at once."""
import multiprocessing

import pytest
from rasa.utils.endpoints import EndpointConfig

from stores.redis_lock import AtomicRedisLockStore
from tests.services import RedisServer

pytestmark = pytest.mark.redis
TICKETS_PER_PROCESS = 150


@pytest.fixture(scope="module")
def redis_server():
    server = RedisServer().start()
    yield server
    server.stop()


def store_for(server):
    return AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=server.port,
                                               password=server.password, db=1))


def _take_tickets(port, password, queue):
    store = AtomicRedisLockStore(EndpointConfig(url="127.0.0.1", port=port, password=password, db=1))
    queue.put([store.issue_ticket("seller-1", 600) for _ in range(TICKETS_PER_PROCESS)])


def test_tickets_taken_by_several_processes_at_once_are_all_different(redis_server):
    queue = multiprocessing.Queue()
    workers = [multiprocessing.Process(target=_take_tickets,
                                       args=(redis_server.port, redis_server.password, queue))
               for _ in range(3)]
    for worker in workers:
        worker.start()
    tickets = sum((queue.get(timeout=120) for _ in workers), [])
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(tickets) == list(range(3 * TICKETS_PER_PROCESS))  # all different, none skipped
    assert len(store_for(redis_server).get_lock("seller-1").tickets) == 3 * TICKETS_PER_PROCESS


async def test_the_lock_serves_tickets_in_order_and_disappears_when_done(redis_server):
    store = store_for(redis_server)
    first, second = store.issue_ticket("seller-2"), store.issue_ticket("seller-2")
    lock = store.get_lock("seller-2")
    assert not lock.is_locked(first) and lock.is_locked(second)
    store.cleanup("seller-2", first)
    assert not store.get_lock("seller-2").is_locked(second)
    store.cleanup("seller-2", second)
    assert store.get_lock("seller-2") is None
    async with store.lock("seller-2"):
        assert store.get_lock("seller-2") is not None
    assert store.get_lock("seller-2") is None
