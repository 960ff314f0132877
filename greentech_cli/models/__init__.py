"""Plain dataclasses with no I/O: the records, what an import is asked and reports, an itinerary."""
