"""Writing derived tables: only the rows that differ are written (warehouse/io.py)."""

import datetime as dt

import duckdb
import polars as pl

from warehouse.io import replace_tables, sync_rows


def _rows(con, table):
    return con.execute(f"select * from {table} order by all").fetchall()


def test_sync_rows_deletes_gone_rows_inserts_new_ones_and_leaves_the_same_alone():
    con = duckdb.connect()
    con.execute("create table t (id varchar primary key, n integer, tags varchar[], seen timestamptz, note varchar)")
    con.execute("""insert into t values ('a', 1, ['x'], '2016-02-21 10:00:00+00', null),
                                        ('b', 2, null, null, 'old'), ('c', 3, [], null, null)""")
    con.execute("create table s as select * from t limit 0")
    con.execute("""insert into s values ('a', 1, ['x'], '2016-02-21 10:00:00+00', null),
                                        ('b', 2, null, null, 'new'), ('d', 4, ['y', 'z'], null, null)""")
    # a changed row is one delete and one insert; NULLs and lists compare as equal values
    assert sync_rows(con, "t", "s") == (2, 2)
    assert _rows(con, "t") == _rows(con, "s")
    assert sync_rows(con, "t", "s") == (0, 0)  # nothing differs: nothing is written


def test_replace_tables_makes_the_table_equal_to_the_frame_and_fills_missing_columns_with_null():
    con = duckdb.connect()
    con.execute("create table t (id varchar, n integer, day date)")
    con.execute("insert into t values ('a', 1, date '2016-02-21'), ('b', 2, null)")
    frame = pl.DataFrame({"id": ["a", "c"], "n": [1, 3]})  # no "day" column
    assert replace_tables(con, {"t": frame}) == {"t": 2}
    assert _rows(con, "t") == [("a", 1, None), ("c", 3, None)]
    frame = pl.DataFrame({"id": ["a"], "n": [1], "day": [dt.date(2016, 2, 21)]})
    replace_tables(con, {"t": frame})
    assert _rows(con, "t") == [("a", 1, dt.date(2016, 2, 21))]
    replace_tables(con, {"t": pl.DataFrame()})
    assert _rows(con, "t") == []
