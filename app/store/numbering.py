"""Invoice numbers: an unbroken sequence per series and year (P20), safe with many desks."""

from __future__ import annotations

from app.store.database import current_database
from app.store.models import InvoiceCounter


def next_invoice_number(series: str, year: int) -> int:
    """The next number of ``series`` in ``year``: 1, 2, 3… with no gap and no repeat.

    Call it inside the ``write_transaction()`` that issues the invoice. The increment locks the
    counter's row until that transaction ends, so desks issuing at the same moment queue one
    behind the other; if the transaction rolls back, the number is given back with it.
    """
    if not current_database().in_transaction():
        raise RuntimeError("next_invoice_number() must run inside write_transaction()")
    # The year's first invoice creates the counter; a concurrent desk's insert is ignored.
    InvoiceCounter.insert(series=series, year=year, last_number=0).on_conflict_ignore().execute()
    (
        InvoiceCounter.update(last_number=InvoiceCounter.last_number + 1)
        .where((InvoiceCounter.series == series) & (InvoiceCounter.year == year))
        .execute()
    )
    number: int = (
        InvoiceCounter.select(InvoiceCounter.last_number)
        .where((InvoiceCounter.series == series) & (InvoiceCounter.year == year))
        .scalar()
    )
    return number
