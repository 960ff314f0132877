"""cli layer of greentech."""
