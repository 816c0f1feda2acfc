"""The package version, in a module of its own (reports and the model artifact import it)."""

__version__ = "0.1.0"
