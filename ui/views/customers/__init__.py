"""Clientes: the customer list, the record panel with its forms, tabs and statement."""
