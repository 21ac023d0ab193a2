"""The store: the only package that reads or writes the database (SQLAlchemy models, queries, leases,
migrations), one module per concern.

A function that is a unit of work by itself takes the `Database` and opens its own transaction; one
that a caller composes with others into a single transaction (a stored story's dedup verdict, row,
matches and alerts commit together) takes the caller's `Session` and never commits.
"""
