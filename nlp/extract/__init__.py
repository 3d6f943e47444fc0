"""Extractors of tickers, indices and figures; each reads a NormalizedText and reports original spans."""
