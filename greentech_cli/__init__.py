"""greentech: a contact and delegation manager for chamber-of-commerce officers."""

__version__ = "0.1.0"
