-- Internal hand-over tables between resolve, reconcile and load (schema "staging").
-- Same shapes as the public tables; load publishes them in one transaction.

create table if not exists staging.extract_manifest (
    partition_date     date not null,
    input_sha256       varchar not null,
    extractor_version  varchar not null,
    n_articles         integer not null,
    n_events           integer not null,
    n_claims           integer not null
);
comment on table staging.extract_manifest is 'What the extract step last read per partition (input_sha256: partition_manifest.articles_sha256 of the articles it read) and with which extractor; the same articles and extractor -> the partition is skipped. Internal.';

create table if not exists staging.incidents as select * from incidents limit 0;
create table if not exists staging.incident_mentions as select * from incident_mentions limit 0;
create table if not exists staging.resolved_claims as select * from claims limit 0;
create table if not exists staging.aggregate_links (
    claim_id      varchar not null,
    incident_ids  varchar[] not null
);
create table if not exists staging.incident_casualties as select * from incident_casualties limit 0;
create table if not exists staging.reconciled_claims as select * from claims limit 0;
create table if not exists staging.aggregate_claims as select * from aggregate_claims limit 0;

create table if not exists staging.resolve_state (
    seq                 integer not null,
    mention_id          varchar not null,
    fingerprint         varchar not null,
    incident_id         varchar not null,
    decision            varchar not null,
    matched_mention_id  varchar,
    reason              varchar not null
);
comment on table staging.resolve_state is 'The last resolution, mention by mention in visiting order, with a fingerprint of what each decision read: the next run replays the unchanged prefix instead of re-deciding it (pipelines/resolve.py). Internal.';

create table if not exists staging.unpublished (
    kind  varchar not null,  -- 'incident', 'claim', or 'all' (key NULL: every row)
    key   varchar
);
comment on table staging.unpublished is 'Incidents and claims whose staging rows changed since the last publish: resolve adds them, reconcile re-derives their ranges, load publishes them and empties the table. Internal.';

create table if not exists staging.resolve_claim_state (
    claim_id     varchar not null,
    fingerprint  ubigint not null
);
comment on table staging.resolve_claim_state is 'A hash of every claim row the last resolution read: claims whose row changed since then are attached anew (pipelines/resolve.py). Internal.';
