"""Faturas: the invoice list, the draft/issued detail, its dialogs and tables."""
