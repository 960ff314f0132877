"""The officer's records: companies, contacts and delegations added, edited, listed and removed."""
