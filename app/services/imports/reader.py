"""Reading the file: its encoding, its delimiter, and which format its header row names.

A header is compared without case, accents, spaces or punctuation, so WHMCS's labels ("First
Name", "Phone Number", "Tax ID") and its field names (``firstname``, ``phonenumber``,
``tax_id``) are the same column, and so are Balcão's Portuguese and English names.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.i18n import _
from app.services.errors import InputError
from app.services.imports.mapping import ImportRow, RowFault, map_record

#: A larger file is not a customer list; it is refused before being read.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: The csv module refuses a longer field by stopping the whole file; ours is raised so that an
#: oversized cell is refused by its row alone (the mapping bounds every field far lower).
_FIELD_LIMIT = MAX_FILE_BYTES

Format = Literal["whmcs", "balcao"]

#: Each known column, by its compacted header (see ``compact``), and the field it fills.
_WHMCS_COLUMNS = {
    "firstname": "first_name",
    "lastname": "last_name",
    "companyname": "company",
    "email": "email",
    "emailaddress": "email",
    "address1": "address1",
    "address2": "address2",
    "city": "city",
    "postcode": "postcode",
    "country": "country",
    "phonenumber": "phone",
    "taxid": "nif",
    "notes": "notes",
}
_BALCAO_COLUMNS = {
    "nome": "name",
    "name": "name",
    "nif": "nif",
    "email": "email",
    "telefone": "phone",
    "phone": "phone",
    "morada": "address",
    "address": "address",
    "codigopostal": "postcode",
    "postcode": "postcode",
    "localidade": "city",
    "city": "city",
    "pais": "country",
    "country": "country",
    "plano": "plan",
    "plan": "plan",
    "remetentes": "senders",
    "senders": "senders",
    "notas": "notes",
    "notes": "notes",
}


@dataclass(frozen=True)
class ImportFile:
    """A file read and mapped: its format and, in file order, each row or why it is refused."""

    format: Format
    rows: tuple[ImportRow | RowFault, ...]


def compact(header: str) -> str:
    """A header compared without case, accents, spaces or punctuation ("Código Postal" →
    "codigopostal", "tax_id" → "taxid")."""
    decomposed = unicodedata.normalize("NFKD", header.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _decode(data: bytes, name: str) -> str:
    """UTF-8, with or without a BOM; Windows-1252 (what Excel on Windows writes) otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(
            _("{file} is not a text file in UTF-8; save it as CSV UTF-8 and try again.").format(
                file=name
            )
        ) from None


def _delimiter(text: str) -> str:
    """``;`` or ``,``: whichever the header row has more of (Excel in Portugal writes ``;``)."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _columns(header: list[str], name: str) -> tuple[Format, dict[int, str]]:
    keys = [compact(cell) for cell in header]
    if any(key in ("firstname", "lastname", "companyname") for key in keys):
        kind: Format = "whmcs"
        known = _WHMCS_COLUMNS
    elif any(key in ("nome", "name") for key in keys):
        kind = "balcao"
        known = _BALCAO_COLUMNS
    else:
        raise InputError(
            _(
                "{file} is neither a WHMCS client export nor a Balcão customer file: its first "
                "line must name the columns (see the import's documentation)."
            ).format(file=name)
        )
    columns: dict[int, str] = {}
    for position, key in enumerate(keys):
        field = known.get(key)
        if field is not None and field not in columns.values():
            columns[position] = field
    return kind, columns


def parse_text(text: str, name: str) -> ImportFile:
    """The rows of a file's text; ``name`` only says which file in messages."""
    csv.field_size_limit(max(csv.field_size_limit(), _FIELD_LIMIT))
    # strict: a quote left open runs to the end of the file, which is said rather than taken in.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(_("{file} is empty.").format(file=name)) from None
    except csv.Error as error:
        raise InputError(
            _("{file} cannot be read as CSV: {detail}").format(file=name, detail=error)
        ) from None
    kind, columns = _columns(header, name)
    rows: list[ImportRow | RowFault] = []
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            reason = _(
                "the line is not valid CSV (a quote not closed?); the lines after it were not read."
            )
            rows.append(RowFault(line, reason))
            break  # the reader cannot tell where the next row starts
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, which spreadsheets leave at the end
        record = {field: cells[i] for i, field in columns.items() if i < len(cells)}
        rows.append(map_record(kind, line, record))
    return ImportFile(kind, tuple(rows))


def read_customers(path: Path) -> ImportFile:
    """The customers in the file at ``path``; a file that cannot be read at all raises
    ``InputError`` (a row that cannot be imported is a ``RowFault`` in the result)."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                _("{file} is too large to be a customer list ({size} MB).").format(
                    file=name, size=size // (1024 * 1024)
                )
            )
        data = path.read_bytes()
    except OSError as error:
        raise InputError(
            _("Cannot read {file}: {reason}").format(file=name, reason=error.strerror or error)
        ) from error
    return parse_text(_decode(data, name), name)
