"""The store's schema history (Alembic); run it with `newsbot db migrate`."""
