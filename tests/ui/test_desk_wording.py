"""Issue 15, point 9: what the desk says, in Portuguese: counts agree with their number, the
channels have short names, and no rule code reaches the screen."""

from __future__ import annotations

from app.domain.sla import Channel
from app.services.labels import channel_label
from ui.views.queue.model import compensation_text_of


def test_one_free_hour_is_singular() -> None:
    assert compensation_text_of(1, revoked=False) == "1 hora gratuita"
    assert compensation_text_of(2, revoked=False) == "2 horas gratuitas"
    assert compensation_text_of(1, revoked=True) == "1 hora gratuita (revogada)"


def test_the_main_phone_line_reads_telefone_principal() -> None:
    assert channel_label(Channel.PHONE) == "Telefone principal"
