"""Shared test settings: offscreen Qt, Portuguese by default, hypothesis without deadlines."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# CI machines are slow and shared: hypothesis examples are judged on results, not speed.
settings.register_profile("balcao", deadline=None, max_examples=200)
settings.load_profile("balcao")


@pytest.fixture(autouse=True)
def portuguese() -> Iterator[None]:
    """Every test starts in pt_PT, the program's default, and leaves it so."""
    from app import i18n

    i18n.set_language("pt_PT")
    yield
    i18n.set_language("pt_PT")
