"""Deduplication: text normalisation, MinHash signatures and the judgement of what a text duplicates."""
