"""store layer of greentech."""
