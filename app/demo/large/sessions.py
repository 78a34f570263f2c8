"""Sessions in the large build: timed by the technicians' rota, billed and paid from the packs.

As the session service does: a session past the company's review limit is flagged, not billed
(``needs_review``); otherwise it is billed by ``bill`` with the customer's blocks (P11–P13),
this month's allotment is recorded first, and ``allocate`` says which balances pay how much
(P16a); a session whose end is corrected has its draws reversed and is billed again.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.demo import data
from app.demo.large.contacts import Answered
from app.demo.large.packs import Packs
from app.demo.large.rows import (
    INSIDE_BILLED,
    INSIDE_SECONDS,
    OUTSIDE_BILLED,
    OUTSIDE_SECONDS,
    RATE_INSIDE,
    RATE_OUTSIDE,
    UNCOVERED_INSIDE,
    UNCOVERED_OUTSIDE,
    Account,
    SessionRecord,
)
from app.demo.large.world import MINUTE, OpenHours, Schedule, World
from app.domain.billing import bill, needs_review
from app.domain.packs import PackKind, allocate, first_live_month
from app.domain.sla import Plan
from app.domain.states import LedgerKind, SessionState
from app.i18n import _
from app.store.models import Session, SessionInterval

_DURATIONS = (10, 15, 20, 25, 30, 30, 40, 45, 45, 60, 60, 75, 90, 120)
_SECOND = timedelta(seconds=1)
Intervals = list[tuple[datetime, datetime]]
#: A draw written: (entry, pack, minutes, month, outside).
Written = tuple[int, int, int, date | None, bool]


class Sessions:
    def __init__(self, world: World, packs: Packs) -> None:
        self.world = world
        self.packs = packs
        #: Sessions written since the last invoices, waiting for them.
        self.records: list[SessionRecord] = []
        self.review_limit = timedelta(hours=world.company.session_review_hours)

    def month(
        self,
        index: int,
        count: int,
        hours: OpenHours,
        answered: list[Answered],
        pick: Callable[[int], Account],
        *,
        next_start: datetime,
        at: Schedule,
    ) -> None:
        """``count`` sessions of the month, most following a contact answered."""
        world = self.world
        rng = world.rng
        wanted: list[tuple[datetime, Account, int | None, str]] = []
        # About 2 % cannot be written (they would run into the next month, or past now).
        for _number in range(round(count * 1.02)):
            if answered and rng.random() < 0.6:
                contact = rng.choice(answered)
                start = contact.responded + timedelta(minutes=rng.randrange(2, 90))
                if contact.account.plan is not Plan.PRIORITY_24_7:
                    start = world.calendar.next_opening(start)
                wanted.append((start, contact.account, contact.id, contact.subject))
            else:
                wanted.append((hours.instant(rng), pick(index), None, rng.choice(data.SUBJECTS)))
        wanted.sort(key=lambda item: item[0])
        for start, account, linked, subject in wanted:
            self._session(account, linked, subject, start, next_start=next_start, at=at)

    def _session(
        self,
        account: Account,
        contact_id: int | None,
        subject: str,
        start: datetime,
        *,
        next_start: datetime,
        at: Schedule,
    ) -> None:
        world = self.world
        rng = world.rng
        calendar = world.calendar
        minutes = timedelta(minutes=rng.choice(_DURATIONS))
        left_running = rng.random() < 0.0002
        if left_running:  # a timer left running overnight
            minutes = timedelta(hours=rng.uniform(10.5, 16))
        elif account.plan is not Plan.PRIORITY_24_7:
            for _attempt in range(3):  # work fits in the business hours (P4), mostly
                if calendar.between(start, start + minutes) == minutes:
                    break
                start = calendar.next_opening(start + timedelta(hours=1))
        free_at, technician = heapq.heappop(world.rota)
        start = max(start.astimezone(UTC), free_at + 5 * MINUTE).replace(microsecond=0)
        intervals = [(start, start + minutes)]
        if not left_running and minutes >= timedelta(minutes=40) and rng.random() < 0.1:
            pause = timedelta(minutes=rng.randrange(10, 31))
            half = start + minutes / 2
            intervals = [(start, half), (half + pause, start + minutes + pause)]
        stop = intervals[-1][1]
        flagged = needs_review(intervals, self.review_limit)
        state = SessionState.DISCARDED if rng.random() < 0.003 else SessionState.STOPPED
        # 1 in 100: the timer was stopped 20–60 minutes late, and the end corrected just after.
        typed_stop = stop
        if state is SessionState.STOPPED and not flagged and rng.random() < 0.01:
            typed_stop = stop + timedelta(minutes=rng.randrange(20, 61))
        fixed_at = typed_stop + 10 * MINUTE
        heapq.heappush(world.rota, (typed_stop, technician))
        if not (fixed_at < next_start and world.before_end(fixed_at + MINUTE)):
            return  # no session runs into the next month, nor is left running now
        session_id = world.writer.new_id(Session)
        # Invoiced time names the contact's subject, else the session's note (as the invoice
        # service words it): a session for no contact says what it was about in its note.
        note = subject if contact_id is None else ""
        row: list[Any] = [
            session_id, account.id, contact_id, technician, state, start, stop, note, flagged,
            None, None, None, None, None, None, None, None, None,
        ]  # fmt: skip
        for begun, ended in intervals:
            world.writer.add(
                SessionInterval, (world.writer.new_id(SessionInterval), session_id, begun, ended)
            )
        session = SessionRecord(row, account.id, start, technician, subject)
        self.records.append(session)
        if state is not SessionState.STOPPED or flagged:
            return
        if typed_stop == stop:
            at(stop, self._billing(account, session, intervals, contact_id))
            return
        typed = [*intervals[:-1], (intervals[-1][0], typed_stop)]
        drawn: list[Written] = []
        at(typed_stop, self._billing(account, session, typed, contact_id, drawn))
        at(fixed_at, self._correction(account, session, intervals, contact_id, drawn))

    def _billing(
        self,
        account: Account,
        session: SessionRecord,
        intervals: Intervals,
        contact_id: int | None,
        drawn: list[Written] | None = None,
    ) -> Callable[[], None]:
        def stop() -> None:
            written = self._draw(account, session, intervals, contact_id)
            if drawn is not None:
                drawn.extend(written)

        return stop

    def _correction(
        self,
        account: Account,
        session: SessionRecord,
        intervals: Intervals,
        contact_id: int | None,
        drawn: list[Written],
    ) -> Callable[[], None]:
        """The session's times corrected: its draws reversed, then billed again (P16a)."""

        def correct() -> None:
            world = self.world
            fixed_at = world.clock.now()
            for entry_id, pack_id, minutes, month, outside in drawn:
                world.entry(
                    account.id, pack_id, LedgerKind.CORRECTION, minutes, fixed_at, month=month,
                    outside=outside, session=session.id, contact=contact_id, reverses=entry_id,
                    reason=_("The session's times were changed."), by=session.technician,
                )  # fmt: skip
                key = (pack_id, month)
                if key in account.balances:
                    self.packs.move(account, key, minutes)
                else:  # lapsed meanwhile: the sweep expires what was given back
                    world.entry(
                        account.id, pack_id, LedgerKind.EXPIRY, -minutes, fixed_at, month=month
                    )
            self._draw(account, session, intervals, contact_id)

        return correct

    def _draw(
        self,
        account: Account,
        session: SessionRecord,
        intervals: Intervals,
        contact_id: int | None,
    ) -> list[Written]:
        """Bills the session (P11–P13) and pays it from the balances (P16a); the draws."""
        world = self.world
        at = world.clock.now()
        billed = bill(intervals, world.calendar, account.inside_block, account.outside_block)
        inside = billed.inside_billed // MINUTE
        outside = billed.outside_billed // MINUTE
        on = world.local_day(session.started_at)
        self.packs.allot_before_draw(account, world.local_day(at), at)
        allocation = allocate(inside, outside, account.balances.values(), on)
        month = first_live_month(on)
        written = []
        for draw in allocation.draws:
            key = (draw.key, month if draw.kind is PackKind.MONTHLY else None)
            self.packs.move(account, key, -draw.minutes)
            entry_id = world.entry(
                account.id, draw.key, LedgerKind.CONSUMPTION, -draw.minutes, at, month=key[1],
                outside=draw.outside, session=session.id, contact=contact_id,
                by=session.technician,
            )  # fmt: skip
            written.append((entry_id, draw.key, draw.minutes, key[1], draw.outside))
        row = session.row
        row[INSIDE_SECONDS] = billed.inside // _SECOND
        row[OUTSIDE_SECONDS] = billed.outside // _SECOND
        row[INSIDE_BILLED], row[OUTSIDE_BILLED] = inside, outside
        row[UNCOVERED_INSIDE] = allocation.uncovered_inside
        row[UNCOVERED_OUTSIDE] = allocation.uncovered_outside
        row[RATE_INSIDE], row[RATE_OUTSIDE] = account.rate_inside, account.rate_outside
        return written
