"""The agents' index of conversations, kept in the tracker store's database as conversations change.

The desk lists conversations waiting for a person and shows resolution figures.
Reading every stored conversation for that took seconds with a few thousand of
them; instead, each time Rasa saves a conversation, the store folds the newly
saved events into that conversation's row (core/stats.py ``fold``), in the
same transaction as the events themselves (stores/sql_tracker_store.py), and
keeps two running counts (unanswered questions, hand-off reasons). The desk's
lists and figures are then a few indexed queries, whatever the number of
conversations (``make bench`` measures 100,000).

Tables (created next to Rasa's ``events`` table, SQLite or PostgreSQL):
- ``conversation_figures``: one row per conversation: the outcome columns the
  figures add up, whether and since when it waits for a person, and the folded
  state (JSON) the next batch of events is folded into;
- ``unanswered_questions``: text → how many times it went unanswered;
- ``handoff_reasons``: reason → how many hand-offs.
"""
import json
from typing import Any, Dict, Iterable, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from core.stats import TOP_UNANSWERED, fold, new_figures, outcome, report, useful_question
from stores import tables

MAX_QUESTION_CHARS = 500
metadata = sa.MetaData()
figures_table = sa.Table(
    "conversation_figures", metadata,
    sa.Column("sender_id", sa.String(255), primary_key=True),
    sa.Column("counted", sa.Boolean, nullable=False, default=False),
    sa.Column("resolved", sa.Boolean, nullable=False, default=False),
    sa.Column("asked_person", sa.Boolean, nullable=False, default=False),
    sa.Column("thumbs_down", sa.Boolean, nullable=False, default=False),
    sa.Column("no_answer", sa.Boolean, nullable=False, default=False),
    sa.Column("waiting", sa.Boolean, nullable=False, default=False, index=True),
    sa.Column("waiting_since", sa.Float),
    sa.Column("state", sa.Text, nullable=False),
)
questions_table = sa.Table(
    "unanswered_questions", metadata,
    sa.Column("text", sa.String(MAX_QUESTION_CHARS), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False, index=True),
)
reasons_table = sa.Table(
    "handoff_reasons", metadata,
    sa.Column("reason", sa.String(64), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)


def create_tables(engine: sa.engine.Engine) -> None:
    tables.create_all(metadata, engine)


def _count_up(connection: Any, table: sa.Table, key_column: str, key: str) -> None:
    """count + 1 for ``key`` (a new row at 1), safe against another instance inserting it first."""
    key_col = table.c[key_column]
    for _ in range(2):
        updated = connection.execute(sa.update(table).where(key_col == key).values(count=table.c["count"] + 1))
        if updated.rowcount:
            return
        try:
            with connection.begin_nested():
                connection.execute(sa.insert(table).values({key_column: key, "count": 1}))
            return
        except IntegrityError:
            continue


def update(connection: Any, sender_id: str, events: List[Dict[str, Any]],
           waiting_now: Optional[Tuple[bool, Optional[float]]] = None,
           last_user_text: Optional[str] = None) -> None:
    """Fold newly saved ``events`` of ``sender_id`` into the index (inside the caller's transaction).

    ``waiting_now``: whether, and since when, the conversation waits for a person
    as its tracker says (it has applied rewinds the events alone do not show).
    ``last_user_text``: the seller's last message before ``events``, from the
    tracker (batches that changed nothing were not folded).
    """
    if not events:
        return
    row = connection.execute(sa.select(figures_table.c.state).where(figures_table.c.sender_id == sender_id)).first()
    before = json.loads(row[0]) if row else new_figures()
    if last_user_text is not None:
        before["last_user_text"] = last_user_text
    after = fold(before, events)
    if waiting_now is not None:
        after["waiting"] = bool(waiting_now[0])
        after["waiting_since"] = (waiting_now[1] or after["waiting_since"]) if after["waiting"] else None
    for question in after["unanswered"][len(before["unanswered"]):]:
        if useful_question(question):
            _count_up(connection, questions_table, "text", question.strip()[:MAX_QUESTION_CHARS])
    for reason in after["handoff_reasons"][len(before["handoff_reasons"]):]:
        _count_up(connection, reasons_table, "reason", str(reason)[:64])
    after["unanswered"] = after["unanswered"][-20:]  # only their number matters from here on
    values = {**outcome(after), "waiting": after["waiting"], "waiting_since": after["waiting_since"],
              "state": json.dumps(after, ensure_ascii=False)}
    if row:
        connection.execute(sa.update(figures_table).where(figures_table.c.sender_id == sender_id).values(values))
    else:
        connection.execute(sa.insert(figures_table).values(sender_id=sender_id, **values))


def waiting(connection: Any, limit: Optional[int] = None) -> List[Tuple[str, float]]:
    """(conversation id, since) of the conversations waiting for a person, longest waiting first."""
    query = (sa.select(figures_table.c.sender_id, figures_table.c.waiting_since)
             .where(figures_table.c.waiting.is_(True)).order_by(figures_table.c.waiting_since))
    if limit is not None:
        query = query.limit(limit)
    return [(sender_id, since) for sender_id, since in connection.execute(query)]


def waiting_count(connection: Any) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(figures_table)
                                  .where(figures_table.c.waiting.is_(True))).scalar())


def figures(connection: Any) -> Dict[str, Any]:
    """The resolution figures over every indexed conversation."""
    t = figures_table.c
    counted = t.counted.is_(True)

    def number(column: Any) -> sa.sql.ColumnElement:
        return sa.func.coalesce(sa.func.sum(sa.case((column.is_(True), 1), else_=0)), 0)

    total, resolved, asked, down, none = connection.execute(
        sa.select(sa.func.count(), number(t.resolved), number(t.asked_person), number(t.thumbs_down),
                  number(t.no_answer)).where(counted)).one()
    reasons = {reason: count for reason, count in connection.execute(sa.select(reasons_table))}
    questions = [{"text": text, "count": count} for text, count in connection.execute(
        sa.select(questions_table).order_by(questions_table.c["count"].desc(), questions_table.c.text)
        .limit(TOP_UNANSWERED))]
    return report(int(total), int(resolved), int(asked), int(down), int(none), reasons, questions)


class AlreadyIndexed(Exception):
    """Another process indexed a conversation first (two Rasa processes starting at once)."""


def rebuild(connection: Any, conversations: Iterable[Tuple[str, List[Dict[str, Any]]]]) -> int:
    """Index conversations stored before the index existed; returns how many.

    Only ever adds rows: a conversation already indexed (by another process that
    got there first) raises AlreadyIndexed, or the insert fails on the key when
    the other commits meanwhile, so nothing is counted twice."""
    done = 0
    for sender_id, events in conversations:
        if connection.execute(sa.select(figures_table.c.sender_id)
                              .where(figures_table.c.sender_id == sender_id)).first():
            raise AlreadyIndexed(sender_id)
        update(connection, sender_id, events)
        done += 1
    return done


def unresolved(connection: Any) -> List[str]:
    """The conversations counted as unresolved (asked for a person, a 👎, or no answer)."""
    t = figures_table.c
    return [sender_id for (sender_id,) in connection.execute(
        sa.select(t.sender_id).where(t.counted.is_(True), t.resolved.is_(False)))]
