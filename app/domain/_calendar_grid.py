"""A grid over a business calendar's table, for answering whole-second questions by list index.

``BusinessCalendar`` keeps its opening intervals in a flat table (UTC microseconds, with running
totals of open time) and answers with binary searches. On the hot path of every deadline that
costs more than the answer is worth, so this module lays a grid of fixed-width buckets over the
same table, in whole seconds:

- ``forward[k]`` says how open time grows over the real-time bucket ``k`` (the instants
  ``origin + k * width`` up to ``width`` seconds later): ``x >= 0`` when the whole bucket lies in
  one opening interval (open time at instant ``t`` is then ``t - x``), ``~c`` (negative) when the
  whole bucket is closed (open time is ``c`` throughout), None when a boundary falls inside it.
- ``backward[q]`` answers the inverse for open time in ``(q * width, (q + 1) * width]``, when that
  stretch lies in one interval: the instant at open time ``q * width + 1``, as a datetime whose
  fields are the UTC time but whose tzinfo is the calendar's zone (what ``tzinfo.fromutc`` takes);
  None otherwise.

Open time is continuous, so an instant on a bucket's edge gets the same answer from either side.
Every None, and anything outside the grid, sends the caller to the table's exact path; so does any
instant or duration with a fraction of a second. The grid is built only when every boundary of
the table is a whole second, so its integer arithmetic is the table's, to the microsecond.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cache
from math import gcd

_SECOND = 1_000_000  # microseconds
_HOUR = 3600
# Buckets narrower than this would make the lists too long for a few years of table: calendars
# whose boundaries are not all on a quarter-hour grid keep one-hour buckets, and take the exact
# path in the buckets a boundary falls inside.
_NARROWEST = 900
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


#: ``(origin, width, forward, backward, steps, fromutc)``, a plain tuple for the caller to unpack
#: at once: origin, the second since the epoch bucket 0 of ``forward`` starts at; width, the
#: seconds per bucket (it divides an hour); steps[s] == timedelta(seconds=s) for s < width, so that
#: the hot path builds no timedelta; fromutc, the zone's: ``fromutc(backward[q] + steps[s])`` is
#: the instant's local datetime as ``astimezone`` and ``fromtimestamp`` make it (they call fromutc).
Grid = tuple[
    int,
    int,
    list[int | None],
    list[datetime | None],
    list[timedelta],
    Callable[[datetime], datetime],
]


@cache
def _steps(width: int) -> list[timedelta]:
    return [timedelta(seconds=s) for s in range(width)]


def build_grid(
    zone: tzinfo,
    covered_from: int,
    covered_to: int,
    *,
    starts: list[int],
    ends: list[int],
    open_before: list[int],
) -> Grid | None:
    """The grid for instants in ``[covered_from, covered_to)`` (UTC microseconds, on whole hours),
    where the table ``starts``/``ends``/``open_before`` is complete; None when the table has a
    boundary that is not a whole second."""
    if covered_to <= covered_from or covered_from % (_HOUR * _SECOND):
        return None
    if any(micros % _SECOND for micros in starts) or any(micros % _SECOND for micros in ends):
        return None
    origin = covered_from // _SECOND
    start_s = [micros // _SECOND for micros in starts]
    end_s = [micros // _SECOND for micros in ends]
    before_s = [micros // _SECOND for micros in open_before]
    width = _HOUR
    for boundary in (*start_s, *end_s):
        width = gcd(width, boundary - origin)
    if width < _NARROWEST:
        width = _HOUR
    forward: list[int | None] = [None] * ((covered_to // _SECOND - origin) // width)

    def fill(first: int, last: int, value: int) -> None:
        """Gives ``value`` to the buckets wholly inside ``[first, last]`` (seconds)."""
        k0 = max(-((origin - first) // width), 0)  # ceiling division
        k1 = min((last - origin) // width, len(forward))
        if k1 > k0:
            forward[k0:k1] = [value] * (k1 - k0)

    closed_until = origin
    total = 0
    for start, end, before in zip(start_s, end_s, before_s, strict=True):
        fill(closed_until, start, ~before)
        fill(start, end, start - before)
        closed_until, total = end, before + end - start
    fill(closed_until, origin + len(forward) * width, ~total)

    backward: list[datetime | None] = [None] * (total // width)
    steps = _steps(width)
    for start, end, before in zip(start_s, end_s, before_s, strict=True):
        q0 = -(-before // width)  # the first bucket (q * width, (q + 1) * width] inside
        q1 = (before + end - start) // width
        if q1 <= q0:
            continue
        first = (_EPOCH + timedelta(seconds=q0 * width + 1 + start - before)).replace(tzinfo=zone)
        step = timedelta(seconds=width)
        backward[q0:q1] = [first + step * n for n in range(q1 - q0)]
    return origin, width, forward, backward, steps, zone.fromutc
