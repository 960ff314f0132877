"""Getting started: the demo data set, and what `greentech info` tells about a database."""
