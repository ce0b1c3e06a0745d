"""Ingest: one archive folder -> articles, duplicates, rejected_records (per partition)."""

import dagster as dg
import polars as pl

from assets.checks import RECORDS_ACCOUNTED_FOR, records_accounted_for
from assets.partitions import WRITER_POOL, daily_partitions
from pipelines.day_digests import DayDigests
from pipelines.ingest import PartitionIngest, archive_problems, ingest_partition, list_partitions
from pipelines.progress import Progress
from pipelines.resources import ArchiveResource, WarehouseResource
from pipelines.settings import load_settings
from warehouse.io import column_docs, fill_article_digests, ingested_digests, insert_frame, replace_partitions, transaction


@dg.asset(
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="ingest",
    kinds={"python", "duckdb"},
    owners=["team:data-engineering"],
    pool=WRITER_POOL,
    description=__doc__,
    check_specs=[RECORDS_ACCOUNTED_FOR],
)
def ingested_articles(context: dg.AssetExecutionContext, archive: ArchiveResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Read each day folder of the archive: parse .jsonl/.jsonl.gz/.txt, validate, normalise,
    drop exact and syndicated duplicates, and record every unreadable line with a reason.
    Writes articles, article_duplicates, rejected_records and partition_manifest."""
    settings = load_settings()
    totals = {"records": 0, "loaded": 0, "duplicates": 0, "rejected": 0}
    keys = context.partition_keys
    with warehouse.writer() as con:
        problems = archive_problems(archive.path)
        with transaction(con):
            con.execute("delete from rejected_records where partition_date is null")
            insert_frame(con, "rejected_records", problems)
        # a day with no folder and nothing loaded before is nothing to do (a range over
        # years of a sparse archive must not write thousands of empty partitions)
        folders = set(list_partitions(archive.path))
        digests = ingested_digests(con, min(keys), max(keys))
        loaded = set(digests)
        skipped = [k for k in keys if k not in folders and k not in loaded]
        keys = [k for k in keys if k in folders or k in loaded]
        if skipped:
            context.log.info(f"ingest: {len(skipped)} of {len(skipped) + len(keys)} days have no folder: nothing to do")
        progress = Progress(len(keys), "ingest partitions", context.log.info, settings.progress_seconds)
        unchanged = 0
        known = DayDigests(archive.path, settings)
        pending: list[PartitionIngest] = []  # read, not written yet: written together, whole days

        def flush() -> None:
            replace_partitions(con, [r.partition_date for r in pending], {
                table: pl.concat([getattr(r, field) for r in pending])
                for table, field in (("articles", "articles"), ("article_duplicates", "duplicates"),
                                     ("rejected_records", "rejected"), ("partition_manifest", "manifest"))
            }, then=fill_article_digests)
            pending.clear()

        for number, key in enumerate(keys, start=1):
            if known.is_unchanged(key, digests.get(key)):
                # same files (or still no folder), same code: ingesting again would change nothing
                unchanged += 1
                progress.update(number)
                continue
            stat_key = known.key(key)
            result = ingest_partition(archive.path, key, settings)
            known.remember(key, stat_key, result.input_sha256)
            pending.append(result)
            if sum(r.n_records_read for r in pending) >= settings.batch_articles:
                flush()
            totals["records"] += result.n_records_read
            totals["loaded"] += result.articles.height
            totals["duplicates"] += result.duplicates.height
            totals["rejected"] += result.rejected.height
            progress.update(number, f"ingest {key}: {result.n_records_read} records -> {result.articles.height} loaded, "
                                    f"{result.duplicates.height} duplicates, {result.rejected.height} rejected")
        if pending:
            flush()
        known.save()
        check = records_accounted_for(con)
        articles_schema = dg.TableSchema(columns=[dg.TableColumn(n, k, description=d) for n, k, d in column_docs(con, "articles")])
    context.log.info(f"ingest: {len(keys)} day(s) ({unchanged} unchanged since their last ingest): {totals['records']} records "
                     f"-> {totals['loaded']} loaded, {totals['duplicates']} duplicates, {totals['rejected']} rejected")
    if problems.height:
        context.log.warning(f"{problems.height} entries at the archive root are not day folders: see rejected_records")
    return dg.MaterializeResult(check_results=[check], metadata={
        "dagster/column_schema": articles_schema,
        "partitions": len(keys),
        "empty_days_skipped": len(skipped),
        "unchanged_days_skipped": unchanged,
        "records_read": totals["records"],
        "articles_loaded": totals["loaded"],
        "duplicates": totals["duplicates"],
        "rejected": totals["rejected"],
        "archive_root_problems": problems.height,
    })
