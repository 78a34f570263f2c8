"""The main window's views, one module each; ``View`` is what they have in common."""
