"""Question selection without repeats, streaks, ranks and review ratings."""

from __future__ import annotations

import random
from collections.abc import Sequence

from bot.quiz.model import Kind, Question, Status, Verdict
from bot.quiz.scoring import ReviewRating, awarded_points, rank, review_rating, streak
from bot.quiz.selection import pick_next


def q(
    qid: str, tags: tuple[str, ...] = ("ml",), difficulty: int = 2, ready: bool = True
) -> Question:
    status = Status.READY if ready else Status.DRAFT
    return Question(qid, Kind.SHORT, "?", "a", tags, difficulty, status, accept=("a",))


BANK = [q(f"q{i}", ("cv",) if i % 2 else ("llm",), 1 + i % 3) for i in range(10)]


def run_cycle(
    bank: Sequence[Question], asked: set[str], rng: random.Random, **kw: object
) -> list[str]:
    picked: list[str] = []
    while True:
        pick = pick_next(bank, asked, rng, **kw)  # type: ignore[arg-type]
        assert pick is not None
        if pick.new_cycle:
            return picked
        asked.add(pick.question.id)
        picked.append(pick.question.id)


def test_no_question_repeats_until_the_filtered_bank_is_used_up() -> None:
    picked = run_cycle(BANK, set(), random.Random(1), topics=("cv",))
    assert sorted(picked) == sorted(x.id for x in BANK if "cv" in x.tags)


def test_a_new_cycle_uses_a_new_random_order() -> None:
    rng = random.Random(7)
    orders = [run_cycle(BANK, set(), rng) for _ in range(3)]
    assert all(sorted(o) == sorted(x.id for x in BANK) for o in orders)
    assert len({tuple(o) for o in orders}) > 1


def test_same_seed_same_order() -> None:
    assert run_cycle(BANK, set(), random.Random(3)) == run_cycle(BANK, set(), random.Random(3))


def test_drafts_are_never_picked_and_difficulty_filters() -> None:
    bank = [*BANK, q("draft", ready=False)]
    picked = run_cycle(bank, set(), random.Random(1), difficulties=(3,))
    assert "draft" not in picked
    assert sorted(picked) == sorted(x.id for x in BANK if x.difficulty == 3)


def test_questions_removed_or_added_between_calls_are_handled() -> None:
    asked = {"q0", "q1", "gone"}
    bank = [*BANK[2:], q("new")]
    pick = pick_next(bank, asked, random.Random(1))
    assert pick is not None and not pick.new_cycle and pick.question.id not in asked


def test_unmatched_topics_fall_back_to_the_whole_bank_and_empty_bank_gives_none() -> None:
    pick = pick_next(BANK, set(), random.Random(1), topics=("nothing",))
    assert pick is not None
    assert pick_next([q("d", ready=False)], set(), random.Random(1)) is None


def test_a_banks_tuple_picks_as_a_list_does_and_a_new_bank_is_seen_at_once() -> None:
    # A bank's tuple of questions has its pools memoized; a reloaded bank is a new tuple.
    for topics in ((), ("cv",), ("nothing",)):
        as_list = run_cycle(BANK, set(), random.Random(5), topics=topics)
        assert run_cycle(tuple(BANK), set(), random.Random(5), topics=topics) == as_list
    old = tuple(BANK)
    assert pick_next(old, set(), random.Random(1), topics=("cv",)) is not None
    reloaded = tuple(q(x.id, ("cv",), ready=x.id != "q1") for x in BANK if x.id != "q3")
    picked = run_cycle(reloaded, set(), random.Random(1), topics=("cv",))
    assert sorted(picked) == sorted(x.id for x in BANK if x.id not in ("q1", "q3"))


def verdict(coverage: float, passed: bool) -> Verdict:
    return Verdict("x", coverage, round(coverage * 10), passed)


def test_only_a_first_attempt_without_peeking_earns_points() -> None:
    good = verdict(0.8, True)
    assert awarded_points(good, peeked=False, first=True) == 8
    assert awarded_points(good, peeked=True, first=True) == 0
    assert awarded_points(good, peeked=False, first=False) == 0


def test_streak_counts_consecutive_answered_posts_and_skips_the_open_one() -> None:
    assert streak([True, True, False, True], latest_open=False) == 2
    assert streak([False, True, True], latest_open=True) == 2
    assert streak([False, True, True], latest_open=False) == 0
    assert streak([], latest_open=False) == 0


def test_ties_share_a_rank() -> None:
    standings = rank([(1, "a", 10, 1), (2, "b", 30, 3), (3, "c", 10, 2), (4, "d", 5, 1)])
    assert [(s.user_id, s.rank) for s in standings] == [(2, 1), (3, 2), (1, 2), (4, 4)]


def test_review_ratings() -> None:
    assert (
        review_rating(verdict(1.0, True), Kind.OPEN, peeked=True, pass_mark=0.6)
        is ReviewRating.AGAIN
    )
    assert (
        review_rating(verdict(0.4, False), Kind.OPEN, peeked=False, pass_mark=0.6)
        is ReviewRating.AGAIN
    )
    assert (
        review_rating(verdict(0.6, True), Kind.OPEN, peeked=False, pass_mark=0.6)
        is ReviewRating.HARD
    )
    assert (
        review_rating(verdict(0.8, True), Kind.OPEN, peeked=False, pass_mark=0.6)
        is ReviewRating.GOOD
    )
    assert (
        review_rating(verdict(1.0, True), Kind.OPEN, peeked=False, pass_mark=0.6)
        is ReviewRating.EASY
    )
    assert (
        review_rating(verdict(1.0, True), Kind.SHORT, peeked=False, pass_mark=0.6)
        is ReviewRating.GOOD
    )
