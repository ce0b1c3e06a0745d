"""Extract: spaCy over each article of a partition -> event and claim mentions."""

import datetime as dt
from contextlib import ExitStack

import dagster as dg
import polars as pl

from assets.ingest import ingested_articles
from assets.partitions import WRITER_POOL, daily_partitions
from pipelines.nlp.model import extraction_is_current, extractor_version, model_meta
from pipelines.progress import Progress
from pipelines.resources import ExtractionWorkers, WarehouseResource
from pipelines.settings import load_settings
from warehouse.io import EXTRACTED_ARTICLE_COLUMNS, extracted_manifests, ingested_digests, read_frame, replace_partitions


@dg.asset(
    deps=[ingested_articles],
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="extract",
    kinds={"spacy", "duckdb"},
    owners=["team:data-engineering"],
    pool=WRITER_POOL,
)
def extracted_mentions(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                       extraction_workers: ExtractionWorkers) -> dg.MaterializeResult:
    """Run the spaCy pipeline (gazetteer ruler, NER, parser, casualty matcher) over every
    English article of the partition: casualty figures with qualifiers, offsets and
    claimants; places, dates, attack types and responsibility claims of each event.
    Writes staging.event_mentions and staging.claim_mentions. A partition whose articles
    and extractor are unchanged since its last extraction is skipped (even when it was
    ingested again)."""
    settings = load_settings()
    meta = model_meta(settings.spacy_models)
    version = extractor_version(meta)
    keys = context.partition_keys
    totals = {"articles": 0, "events": 0, "claims": 0, "skipped": 0}
    with ExitStack() as open_writer:
        con = open_writer.enter_context(warehouse.writer())
        total = con.execute(
            "select count(*) from articles where partition_date between ? and ? and language = 'en'",
            [min(keys), max(keys)],
        ).fetchone()[0]
        articles_read = ingested_digests(con, min(keys), max(keys), "articles_sha256")
        extracted = extracted_manifests(con, min(keys), max(keys))
        keys = [k for k in keys if k in articles_read or k in extracted]  # days never ingested: nothing to do
        # unchanged: the same articles as at the last extraction, the same extractor
        unchanged = [k for k in keys if extraction_is_current(articles_read.get(k), extracted.get(k), version)]
        skip = set(unchanged)
        changed = [k for k in keys if k not in skip]
        sizes = {str(day): (n, english) for day, n, english in con.execute(
            "select partition_date, count(*), count(*) filter (where language = 'en') from articles "
            "where partition_date in (select unnest(?::date[])) group by all", [changed]).fetchall()} if changed else {}
        progress = Progress(total, "extract articles", context.log.info, settings.progress_seconds)
        # workers (started with the run, or now for a big batch) load spaCy while this
        # process reads articles; this process loads it only when there are none
        pool = extraction_workers.pool(sum(english for _, english in sizes.values()))
        number_of = {key: number for number, key in enumerate(keys, start=1)}
        done_before = 0

        def extract_and_write(con, pending: list[tuple[int, str, list[dict]]]) -> None:
            """Extract the pending partitions together (worker processes need volume), then
            write them in one transaction."""
            nonlocal done_before
            batch = [a for _, _, articles in pending for a in articles]
            offset = done_before

            def report(n: int) -> None:
                progress.update(offset + n)

            if pool is not None:
                events, claims = pool.extract(batch, progress=report)
            else:
                from pipelines.nlp.extract import extract_articles  # spaCy: only where it runs
                from pipelines.nlp.pipeline import build_nlp

                nlp = build_nlp(settings.spacy_models, settings.spacy_disabled)
                events, claims = extract_articles(nlp, batch, progress=report)
            done_before += sum(1 for a in batch if a["language"] == "en")
            # the batch's days are written together: whole days, one transaction
            events_per_day = dict(events.group_by("partition_date").len().iter_rows())
            claims_per_day = dict(claims.group_by("partition_date").len().iter_rows())
            manifest_rows = []
            for number, key, articles in pending:
                day = dt.date.fromisoformat(key)
                manifest_rows.append({
                    "partition_date": day, "input_sha256": articles_read.get(key) or "",
                    "extractor_version": version, "n_articles": len(articles),
                    "n_events": events_per_day.get(day, 0), "n_claims": claims_per_day.get(day, 0),
                })
            replace_partitions(con, [key for _, key, _ in pending], {
                "staging.event_mentions": events,
                "staging.claim_mentions": claims,
                "staging.extract_manifest": pl.DataFrame(manifest_rows),
            })
            for (number, key, articles), row in zip(pending, manifest_rows, strict=True):
                totals["articles"] += len(articles)
                totals["events"] += row["n_events"]
                totals["claims"] += row["n_claims"]
                progress.update(done_before, f"extract {key} (partition {number}/{len(keys)}): {len(articles)} articles -> "
                                             f"{row['n_events']} events, {row['n_claims']} claims")

        for index, batch in enumerate(_batches(changed, {day: n for day, (n, _) in sizes.items()}, settings.batch_articles)):
            if index:
                # a connection per batch: DuckDB holds what a connection appended in memory
                # until it is closed (about 2 MB per 1,000 articles, measured), so that a
                # backfill of years stays flat
                open_writer.close()
                con = open_writer.enter_context(warehouse.writer())
            pending = [(number_of[key], key, read_frame(
                con,
                f"select {', '.join(EXTRACTED_ARTICLE_COLUMNS)} from articles where partition_date = ? order by article_id",
                [key],
            ).to_dicts()) for key in batch]
            extract_and_write(con, pending)
    extraction_workers.close()
    totals["skipped"] = len(unchanged)
    context.log.info(f"extract: {len(changed)} partitions, {totals['articles']} articles -> "
                     f"{totals['events']} events, {totals['claims']} claims")
    if unchanged:
        context.log.info(f"extract: {len(unchanged)} of {len(keys)} partitions unchanged since their last "
                         f"extraction (same articles, same extractor), skipped: {unchanged[0]}..{unchanged[-1]}")
    return dg.MaterializeResult(metadata={
        "partitions": len(keys), "partitions_skipped": totals["skipped"], "articles": totals["articles"],
        "event_mentions": totals["events"], "claims": totals["claims"], "extractor_version": version,
        "spacy_model": f"{meta.get('name')} {meta.get('version')}",
    })


def _batches(days: list[str], articles: dict[str, int], size: int) -> list[list[str]]:
    """`days` in order, cut into runs of at least `size` articles (the last one smaller):
    worker processes need volume, memory stays bounded (settings.batch_articles)."""
    batches: list[list[str]] = []
    current: list[str] = []
    for day in days:
        current.append(day)
        if sum(articles.get(d, 0) for d in current) >= size:
            batches.append(current)
            current = []
    return batches + ([current] if current else [])

