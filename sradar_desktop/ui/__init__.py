"""The graphical interface (PySide6). Nothing outside ``ui/`` and ``app.py`` imports Qt."""
