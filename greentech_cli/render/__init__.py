"""render layer of greentech."""
