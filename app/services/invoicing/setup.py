"""The company's certified invoicing program: settings, API key, and the adapter."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from app import credentials
from app.i18n import _
from app.invoicing.base import CertifiedProgram, NotConfigured
from app.invoicing.invoicexpress import NAME as INVOICEXPRESS
from app.invoicing.invoicexpress import InvoiceXpress, default_base_url
from app.services import changes
from app.services.changes import Changes, Topic
from app.services.context import Desk, use_case
from app.services.errors import InputError
from app.services.settings import require_admin
from app.store.legal_models import INVOICING_SETTINGS_ID, InvoicingSettings

PROVIDERS = (INVOICEXPRESS,)
#: The account's tax names (InvoiceXpress's defaults) per VAT rate (P21), until set otherwise.
DEFAULT_TAX_NAMES: dict[str, str] = {"0.23": "IVA23", "0.22": "IVA22", "0.16": "IVA16", "0": "IVA0"}


@dataclass(frozen=True)
class ProgramSettings:
    provider: str
    account: str
    base_url: str
    api_key_env: str
    key_in_keyring: bool
    tax_names: dict[str, str]
    exemption_codes: dict[str, str]
    auto_finalize: bool
    version: int
    changes: Changes = field(default_factory=Changes, compare=False)

    @property
    def address(self) -> str:
        return self.base_url or default_base_url(self.account)


def default_address(provider: str, account: str) -> str:
    """The program's own address for ``account`` (what an empty base URL means)."""
    del provider  # one program so far; a second one answers its own here
    return default_base_url(account)


def keyring_entry(provider: str, account: str) -> str:
    """The name the API key is kept under in the system keyring (service ``Balcao``)."""
    return f"invoicing:{provider}:{account}"


def _json_map(text: str) -> dict[str, str]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def _settings(row: InvoicingSettings, done: Changes | None = None) -> ProgramSettings:
    return ProgramSettings(
        provider=row.provider,
        account=row.account,
        base_url=row.base_url,
        api_key_env=row.api_key_env,
        key_in_keyring=row.key_in_keyring,
        tax_names=_json_map(row.tax_names),
        exemption_codes=_json_map(row.exemption_codes),
        auto_finalize=row.auto_finalize,
        version=row.version,
        changes=done or Changes(),
    )


def program_settings() -> ProgramSettings | None:
    """The company's program, or None when none is set up."""
    row = InvoicingSettings.get_or_none(id=INVOICING_SETTINGS_ID)
    return None if row is None else _settings(row)


def _check_tax_names(names: Mapping[str, str]) -> dict[str, str]:
    checked: dict[str, str] = {}
    for rate, name in names.items():
        try:
            value = Decimal(str(rate))
        except InvalidOperation:
            raise InputError(
                _("{rate} is not a VAT rate; write it as 0.23.").format(rate=rate),
                field="tax_names",
            ) from None
        if not 0 <= value < 1 or not str(name).strip():
            raise InputError(
                _("Each VAT rate needs a tax name of the certified program."), field="tax_names"
            )
        checked[format(value.normalize(), "f")] = str(name).strip()
    return checked


def setup(
    desk: Desk,
    *,
    provider: str,
    account: str,
    api_key_env: str = "",
    api_key: str | None = None,
    base_url: str = "",
    auto_finalize: bool = False,
    tax_names: Mapping[str, str] | None = None,
    exemption_codes: Mapping[str, str] | None = None,
) -> ProgramSettings:
    """Sets the company's certified program (administrators only).

    The key is never stored by Balcão: ``api_key_env`` keeps only the name of the environment
    variable read at each call; a key typed in the window (``api_key``) goes to the system
    keyring (refused where the computer has none). Saved again with neither, for the same
    provider and account, the key already in the keyring is kept (the window never shows it)."""
    require_admin(desk, bootstrap=True)  # before anything reaches the keyring
    provider = provider.strip().lower()
    account = account.strip()
    if provider not in PROVIDERS:
        raise InputError(
            _("Unknown certified program {name}; known: {known}.").format(
                name=provider, known=", ".join(PROVIDERS)
            ),
            field="provider",
        )
    if not account or any(c in account for c in "/?#@ :"):
        raise InputError(_("Write the account name as in its address."), field="account")
    if base_url and not base_url.startswith(("https://", "http://")):
        raise InputError(_("The address must start with https://."), field="base_url")
    if api_key_env and not api_key_env.replace("_", "").isalnum():
        raise InputError(
            _("{name} is not the name of an environment variable.").format(name=api_key_env),
            field="api_key_env",
        )
    current = program_settings()
    keeps_key = (
        not api_key_env
        and not api_key
        and current is not None
        and current.key_in_keyring
        and (current.provider, current.account) == (provider, account)
    )
    if not api_key_env and not api_key and not keeps_key:
        raise InputError(_("Give the API key, or the variable that holds it."), field="api_key")
    names = _check_tax_names(DEFAULT_TAX_NAMES if tax_names is None else tax_names)
    codes = {str(k): str(v).strip().upper() for k, v in (exemption_codes or {}).items()}
    in_keyring = keeps_key
    if api_key:
        if not credentials.keyring_usable():
            raise InputError(
                _(
                    "This computer has no system keyring to keep the API key: give the name of "
                    "an environment variable that holds it instead."
                ),
                field="api_key",
            )
        in_keyring = credentials.save_password(keyring_entry(provider, account), api_key)
    with use_case():
        require_admin(desk, bootstrap=True)
        values = {
            "provider": provider,
            "account": account,
            "base_url": base_url.rstrip("/"),
            "api_key_env": "" if in_keyring else api_key_env,
            "key_in_keyring": in_keyring,
            "tax_names": json.dumps(names, sort_keys=True),
            "exemption_codes": json.dumps(codes, sort_keys=True),
            "auto_finalize": bool(auto_finalize),
        }
        row = InvoicingSettings.get_or_none(id=INVOICING_SETTINGS_ID)
        if row is None:
            row = InvoicingSettings.create(id=INVOICING_SETTINGS_ID, **values)
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.save()
        done = changes.note(desk, {Topic.SETTINGS})
        return _settings(row, done)


def api_key(settings: ProgramSettings) -> str | None:
    """The key, read now: from the keyring, else from the named environment variable."""
    if settings.key_in_keyring:
        return credentials.saved_password(keyring_entry(settings.provider, settings.account))
    if settings.api_key_env:
        return os.environ.get(settings.api_key_env) or None
    return None


def program(settings: ProgramSettings | None = None) -> CertifiedProgram:
    """The adapter of the company's program; ``NotConfigured`` when there is none."""
    settings = settings or program_settings()
    if settings is None:
        raise NotConfigured(
            _(
                "No certified invoicing program is set up: an administrator sets it in "
                "Definições › Faturação certificada (or balcao invoicing setup)."
            )
        )
    chosen = settings

    def key() -> str | None:
        found = api_key(chosen)
        if not found and chosen.api_key_env and not chosen.key_in_keyring:
            raise NotConfigured(
                _(
                    "The environment variable {name} that should hold the API key is not set."
                ).format(name=chosen.api_key_env)
            )
        return found

    return InvoiceXpress(
        chosen.account, key, base_url=chosen.base_url or None, tax_names=chosen.tax_names
    )


def check_connection(settings: ProgramSettings | None = None) -> None:
    """ "Testar ligação": one harmless request with the account and key as set; the program's
    refusal or silence as an ``InvoicingError``."""
    program(settings).check_connection()
