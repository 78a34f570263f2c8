"""Customers in the large build: names, NIFs, senders, plans, contracts and subscriptions.

Blocks and rates come from the contract as the session service reads them
(``effective_blocks``, ``effective_rates``, P18); emails and phones are registered normalised as
the customer service does (``normalize_email``, ``normalize_phone``, P9).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from itertools import accumulate

from app.demo import data
from app.demo.large.packs import MONTHLY_PACKS
from app.demo.large.rows import Account, Subscription
from app.demo.large.world import DAY, World
from app.domain.contract import NO_CONTRACT, ContractTerms, effective_blocks, effective_rates
from app.domain.sla import Plan
from app.domain.validation import normalize_email, normalize_phone
from app.i18n import _
from app.store.models import Customer, CustomerEmail, CustomerPhone

_PLANS: tuple[Plan, ...] = (
    (Plan.NONE,) * 30 + (Plan.STANDARD,) * 35 + (Plan.PRIORITY,) * 25 + (Plan.PRIORITY_24_7,) * 10
)
#: P18: a few priority customers have a contract with their own terms.
_CONTRACT = ContractTerms(
    business_response=timedelta(hours=2),
    compensation_hours=2,
    inside_block=timedelta(minutes=10),
    rate_inside=Decimal("40.00"),
)


def make_customers(world: World) -> list[float]:
    """Writes the customers; returns their cumulative weights (how often each calls)."""
    world.progress(_("{count} customers…").format(count=world.size.customers))
    created = world.local(world.first_month, time(9)) - timedelta(days=30)
    for _number in range(world.size.customers):
        _make_customer(world, world.rng.choice(_PLANS), created)
    return list(accumulate(account.weight for account in world.accounts))


def _make_customer(world: World, plan: Plan, created: datetime) -> None:
    rng = world.rng
    writer = world.writer
    customer_id = writer.new_id(Customer)
    company = rng.random() < 0.6
    first, surname = rng.choice(data.FIRST_NAMES), rng.choice(data.SURNAMES)
    if company:
        business = rng.choice(data.BUSINESSES)
        name = f"{business} {rng.choice(data.BUSINESS_NAMES)}{rng.choice(data.COMPANY_FORMS)}"
        shop = data.slug(name.split(",", maxsplit=1)[0])[-12:]
        domain = f"{data.slug(business)[:12]}{shop}{customer_id}.pt"
        emails = [f"geral@{domain}", f"{data.slug(first)}@{domain}"]
    else:
        name = f"{first} {rng.choice(data.SURNAMES)} {surname}"
        mailbox = rng.choice(("gmail.com", "sapo.pt", "outlook.pt", "hotmail.com"))
        emails = [f"{data.slug(first)}.{data.slug(surname)}{customer_id}@{mailbox}"]
    city, postcode_prefix, area = rng.choice(data.CITIES)
    # Numbers derived from the id, so that no two customers share one (91, 93, 96: the unknown
    # senders use 92).
    mobile = f"9{'136'[customer_id % 3]}{(customer_id * 7919 + 13) % 10**7:07d}"
    numbers = [mobile]
    if company and area is not None:
        numbers.insert(0, f"{area}{(customer_id * 104_729 + 7) % 10**7:07d}")
    contract = NO_CONTRACT
    if plan in (Plan.PRIORITY, Plan.PRIORITY_24_7) and rng.random() < 0.02:
        contract = _CONTRACT
    nif = data.nif_from_digits(
        ("5" if company else "12"[customer_id % 2]) + f"{(customer_id * 7919) % 10**7:07d}"
    )
    address = f"{rng.choice(data.STREETS)}, {rng.randrange(1, 300)}"
    postcode = f"{postcode_prefix[:2]}{rng.randrange(10, 99)}-{rng.randrange(1000):03d}"
    months = world.size.months
    archived = rng.random() < 0.01
    settings = world.company
    inside_block, outside_block = effective_blocks(
        contract, settings.inside_block_minutes, settings.outside_block_minutes
    )
    rate_inside, rate_outside = effective_rates(
        contract, settings.rate_inside, settings.rate_outside
    )
    account = Account(
        id=customer_id,
        name=name,
        nif=nif,
        address=address,
        postcode=postcode,
        city=city,
        plan=plan,
        contract=contract,
        inside_block=inside_block,
        outside_block=outside_block,
        rate_inside=rate_inside,
        rate_outside=rate_outside,
        emails=[(_email_sender(world, first, mail), normalize_email(mail)) for mail in emails],
        phones=[(_phone_sender(number), normalize_phone(number)) for number in numbers],
        weight={Plan.NONE: 0.6, Plan.STANDARD: 1.0}.get(plan, 1.6) * rng.uniform(0.3, 1.7),
        active_until=rng.randrange(months // 2, months - 2) if archived else months,
        unit_buyer=plan is Plan.STANDARD or rng.random() < 0.25,
    )
    world.accounts.append(account)
    writer.add(
        Customer,
        (
            customer_id, name, nif, address, postcode, city, plan,
            None if plan is Plan.NONE else world.first_month - rng.randrange(900) * DAY,
            f"{rng.randrange(100, 999)} {rng.randrange(1000):03d} {rng.randrange(1000):03d}",
            archived, created,
            None if contract.business_response is None
            else contract.business_response // timedelta(minutes=1),
            contract.compensation_hours,
            None if contract.inside_block is None
            else contract.inside_block // timedelta(minutes=1),
            contract.rate_inside,
        ),
    )  # fmt: skip
    for _sender, normalised in account.emails:
        writer.add(CustomerEmail, (writer.new_id(CustomerEmail), customer_id, normalised, ""))
    for _sender, normalised in account.phones:
        writer.add(CustomerPhone, (writer.new_id(CustomerPhone), customer_id, normalised, ""))
    _subscribe(world, account)


def _email_sender(world: World, first: str, address: str) -> str:
    return f"{first} <{address}>" if world.rng.random() < 0.5 else address


def _phone_sender(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def _subscribe(world: World, account: Account) -> None:
    """P15: most priority customers, and some others, pay a monthly pack."""
    rng = world.rng
    share = {Plan.PRIORITY_24_7: 1.0, Plan.PRIORITY: 1.0, Plan.STANDARD: 0.8}
    if rng.random() >= share.get(account.plan, 0.35):
        return
    months = world.size.months
    first = 0 if rng.random() < 0.8 else rng.randrange(months)
    last = None
    if rng.random() < 0.12:
        last = rng.randrange(first, months)
    if account.active_until < months:  # archived: the subscription ended before
        if first > account.active_until:
            return
        last = min(last if last is not None else months, account.active_until)
    minutes, price = rng.choice(MONTHLY_PACKS)
    account.subscription = Subscription(
        minutes,
        Decimal(price),
        world.months[first],
        None if last is None else world.months[min(last, months - 1)],
    )
