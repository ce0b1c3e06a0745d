"""Migrations: rerunnable DDL, skipped when the warehouse was built from the same files."""

import duckdb

from warehouse import migrate as migrate_module
from warehouse.migrate import DDL_DIR, ddl_files, migrate


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


def test_a_warehouse_whose_tables_carry_primary_keys_is_rebuilt_without_them(tmp_path, monkeypatch):
    """Warehouses built before the DDL dropped its PRIMARY KEYs: migrate rebuilds the keyed
    tables (rows, columns and comments kept) in one transaction; user tables are left alone."""
    import re

    from warehouse.migrate import ddl_digest

    old = tmp_path / "old_ddl"
    old.mkdir()
    for p in ddl_files():  # the older DDL: articles and claims keyed as they used to be
        sql = p.read_text()
        sql = re.sub(r"(create table if not exists (articles|claims) \(\n    \w+\s+varchar) not null,", r"\1 primary key,", sql)
        (old / p.name).write_text(sql)
    path = tmp_path / "w.duckdb"
    monkeypatch.setattr(migrate_module, "DDL_DIR", old)
    with duckdb.connect(str(path)) as con:
        migrate(con)
        keyed = "select schema_name || '.' || table_name from duckdb_constraints() where constraint_type = 'PRIMARY KEY' order by 1"
        assert con.execute(keyed).fetchall() == [("main.articles",), ("main.claims",)]
        con.execute("""insert into articles (article_id, partition_date, source_file, line_no, published_at, text,
                       content_sha256, n_words, language)
                       values ('a_1', date '2016-02-21', 'x.jsonl', 1, timestamptz '2016-02-21 10:00:00+00', 'Text.',
                               'sha', 1, 'en')""")
        con.execute("create table mine (id integer primary key)")  # an analyst's own table
        rows = con.execute("select * from articles").fetchall()
    monkeypatch.setattr(migrate_module, "DDL_DIR", DDL_DIR)
    with duckdb.connect(str(path)) as con:
        assert migrate(con) == [p.name for p in ddl_files()]
        assert con.execute(keyed).fetchall() == [("main.mine",)]
        assert con.execute("select * from articles").fetchall() == rows
        assert con.execute("select digest from staging.schema_digest").fetchall() == [(ddl_digest(),)]
        comment = con.execute("select comment from duckdb_tables() where table_name = 'articles'").fetchone()[0]
        assert "Key: article_id" in comment
        assert con.execute("select count(*) from duckdb_tables() where table_name like '%keyed'").fetchone()[0] == 0
        con.execute("insert into articles select * from articles")  # no key index refuses it any more
