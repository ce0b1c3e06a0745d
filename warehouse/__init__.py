"""The DuckDB warehouse: DDL files, migrations and the one writer used by every asset."""
