"""Private practice: spaced repetition brings missed questions back first."""

from __future__ import annotations

from bot.quiz.model import Question
from bot.quiz.records import PRACTICE, NewPost, Person, Place
from bot.quiz.selection import eligible
from bot.quiz.service.base import NoQuestion, ServiceBase
from bot.quiz.service.results import PracticeQuestion

DUE_CARDS_READ = 50


class PracticeUseCases(ServiceBase):
    """`/quiz` in a private chat."""

    async def practice(self, place: Place, person: Person) -> PracticeQuestion:
        """Next practice question: a due review first, else a new one, else any; the person is
        now on it. One transaction."""
        now = self.clock.now()
        async with self.db.transaction() as tx:
            chat = await self.ensure_chat(tx, place, person)
            user = await tx.users.ensure(person)
            ready = {q.id: q for q in eligible(self.bank.questions, chat.topics, chat.difficulties)}
            ready = ready or {q.id: q for q in self.bank.ready()}
            if not ready:
                raise NoQuestion("the bank has no ready question")
            question: Question | None = None
            review = False
            for card in await tx.cards.due(user.id, now, DUE_CARDS_READ):
                if card.question_id in ready:
                    question, review = ready[card.question_id], True
                    break
            if question is None:
                carded = await tx.cards.carded(user.id)
                fresh = [q for q in ready.values() if q.id not in carded]
                pool = fresh or list(ready.values())
                question = self.rng.choice(sorted(pool, key=lambda q: q.id))
            post = await tx.posts.create(NewPost(chat.id, question.id, now, PRACTICE, now, None))
            if post is None:
                raise NoQuestion("a practice question was just asked")
            await tx.users.set_focus(user.id, post.id)
        return PracticeQuestion(question, post, review)
