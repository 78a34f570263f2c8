"""The main window's views, a package each (its model, dialogs and widgets together); ``View``
(in base.py) is what they have in common."""
