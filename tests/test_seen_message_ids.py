"""Platform message ids answered once, across restarts and instances (stores/seen_message_ids.py)."""
import sqlalchemy as sa

from stores.seen_message_ids import SeenMessageIds


def test_an_id_is_new_once_for_every_instance_and_after_a_restart(tmp_path):
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    now = [1000.0]
    one = SeenMessageIds(sa.create_engine(url), keep_seconds=600, clock=lambda: now[0])
    other = SeenMessageIds(sa.create_engine(url), keep_seconds=600, clock=lambda: now[0])  # a second instance
    assert one.first_time("wecom:m1")
    assert not one.first_time("wecom:m1") and not other.first_time("wecom:m1")
    restarted = SeenMessageIds(sa.create_engine(url), keep_seconds=600, clock=lambda: now[0])
    assert not restarted.first_time("wecom:m1")
    assert restarted.first_time("wecom:m2")
    now[0] += 601  # past the window: the timestamp check refuses a replay; a reused id is new again
    assert other.first_time("wecom:m1") and not one.first_time("wecom:m1")


def test_old_ids_are_pruned(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    now = [0.0]
    seen = SeenMessageIds(engine, keep_seconds=10, clock=lambda: now[0], prune_every=5)
    for i in range(4):
        assert seen.first_time(f"old-{i}")
    now[0] = 100.0
    assert seen.first_time("new")  # the fifth call prunes what is older than the window
    with engine.connect() as connection:
        keys = [k for (k,) in connection.execute(sa.text("SELECT key FROM platform_message_ids"))]
    assert keys == ["new"]
