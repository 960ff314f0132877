"""Matchmaking: which organisations fit a delegation's sectors, topic and region."""
