"""Packs: balances, expiries and ledger, the sell dialog and the tables."""
