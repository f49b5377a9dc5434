"""Use cases: topic answers (`news`), subscriptions, sources (feeds and links), digests.

Below the handlers, above the pipeline (`bot.ingest`, `bot.summarize`, `bot.store`).
"""
