"""The answer path's statements: one read of all an answer meets, one write of what it counts.

Each is one round trip to the server, which on PostgreSQL costs more than the statement
(issue 16). They are built once, with bound parameters, like the rest of the answer path.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import FromClause, Select, String, Text, and_, bindparam, exists, select
from sqlalchemy.dialects import postgresql

from bot.quiz.records import AnswerState, Attempt, Card, User
from bot.quiz.targets import FocusTarget, PollTarget, PostTarget, ReplyTarget, Target
from bot.storage.rows import by_dialect, post_from_row
from bot.storage.tables import (
    UtcDateTime,
    attempts,
    cards,
    chat_identities,
    deliveries,
    peeks,
    posts,
    user_identities,
    users,
)

# The person, by identity (parameters user_platform, user_external_id).
IDENTITY = and_(
    user_identities.c.platform == bindparam("user_platform"),
    user_identities.c.external_id == bindparam("user_external_id"),
)
USER = users.c.id == user_identities.c.user_id
POSTS, USERS, ATTEMPTS = len(posts.c), len(users.c), len(attempts.c)


def _with_person(source: FromClause) -> FromClause:
    """The posts of `source` with the person's user, or NULLs when they were never seen."""
    return source.outerjoin(user_identities, IDENTITY).outerjoin(users, USER)


def _answer_state(source: FromClause, *where: Any) -> Select[Any]:
    """One row: the post of `source` (which joins the person's user), the user, their
    attempt on the post, whether they peeked, and their card for its question."""
    peeked = exists().where(peeks.c.post_id == posts.c.id, peeks.c.user_id == users.c.id)
    joined = source.outerjoin(
        attempts, and_(attempts.c.post_id == posts.c.id, attempts.c.user_id == users.c.id)
    ).outerjoin(
        cards, and_(cards.c.user_id == users.c.id, cards.c.question_id == posts.c.question_id)
    )
    columns = (posts, users, attempts, peeked.label("peeked"), cards.c.state, cards.c.due)
    return select(*columns).select_from(joined).where(*where).limit(1)


BY_MESSAGE = _answer_state(
    _with_person(deliveries.join(posts, posts.c.id == deliveries.c.post_id)),
    deliveries.c.platform == bindparam("platform"),
    deliveries.c.channel == bindparam("channel"),
    deliveries.c.message == bindparam("message"),
)
BY_POLL = _answer_state(
    _with_person(deliveries.join(posts, posts.c.id == deliveries.c.post_id)),
    deliveries.c.platform == bindparam("platform"),
    deliveries.c.poll == bindparam("poll"),
)
BY_ID = _answer_state(_with_person(posts), posts.c.id == bindparam("post_id"))
IN_CHAT = _answer_state(
    _with_person(
        posts.join(
            chat_identities,
            and_(
                chat_identities.c.chat_id == posts.c.chat_id,
                chat_identities.c.platform == bindparam("chat_platform"),
                chat_identities.c.external_id == bindparam("chat_external_id"),
            ),
        )
    ),
    posts.c.id == bindparam("post_id"),
)
FOCUS = _answer_state(
    user_identities.join(users, USER).join(posts, posts.c.id == users.c.focus_post_id),
    IDENTITY,
)


def lookup_statement(post: Target | int) -> tuple[Select[Any], dict[str, Any]]:
    """The statement finding the post an answer names, and its parameters but the person's."""
    if isinstance(post, int):
        return BY_ID, {"post_id": post}
    if isinstance(post, ReplyTarget):
        ref = post.ref
        return BY_MESSAGE, {
            "platform": ref.platform,
            "channel": ref.channel,
            "message": ref.message,
        }
    if isinstance(post, PollTarget):
        return BY_POLL, {"platform": post.platform, "poll": post.poll}
    if isinstance(post, PostTarget):
        chat = post.place.address
        where = {"chat_platform": chat.platform, "chat_external_id": chat.external_id}
        return IN_CHAT, where | {"post_id": post.post_id}
    assert isinstance(post, FocusTarget)
    return FOCUS, {}


def answer_state_from_row(row: Sequence[Any]) -> AnswerState:
    """An AnswerState from a row of a lookup statement."""
    post, user_row = post_from_row(row[:POSTS]), row[POSTS : POSTS + USERS]
    attempt_row = row[POSTS + USERS : POSTS + USERS + ATTEMPTS]
    peeked, state, due = row[POSTS + USERS + ATTEMPTS :]
    if user_row[0] is None:
        return AnswerState(post, None)
    user = User(*user_row)
    attempt = Attempt(*attempt_row) if attempt_row[0] is not None else None
    card = Card(user.id, post.question_id, state, due) if state is not None else None
    return AnswerState(post, user, attempt, bool(peeked), card)


# PostgreSQL: the attempt and, when it was inserted, the card it reviewed, in one statement
# (a data-modifying WITH); its one row says the attempt counted.
_ADDED = (
    postgresql.insert(attempts)
    .values({column.name: bindparam(column.name) for column in attempts.c})
    .on_conflict_do_nothing(index_elements=["post_id", "user_id"])
    .returning(attempts.c.user_id)
    .cte("added")
)
_CARD = postgresql.insert(cards).from_select(
    ["user_id", "question_id", "state", "due"],
    select(
        _ADDED.c.user_id,
        bindparam("question_id", type_=String),
        bindparam("state", type_=Text),
        bindparam("due", type_=UtcDateTime()),
    ),
)
RECORD_POSTGRESQL = _CARD.on_conflict_do_update(
    index_elements=["user_id", "question_id"],
    set_={"state": _CARD.excluded.state, "due": _CARD.excluded.due},
).returning(cards.c.user_id)


# SQLite: the attempt, then (when it was inserted) its card, in two statements.
ADD_ATTEMPT = by_dialect(
    lambda insert: (
        insert(attempts)
        .on_conflict_do_nothing(index_elements=["post_id", "user_id"])
        .returning(attempts.c.post_id)
    )
)


def _put_card(insert: Any) -> Any:
    statement = insert(cards)
    return statement.on_conflict_do_update(
        index_elements=["user_id", "question_id"],
        set_={"state": statement.excluded.state, "due": statement.excluded.due},
    )


PUT_CARD = by_dialect(_put_card)
