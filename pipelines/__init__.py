"""incident-ledger: news archives of violent incidents -> a DuckDB warehouse."""
