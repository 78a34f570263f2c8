"""Replaces pyinstaller-hooks-contrib's hook, which collects every submodule of phonenumbers.

Balcão parses, checks and formats numbers (app.domain.validation), which needs only the numbering
plans in phonenumbers.data (and shortdata). The place names, carriers and time zones (geodata,
carrierdata, tzdata: 40 MB) stay out; code that starts using phonenumbers.geocoder, .carrier or
.timezone must add the matching collect_submodules("phonenumbers.geodata") line here, since
those modules too load their data by name.
"""

from __future__ import annotations

from PyInstaller.utils.hooks import collect_submodules

#: The lazily imported per-region metadata that parsing and formatting load by name.
hiddenimports = [
    *collect_submodules("phonenumbers.data"),
    *collect_submodules("phonenumbers.shortdata"),
]
