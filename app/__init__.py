"""Balcão without Qt: the rules (domain), the records (store) and the use cases (services)."""

from importlib import metadata

try:
    __version__ = metadata.version("balcao")
except metadata.PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0.0.0"
