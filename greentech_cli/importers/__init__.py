"""importers layer of greentech."""
