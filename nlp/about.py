"""Package metadata."""

__version__ = "0.1.0"
#: Calendar-versioned name of the model shipped in ``models/`` (also the output field ``model``).
DEFAULT_MODEL = "narratives-2026.1"
