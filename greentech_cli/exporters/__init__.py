"""exporters layer of greentech."""
