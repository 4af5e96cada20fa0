"""Rasa's Redis lock store with each lock change made atomic across processes.

Rasa 3.6's ``RedisLockStore`` changes a conversation's ticket lock with a plain
GET, a change in Python and a SET. Inside one Rasa process that is safe (no
await in between); between two instances it is not: two instances taking a
ticket for the same seller at the same moment both read the same lock, both
write their own version, and both go ahead. Then each saves the conversation
without the other's events (seen in tests/test_serving.py: messages of one
seller sent to both instances at once went missing). Rasa Plus has a
concurrent lock store for this; Rasa Open Source does not.

``AtomicRedisLockStore`` keeps Rasa's ticket lock, keys and settings and only
makes the three read-modify-write steps (issue a ticket, drop expired tickets,
finish and clean up) optimistic Redis transactions (WATCH/MULTI/EXEC, retried
by redis-py when another process changed the lock in between).
endpoints.yml selects it with ``type: stores.redis_lock.AtomicRedisLockStore``.
"""
import json
from typing import Any, Callable, List, Optional, Text, Tuple

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Any]]


class AtomicRedisLockStore(RedisLockStore):
    """``RedisLockStore`` whose lock updates cannot overwrite each other."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        # Rasa builds a lock store named by module path with endpoint_config=...
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)

    def _change(self, conversation_id: Text, change: Change) -> Any:
        """Apply ``change`` (lock or None → lock to store or None to delete, result) atomically."""
        key = self.key_prefix + conversation_id
        result: List[Any] = []

        def attempt(pipe: Any) -> None:
            raw = pipe.get(key)  # immediate: the key is WATCHed until EXEC
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new_lock, value = change(lock)
            pipe.multi()
            if new_lock is None:
                pipe.delete(key)
            else:
                pipe.set(key, new_lock.dumps())
            result[:] = [value]

        self.red.transaction(attempt, key)
        return result[0]

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, take)
        except Exception as error:  # as Rasa's: any failure is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Finish serving ``ticket_number``; delete the lock only if nobody else holds a ticket."""
        def finish(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish)
