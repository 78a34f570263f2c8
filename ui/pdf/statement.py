"""A customer's monthly statement as PDF: the month's sessions (real time, the split inside and
outside business hours, the billed blocks and the balances that paid them), the contacts and
whether their guarantee was met, the compensation hours granted or revoked, and each balance at
the start and the end of the month. It is not an invoice, and says so at the foot of each page.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from app.domain.packs import PackKind
from app.domain.sla import GuaranteeOutcome
from app.domain.states import SessionState as SessionStatus
from app.i18n import (
    _,
    format_date,
    format_datetime,
    format_duration,
    format_minutes_as_hours,
    format_time,
    ngettext,
)
from app.services.labels import (
    channel_label,
    outcome_label,
    pack_kind_label,
    plan_label,
    reason_text,
    session_state_label,
)
from app.services.sessions import PackDraw, SessionRecord
from app.services.statements import Statement, StatementBalance, StatementContact
from ui.pdf.common import (
    Letterhead,
    PageParts,
    address_lines,
    field,
    lines_of,
    render_pdf,
    rows_html,
    text,
)

_NUM = "align='right' nowrap"
#: The statement's tables have more columns than an invoice's: a point smaller.
_GRID = "<table class='grid dense' width='100%' cellspacing='0' cellpadding='3'>"


def _small(value: str) -> str:
    return f"<span class='small muted'>{text(value)}</span>"


def _hours(minutes: int | None) -> str:
    """Minutes as ``1 h 30 min``; ``—`` for none."""
    return "—" if minutes is None else format_minutes_as_hours(minutes)


def _duration(delta: timedelta) -> str:
    return format_duration(delta)


def _table(header: list[tuple[str, str]], rows: str) -> str:
    cells = "".join(f"<th {attributes}>{text(title)}</th>" for title, attributes in header)
    return f"{_GRID}<thead><tr>{cells}</tr></thead><tbody>{rows}</tbody></table>"


def _section(title: str, content: str) -> str:
    # Qt drops a heading's top margin after a table: an empty line keeps the sections apart.
    return f"<p>&nbsp;</p><h2>{text(title)}</h2>{content}"


def _none(message: str) -> str:
    return f"<p class='muted'>{text(message)}</p>"


# --- the sessions -----------------------------------------------------------------------------


def _balance_name(statement: Statement, kind: PackKind, pack_id: int) -> str:
    """How a balance is called: ``Pack unitário n.º 3``, ``Pack mensal n.º 2 (março de 2025)``
    (a statement's monthly balances are all of its month)."""
    name = _("{kind} no. {id}").format(kind=pack_kind_label(kind), id=pack_id)
    if kind is PackKind.MONTHLY:
        return _("{name} ({month})").format(name=name, month=statement.month_text)
    return name


def _draws(statement: Statement, draws: tuple[PackDraw, ...]) -> str:
    parts = []
    for draw in draws:
        name = _balance_name(statement, draw.kind, draw.pack_id)
        amount = _hours(draw.minutes)
        line = (
            _("{balance}: {time} out of hours").format(balance=name, time=amount)
            if draw.outside
            else _("{balance}: {time}").format(balance=name, time=amount)
        )
        parts.append(text(line))
    return "<br>".join(parts) or "—"


def _when(statement: Statement, session: SessionRecord) -> str:
    start = format_datetime(session.started_at, statement.zone)
    if session.stopped_at is None:
        return text(start)
    end = format_time(session.stopped_at, statement.zone)
    return f"{text(start)}–{text(end)}"


def _who(session: SessionRecord) -> str:
    subject = (session.contact_subject or session.note or "").strip()
    parts = [text(session.technician_name)]
    if subject:
        parts.append(_small(subject))
    if session.recorded_by_hand:
        parts.append(_small(_("Recorded by hand")))
    if session.state is not SessionStatus.STOPPED:
        parts.append(_small(session_state_label(session.state)))
    elif session.flagged_for_review:
        parts.append(_small(_("Waiting for an administrator's review: not billed yet.")))
    return "<br>".join(parts)


def _session_row(statement: Statement, session: SessionRecord) -> list[tuple[str, str]]:
    raw = text(_duration(statement.raw_time(session)))
    billing = session.billing
    if billing is None:
        return [("", _when(statement, session)), ("", _who(session)), (_NUM, raw)] + [("", "—")] * 4
    split = f"{text(_duration(billing.inside))}<br>{text(_duration(billing.outside))}"
    billed = (
        f"{text(_hours(billing.inside_billed_minutes))}<br>"
        f"{text(_hours(billing.outside_billed_minutes))}"
    )
    uncovered = text(_hours(billing.uncovered_minutes))
    if billing.uncovered_minutes and session.invoice_number:
        uncovered += "<br>" + _small(session.invoice_number)
    return [
        ("", _when(statement, session)),
        ("", _who(session)),
        (_NUM, raw),
        (_NUM, split),
        (_NUM, billed),
        ("", _draws(statement, billing.draws)),
        (_NUM, uncovered),
    ]


def _sessions_html(statement: Statement) -> str:
    if not statement.sessions:
        return _none(_("No sessions this month."))
    header = [
        (_("Date"), "align='left' width='12%'"),
        (_("Technician and subject"), "align='left' width='20%'"),
        (_("Real time"), "align='right' width='10%'"),
        (_("Inside / outside hours"), "align='right' width='11%'"),
        (_("Billed (blocks)"), "align='right' width='10%'"),
        (_("Paid by"), "align='left' width='25%'"),
        (_("Not covered"), "align='right' width='12%'"),
    ]
    rows = rows_html(_session_row(statement, session) for session in statement.sessions)
    total = [
        ("class='strong'", text(_("Total"))),
        ("", ""),
        (_NUM + " class='strong'", text(_duration(statement.total_raw_time))),
        ("", ""),
        (_NUM + " class='strong'", text(_hours(statement.total_billed_minutes))),
        ("class='strong'", text(_hours(statement.total_covered_minutes))),
        (_NUM + " class='strong'", text(_hours(statement.total_uncovered_minutes))),
    ]
    return _table(header, rows + rows_html([total]))


# --- the contacts -----------------------------------------------------------------------------


def _outcome(contact: StatementContact) -> str:
    shown = text(outcome_label(contact.outcome))
    if contact.outcome is GuaranteeOutcome.MISSED and contact.granted_hours:
        grant = ngettext(
            "{count} hour of free support granted",
            "{count} hours of free support granted",
            contact.granted_hours,
        ).format(count=contact.granted_hours)
        if contact.grant_revoked:
            grant = _("{grant} (revoked)").format(grant=grant)
        shown += "<br>" + _small(grant)
    elif contact.outcome is GuaranteeOutcome.NONE:
        shown += "<br>" + _small(reason_text(contact.reason))
    return shown


def _contact_row(statement: Statement, contact: StatementContact) -> list[tuple[str, str]]:
    zone = statement.zone
    due = "—"
    if contact.deadline is not None:
        due = text(format_datetime(contact.deadline, zone))
    elif contact.target is not None:
        due = text(format_datetime(contact.target, zone)) + "<br>" + _small(_("indicative"))
    answered = (
        "—"
        if contact.first_response_at is None
        else text(format_datetime(contact.first_response_at, zone))
    )
    about = text(contact.subject) + "<br>" + _small(channel_label(contact.channel))
    return [
        ("nowrap", text(format_datetime(contact.received_at, zone))),
        ("", about),
        ("nowrap", due),
        ("nowrap", answered),
        ("", _outcome(contact)),
    ]


def _contacts_html(statement: Statement) -> str:
    if not statement.contacts:
        return _none(_("No contacts this month."))
    header = [
        (_("Received"), "align='left' width='16%'"),
        (_("Subject and channel"), "align='left' width='30%'"),
        (_("Deadline"), "align='left' width='16%'"),
        (_("First response"), "align='left' width='16%'"),
        (_("Guarantee"), "align='left' width='22%'"),
    ]
    rows = rows_html(_contact_row(statement, contact) for contact in statement.contacts)
    return _table(header, rows)


# --- compensations and balances ---------------------------------------------------------------


def _grants_html(statement: Statement) -> str:
    if not statement.grants:
        return _none(_("No free hours were granted or revoked this month."))
    zone = statement.zone
    rows = []
    for grant in statement.grants:
        state = text(_("Granted"))
        if grant.revoked_at is not None:
            state = text(_("Revoked on {date}").format(date=format_date(grant.revoked_at, zone)))
            if grant.revoke_reason:
                state += "<br>" + _small(grant.revoke_reason)
        rows.append(
            [
                ("nowrap", text(format_date(grant.granted_at, zone))),
                ("", text(grant.contact_subject)),
                (_NUM, text(_("{hours} h").format(hours=grant.hours))),
                ("", state),
            ]
        )
    header = [
        (_("Granted on"), "align='left' width='16%'"),
        (_("Contact whose guarantee was missed"), "align='left' width='44%'"),
        (_("Hours"), "align='right' width='10%'"),
        (_("State"), "align='left' width='30%'"),
    ]
    return _table(header, rows_html(rows))


def _validity(balance: StatementBalance) -> str:
    if balance.valid_until is None:
        return _("never expires")
    return _("until {date}").format(date=format_date(balance.valid_until))


def _balances_html(statement: Statement) -> str:
    if not statement.balances:
        return _none(_("No hour balances this month."))
    rows = [
        [
            ("", text(_balance_name(statement, b.kind, b.pack_id))),
            ("", text(_validity(b))),
            (_NUM, text(_hours(b.start))),
            (_NUM, text(_hours(b.end))),
        ]
        for b in statement.balances
    ]
    start_total = statement.balances_at_start
    end_total = statement.balances_at_end
    rows.append(
        [
            ("class='strong'", text(_("Total"))),
            ("", ""),
            (_NUM + " class='strong'", text(_hours(start_total))),
            (_NUM + " class='strong'", text(_hours(end_total))),
        ]
    )
    end_caption = (
        _("End of the month")
        if statement.month_over
        else _("On {date}").format(date=format_date(statement.ends_at, statement.zone))
    )
    header = [
        (_("Balance"), "align='left' width='46%'"),
        (_("Valid"), "align='left' width='22%'"),
        (_("Start of the month"), "align='right' width='16%'"),
        (end_caption, "align='right' width='16%'"),
    ]
    return _table(header, rows_html(rows))


# --- the document -----------------------------------------------------------------------------


def _summary_html(statement: Statement) -> str:
    met = statement.guarantees_met
    missed = statement.guarantees_missed
    facts = [
        (_("Sessions"), str(len(statement.sessions))),
        (_("Real time"), _duration(statement.total_raw_time)),
        (_("Billed time"), _hours(statement.total_billed_minutes)),
        (_("Paid by packs"), _hours(statement.total_covered_minutes)),
        (_("Not covered by packs"), _hours(statement.total_uncovered_minutes)),
        (_("Contacts"), str(len(statement.contacts))),
        (_("Guarantee met"), str(met)),
        (_("Guarantee missed"), str(missed)),
        (_("Free hours granted"), _("{hours} h").format(hours=statement.granted_hours)),
    ]
    if statement.revoked_hours:
        facts.append(
            (_("Free hours revoked"), _("{hours} h").format(hours=statement.revoked_hours))
        )
    rows = rows_html(
        [("class='caption'", text(caption)), (_NUM, text(value))] for caption, value in facts
    )
    return f"<table width='100%' cellspacing='0' cellpadding='2'>{rows}</table>"


def _customer_html(statement: Statement) -> str:
    customer = statement.customer
    lines = address_lines(customer.address, customer.postcode, customer.city, customer.country)
    caption = text(_("Customer"))
    nif = text(_("NIF: {nif}").format(nif=customer.nif_text))
    plan = text(_("Plan: {plan}").format(plan=plan_label(statement.plan)))
    return (
        f"<p class='caption'>{caption}</p>"
        f"<p class='big'>{text(customer.name)}</p>"
        f"<p>{lines_of(*lines)}</p>"
        f"<p>{nif}</p>"
        f"<p>{plan}</p>"
    )


def statement_html(statement: Statement) -> str:
    """The body of the PDF below the letterhead."""
    return (
        "<table width='100%' cellspacing='0' cellpadding='0'><tr>"
        f"<td width='52%'>{_customer_html(statement)}</td><td width='6%'></td>"
        f"<td width='42%'>{_summary_html(statement)}</td>"
        "</tr></table>"
        + _section(_("Sessions"), _sessions_html(statement))
        + _section(_("Contacts"), _contacts_html(statement))
        + _section(_("Free hours for missed guarantees"), _grants_html(statement))
        + _section(_("Hour balances"), _balances_html(statement))
    )


def _letterhead(statement: Statement) -> Letterhead:
    company = statement.company
    company_lines = [
        *address_lines(company.address, company.postcode, company.city, company.country),
        _("NIF: {nif}").format(nif=company.nif_text),
        *(value for value in (statement.company_email, statement.company_phone) if value),
    ]
    last_day = statement.ends_at - timedelta(microseconds=1)
    return Letterhead(
        company_name=company.name,
        company_lines=tuple(company_lines),
        title=_("Monthly statement"),
        number=statement.month_text,
        facts=(
            (
                _("Period"),
                _("{start} to {end}").format(
                    start=format_date(statement.starts_at, statement.zone),
                    end=format_date(last_day, statement.zone),
                ),
            ),
            (_("Made on"), format_date(statement.made_at, statement.zone)),
        ),
    )


def write_statement_pdf(statement: Statement, path: Path) -> None:
    """Writes the customer's monthly statement as an A4 PDF/A-1b at ``path``. Needs a
    ``QGuiApplication`` (``ensure_gui_application``), no window. ``OSError`` when ``path``
    cannot be written."""
    heading = _("Statement of {month}").format(month=statement.month_text)
    render_pdf(
        path,
        title=f"{heading} · {statement.customer.name}",
        author=statement.company.name,
        head=_letterhead(statement),
        parts=PageParts(
            running_left=f"{field(statement.company.name)} · {heading}",
            running_right=field(statement.customer.name),
            notice=_("This statement is not an invoice."),
        ),
        body_html=statement_html(statement),
    )
