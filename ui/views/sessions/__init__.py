"""Sessões: the running timer, the month and review lists, intervals and the billing summary."""
