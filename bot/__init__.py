"""newsbot: extractive summaries of stored news, on demand, over Telegram."""

__version__ = "0.1.0"
