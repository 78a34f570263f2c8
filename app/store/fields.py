"""Column types that keep the program's invariants on both SQLite and PostgreSQL.

- ``UTCDateTimeField``: an instant. Naive datetimes are refused on write; reads are aware, in UTC.
- ``MoneyField``, ``RateField``, ``QuantityField``: a ``Decimal`` stored as a whole number of
  cents (or ten-thousandths). SQLite has no decimal type and would keep a float; integers are exact
  on both backends, in sums too. A value with more decimals than the column holds is refused, never
  rounded here: round it where the rule says how (``invoice.round_cents``). Sums in SQL come back
  as ``Decimal`` with ``fn.SUM(Invoice.net).coerce(True)`` (peewee leaves SUM raw by default).
- ``EnumField``: a ``StrEnum`` stored as its value, read back as the member.
- ``OpeningHoursField``, ``WeeklyHoursField``, ``StringListField``: small structures kept as JSON
  text, in the shapes ``BusinessCalendar`` takes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar, overload

from peewee import Database, Proxy, SqliteDatabase

_V = TypeVar("_V")
_E = TypeVar("_E", bound=StrEnum)

#: A day's opening intervals, ``[(open, close), …]``.
Hours = list[tuple[time, time]]
#: The weekly schedule, ``{weekday: hours}``, Monday = 0.
WeeklyHours = dict[int, Hours]

if TYPE_CHECKING:
    from peewee import Field as _Field
else:
    from peewee import Field

    class _Field(Field, Generic[_V]):
        """peewee's fields are generic in its type stubs only; this makes them so at run time."""


# SQLite keeps instants as fixed-width UTC text, so that text order is time order.
_SQLITE_INSTANT = "%Y-%m-%d %H:%M:%S.%f"


