"""Errors that end a scan with exit code 2 and one clear line (never a traceback)."""


class PoisonscanError(Exception):
    """Base class: the message is shown to the user as is."""

    exit_code = 2


class InputError(PoisonscanError):
    """Missing path, unreadable dataset, or a strict-mode record error."""


class ConfigError(PoisonscanError):
    """Invalid configuration or command-line option."""


class ModelError(PoisonscanError):
    """The embedding model cannot be found, verified or loaded."""


class RecordError(ValueError):
    """One record cannot be used; the reader skips and counts it."""
