-- Extract layer (internal schema "staging"): what spaCy read in each article, before the
-- reports of one real event are grouped across articles. Written per partition.

create schema if not exists staging;

create table if not exists staging.event_mentions (
    mention_id      varchar not null,
    article_id      varchar not null,
    partition_date  date not null,
    ordinal         integer not null,
    reported_at     timestamptz not null,
    outlet          varchar,
    event_date      date,
    date_start      date,
    date_end        date,
    date_precision  varchar not null,
    is_historical   boolean not null,
    place_name      varchar,
    place_id        varchar,
    parent          varchar,
    admin1          varchar,
    country         varchar,
    country_code    varchar,
    latitude        double,
    longitude       double,
    geo_precision   varchar,
    attack_type     varchar,
    n_attacks       integer,
    perpetrator     varchar,
    claimed_by      varchar,
    evidence        varchar not null,
    char_start      integer not null,
    char_end        integer not null
);
comment on table staging.event_mentions is 'One event an article speaks of (its place, date, attack type), before grouping across articles. Internal.';

create table if not exists staging.claim_mentions (
    claim_id        varchar not null,
    mention_id      varchar,
    article_id      varchar not null,
    partition_date  date not null,
    reported_at     timestamptz not null,
    outlet          varchar,
    category        varchar not null,
    value_low       integer,
    value_high      integer,
    qualifier       varchar not null,
    raw_phrase      varchar not null,
    claimant        varchar,
    claimant_kind   varchar not null,
    is_aggregate    boolean not null,
    aggregate_mention_ids varchar[],
    in_title        boolean not null,
    evidence        varchar not null,
    char_start      integer not null,
    char_end        integer not null
);
comment on table staging.claim_mentions is 'One casualty figure stated in one article, linked to the event mention it describes (NULL mention_id for aggregates). Internal.';
