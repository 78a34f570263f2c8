"""The main window's views, a package each (its model, dialogs and widgets together). Shared by
them: ``View`` (base.py) and the one customer search (customer_search.py)."""
