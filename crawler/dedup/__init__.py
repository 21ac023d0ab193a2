"""Deduplication: text normalisation, MinHash signatures and the near-duplicate index."""
