"""Narrative classifiers: interchangeable backends behind one registry."""
