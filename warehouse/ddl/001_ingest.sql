-- Ingest layer: one row per article loaded, per duplicate, per rejected input, and one
-- manifest row per partition. Rerunnable: every statement is "if not exists".
--
-- No table here or in the later files declares a PRIMARY KEY. Keys hold by construction
-- (ids are content hashes; every write replaces whole partitions, incidents or claims in
-- one transaction) and the public tables' keys are verified on every run by the
-- keys_are_unique asset check. A DuckDB key is an ART index that each checkpoint writes
-- out again as a whole: about 80 ms per keyed table at 10,000 articles, growing with the
-- archive, for a nightly run that adds a few hundred rows. DuckLake has no keys either.
-- warehouse/migrate.py rebuilds, once, the tables an older DDL gave a key.

create table if not exists articles (
    article_id      varchar not null,
    partition_date  date not null,
    outlet          varchar,
    url             varchar,
    title           varchar,
    published_at    timestamptz not null,
    language        varchar not null,
    text            varchar not null,
    n_words         integer not null,
    content_sha256  varchar not null,
    source_file     varchar not null,
    line_no         integer not null,
    source_id       varchar,
    extra_fields    json
);
comment on table articles is 'One news article loaded from the archive (one line of a .jsonl/.jsonl.gz file or one .txt file). Exact and syndicated duplicates are in article_duplicates, unreadable input in rejected_records. Key: article_id, unique (asset check keys_are_unique).';
comment on column articles.article_id is 'Stable id: "a_" + first 16 hex digits of sha256(source_file, line_no, content_sha256). Same input, same id, on every run.';
comment on column articles.partition_date is 'The archive folder (publication day, YYYY-MM-DD) the article was read from; the Dagster partition key.';
comment on column articles.outlet is 'Publishing outlet as given in the input ("outlet" field); NULL when unknown (e.g. .txt files).';
comment on column articles.url is 'Article URL as given in the input; NULL when absent.';
comment on column articles.title is 'Headline: the "title" field, or the first non-empty line of a .txt file; NULL when absent.';
comment on column articles.published_at is 'Publication time, UTC. From the "published" field (ISO 8601; a value without zone is read as UTC; at most the day after the folder''s date, else the record is rejected as invalid_published); the folder date at 00:00 UTC when absent.';
comment on column articles.language is 'ISO 639-1 language code: the "language" field, or detected with py3langid. Only "en" articles are extracted.';
comment on column articles.text is 'Article body after normalisation (Unicode NFC, control characters removed, whitespace runs inside lines collapsed). Claim offsets (claims.char_start/char_end) index into this text.';
comment on column articles.n_words is 'Number of whitespace-separated words in text.';
comment on column articles.content_sha256 is 'sha256 (hex) of the normalised, lower-cased title + text; equal hashes are exact duplicates.';
comment on column articles.source_file is 'Path of the input file relative to the archive root.';
comment on column articles.line_no is 'Line number (1-based) within a .jsonl/.jsonl.gz file; 1 for a .txt file.';
comment on column articles.source_id is 'The input''s own "id" field, if any.';
comment on column articles.extra_fields is 'Input fields outside the contract, kept verbatim as JSON (NULL when none) so nothing is silently dropped.';

create table if not exists article_duplicates (
    partition_date  date not null,
    source_file     varchar not null,
    line_no         integer not null,
    duplicate_of    varchar not null,
    kind            varchar not null,
    similarity      double not null,
    outlet          varchar,
    url             varchar
);
comment on table article_duplicates is 'One input line or file that repeats an article already loaded in the same partition: an exact copy or a syndicated near-copy. Its claims are not counted again.';
comment on column article_duplicates.partition_date is 'Archive folder (publication day) of the duplicate.';
comment on column article_duplicates.source_file is 'Path of the duplicate''s file, relative to the archive root.';
comment on column article_duplicates.line_no is 'Line number (1-based) of the duplicate in its file; 1 for .txt.';
comment on column article_duplicates.duplicate_of is 'article_id of the loaded article it repeats.';
comment on column article_duplicates.kind is '"exact" (same normalised title and text) or "near" (syndicated copy: word-shingle Jaccard similarity >= the configured threshold).';
comment on column article_duplicates.similarity is 'Jaccard similarity of 5-word shingles with the loaded article (1.0 for exact).';
comment on column article_duplicates.outlet is 'Outlet that published the duplicate, when given.';
comment on column article_duplicates.url is 'URL of the duplicate, when given.';

create table if not exists rejected_records (
    partition_date  date,
    source_file     varchar not null,
    line_no         integer,
    reason_code     varchar not null,
    detail          varchar not null,
    raw_excerpt     varchar
);
comment on table rejected_records is 'One input line, file or folder that could not be loaded, with the reason. Nothing read is dropped silently.';
comment on column rejected_records.partition_date is 'Archive folder the input was in; NULL for a folder whose name is not a valid date.';
comment on column rejected_records.source_file is 'Path relative to the archive root of the rejected file or folder.';
comment on column rejected_records.line_no is 'Line number (1-based) of the rejected line; NULL when the whole file or folder is rejected.';
comment on column rejected_records.reason_code is 'One of: malformed_json, not_an_object, missing_text, empty_text, wrong_type, invalid_utf8, line_too_long, truncated_gzip, gzip_too_large, unsupported_file, unreadable_file, symlink_outside_archive, invalid_partition_folder, invalid_published.';
comment on column rejected_records.detail is 'Human-readable explanation of the rejection.';
comment on column rejected_records.raw_excerpt is 'The first 200 characters of the offending input (invalid bytes replaced), for diagnosis; NULL for folders.';

create table if not exists partition_manifest (
    partition_date  date not null,
    input_sha256    varchar not null,
    n_files         integer not null,
    n_records_read  integer not null,
    n_loaded        integer not null,
    n_duplicates    integer not null,
    n_rejected      integer not null,
    articles_sha256 varchar
);
-- added after the first release: warehouses built before get the column here
alter table partition_manifest add column if not exists articles_sha256 varchar;
comment on table partition_manifest is 'One row per ingested partition: what was read and what became of it. n_records_read = n_loaded + n_duplicates + n_rejected is enforced by a blocking asset check.';
comment on column partition_manifest.partition_date is 'Archive folder (publication day).';
comment on column partition_manifest.input_sha256 is 'sha256 over the names and bytes of every file in the folder, the ingest code and its limits; unchanged -> the day is not ingested again.';
comment on column partition_manifest.n_files is 'Number of files found in the folder (articles or not).';
comment on column partition_manifest.n_records_read is 'Records read: every .jsonl line, every .txt file and every other file (rejected whole).';
comment on column partition_manifest.n_loaded is 'Records loaded into articles.';
comment on column partition_manifest.n_duplicates is 'Records recorded in article_duplicates.';
comment on column partition_manifest.n_rejected is 'Records recorded in rejected_records for this partition.';
comment on column partition_manifest.articles_sha256 is 'sha256 over what the extract step reads of the day''s articles (warehouse.io.fill_article_digests); unchanged -> the day is not extracted again, even when it was ingested again.';
