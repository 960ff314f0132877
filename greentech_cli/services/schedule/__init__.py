"""A delegation's days: visits, the checks over them, distances between places and the itinerary."""
