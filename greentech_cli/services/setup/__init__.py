"""Getting started: the demo data set."""