def instant_to_database(value: datetime, database: Database | None) -> datetime | str:
    """An aware instant as ``database`` stores it; a naive one is refused (``ValueError``)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime: instants must be timezone-aware, got {value}")
    utc = value.astimezone(UTC)
    return utc.strftime(_SQLITE_INSTANT) if isinstance(database, SqliteDatabase) else utc


class UTCDateTimeField(_Field[_V]):
    """An instant, stored in UTC: ``timestamptz`` on PostgreSQL, fixed-width UTC text on SQLite."""

    field_type = "TIMESTAMPTZ"

    if TYPE_CHECKING:

        @overload
        def __new__(
            cls, *, null: Literal[True], **kwargs: Any
        ) -> UTCDateTimeField[datetime | None]: ...
        @overload
        def __new__(
            cls, *, null: Literal[False] = ..., **kwargs: Any
        ) -> UTCDateTimeField[datetime]: ...
        def __new__(cls, *, null: bool = False, **kwargs: Any) -> UTCDateTimeField[Any]: ...

    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"{self.name}: an instant must be a datetime, not {value!r}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime: {self.name} must be timezone-aware, got {value}")
        database = self.model._meta.database
        if isinstance(database, Proxy):
            database = database.obj
        return instant_to_database(value, database)

    def python_value(self, value: Any) -> datetime | None:
        if value is None:
            return None
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
        if not isinstance(parsed, datetime):
            raise TypeError(f"{self.name}: the database returned {value!r} for an instant")
        if parsed.tzinfo is None:  # SQLite's text is UTC by construction
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)


class FixedPointField(_Field[_V]):
    """A ``Decimal`` with ``places`` decimals, stored exactly as an integer of 10**-places."""

    field_type = "BIGINT"
    places: ClassVar[int]

    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, Decimal | int):
            # A float would carry binary noise into the books.
            raise TypeError(f"{self.name}: expected a Decimal, not {value!r}")
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(f"{self.name}: {value} is not a finite amount")
        scaled = Decimal(value).scaleb(self.places)
        if scaled != scaled.to_integral_value():
            raise ValueError(
                f"{self.name}: {value} has more than {self.places} decimal places; round it first"
            )
        return int(scaled)

    def python_value(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        # int from the column; Decimal from PostgreSQL's SUM(); both exact.
        return Decimal(value).scaleb(-self.places)


class MoneyField(FixedPointField[_V]):
    """Euros with cents: 12.34 is stored as 1234."""

    places = 2

    if TYPE_CHECKING:

        @overload
        def __new__(cls, *, null: Literal[True], **kwargs: Any) -> MoneyField[Decimal | None]: ...
        @overload
        def __new__(cls, *, null: Literal[False] = ..., **kwargs: Any) -> MoneyField[Decimal]: ...
        def __new__(cls, *, null: bool = False, **kwargs: Any) -> MoneyField[Any]: ...


class RateField(FixedPointField[_V]):
    """A rate such as VAT, 0.2300 stored as 2300."""

    places = 4

    if TYPE_CHECKING:

        @overload
        def __new__(cls, *, null: Literal[True], **kwargs: Any) -> RateField[Decimal | None]: ...
        @overload
        def __new__(cls, *, null: Literal[False] = ..., **kwargs: Any) -> RateField[Decimal]: ...
        def __new__(cls, *, null: bool = False, **kwargs: Any) -> RateField[Any]: ...


class QuantityField(FixedPointField[_V]):
    """An invoice quantity (hours or units) with up to four decimals."""

    places = 4

    if TYPE_CHECKING:

        @overload
        def __new__(
            cls, *, null: Literal[True], **kwargs: Any
        ) -> QuantityField[Decimal | None]: ...
        @overload
        def __new__(
            cls, *, null: Literal[False] = ..., **kwargs: Any
        ) -> QuantityField[Decimal]: ...
        def __new__(cls, *, null: bool = False, **kwargs: Any) -> QuantityField[Any]: ...


class EnumField(_Field[_V]):
    """A ``StrEnum`` member, stored as its value (up to 32 characters)."""

    field_type = "VARCHAR"
    enum: type[StrEnum]

    if TYPE_CHECKING:
        # The constructor's types, as peewee's stubs declare them (run-time __init__ below).
        @overload
        def __new__(
            cls, enum: type[_E], *, null: Literal[True], **kwargs: Any
        ) -> EnumField[_E | None]: ...
        @overload
        def __new__(
            cls, enum: type[_E], *, null: Literal[False] = ..., **kwargs: Any
        ) -> EnumField[_E]: ...
        def __new__(
            cls, enum: type[_E], *, null: bool = False, **kwargs: Any
        ) -> EnumField[Any]: ...

    else:

        def __init__(self, enum, **kwargs):
            self.enum = enum
            kwargs.setdefault("choices", [(member.value, member.name) for member in enum])
            super().__init__(**kwargs)

    def get_modifiers(self) -> list[int]:
        return [32]

    def db_value(self, value: Any) -> Any:
        return None if value is None else self.enum(value).value

    def python_value(self, value: Any) -> StrEnum | None:
        return None if value is None else self.enum(value)


def _hours_to_json(hours: Iterable[tuple[time, time]]) -> list[list[str]]:
    return [[opening.isoformat(), closing.isoformat()] for opening, closing in hours]


def _hours_from_json(rows: list[list[str]]) -> Hours:
    return [(time.fromisoformat(opening), time.fromisoformat(closing)) for opening, closing in rows]


class OpeningHoursField(_Field[_V]):
    """One day's opening intervals as JSON text; ``[]`` is a closed day."""

    field_type = "TEXT"

    if TYPE_CHECKING:

        def __new__(
            cls, *, null: Literal[False] = ..., **kwargs: Any
        ) -> OpeningHoursField[Hours]: ...

    def db_value(self, value: Any) -> Any:
        return None if value is None else json.dumps(_hours_to_json(value))

    def python_value(self, value: Any) -> Hours | None:
        return None if value is None else _hours_from_json(json.loads(value))


class WeeklyHoursField(_Field[_V]):
    """The weekly schedule ``{weekday: [(open, close), …]}`` as JSON text."""

    field_type = "TEXT"

    if TYPE_CHECKING:

        def __new__(
            cls, *, null: Literal[False] = ..., **kwargs: Any
        ) -> WeeklyHoursField[WeeklyHours]: ...

    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        weekly: Mapping[int, Iterable[tuple[time, time]]] = value
        return json.dumps(
            {str(day): _hours_to_json(hours) for day, hours in sorted(weekly.items())}
        )

    def python_value(self, value: Any) -> WeeklyHours | None:
        if value is None:
            return None
        return {int(day): _hours_from_json(rows) for day, rows in json.loads(value).items()}


class StringListField(_Field[_V]):
    """A short list of strings (keys, codes) as JSON text."""

    field_type = "TEXT"

    if TYPE_CHECKING:

        def __new__(
            cls, *, null: Literal[False] = ..., **kwargs: Any
        ) -> StringListField[list[str]]: ...

    def db_value(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            raise TypeError(f"{self.name}: expected a list of strings, not the string {value!r}")
        return json.dumps([str(item) for item in value])

    def python_value(self, value: Any) -> list[str] | None:
        return None if value is None else [str(item) for item in json.loads(value)]
