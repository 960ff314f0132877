"""Store modules of the trip as it runs: geocoded places and members' dietary needs."""
