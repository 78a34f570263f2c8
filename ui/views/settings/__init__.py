"""Definições: the settings view and its pages (company, hours, holidays, rates, technicians,
database)."""
