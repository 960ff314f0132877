"""SQL of B2B sessions (issue 20): `sessions` (settings, interpreters, participants), `requests`,
`meetings` (the scheduled grid)."""
