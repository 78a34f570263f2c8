"""The customer's monthly statement (placeholder)."""

from __future__ import annotations

from pathlib import Path

from app.services.statements import Statement


def write_statement_pdf(statement: Statement, path: Path) -> None:
    raise NotImplementedError
