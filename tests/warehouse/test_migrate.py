"""Migrations: rerunnable DDL, skipped when the warehouse was built from the same files."""

import duckdb

from warehouse import migrate as migrate_module
from warehouse.migrate import ddl_files, migrate


def test_migrate_applies_every_ddl_file_once_then_leaves_an_up_to_date_warehouse_alone(tmp_path):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        assert migrate(con) == [p.name for p in ddl_files()]
        con.execute("create table scratch as select 1 as x")
        assert migrate(con) == []  # same DDL: nothing re-run
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'main'").fetchall()}
        assert {"articles", "claims", "incidents", "scratch"} <= tables


def test_changed_ddl_is_applied_again(tmp_path, monkeypatch):
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        migrate(con)
    extra = tmp_path / "ddl"
    extra.mkdir()
    for p in ddl_files():
        (extra / p.name).write_bytes(p.read_bytes())
    (extra / "999_extra.sql").write_text("create table if not exists extra_table (x integer);\n")
    monkeypatch.setattr(migrate_module, "DDL_DIR", extra)
    with duckdb.connect(str(path)) as con:
        assert migrate(con)[-1] == "999_extra.sql"
        assert con.execute("select count(*) from extra_table").fetchone() == (0,)
        assert migrate(con) == []
