"""Domain exceptions. They start deep and become user text in `handlers/replies.py` only."""


class NewsbotError(Exception):
    """Base class for errors that have a user-facing explanation."""


class ConfigError(NewsbotError):
    """A setting is missing or invalid; the message names it."""


class StoreError(NewsbotError):
    """The article store failed or is unavailable."""


class SchemaError(StoreError):
    """The database schema is missing, older or newer than this version understands."""


class IngestError(NewsbotError):
    """One input could not be turned into an article; the message says why."""


class UnsafeURLError(IngestError):
    """A URL that must not be fetched: a refused scheme, or a host on a non-public address."""


class UnknownMethodError(NewsbotError):
    """A summarization method name that the registry does not know."""
