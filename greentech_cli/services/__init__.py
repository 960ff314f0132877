"""services layer of greentech."""
