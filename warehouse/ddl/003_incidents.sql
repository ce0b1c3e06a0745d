-- Resolved and reconciled layer: the public contract analysts query (DESIGN.md §3).
-- Rebuilt as a whole by the load step, in one transaction, from staging.

create table if not exists incidents (
    incident_id        varchar not null,
    event_date         date,
    date_start         date,
    date_end           date,
    date_precision     varchar not null,
    place_name         varchar,
    admin1             varchar,
    country            varchar,
    country_code       varchar,
    latitude           double,
    longitude          double,
    geo_precision      varchar,
    attack_type        varchar,
    n_attacks          integer,
    perpetrator        varchar,
    claimed_by         varchar,
    is_historical      boolean not null,
    n_articles         integer not null,
    n_sources          integer not null,
    n_mentions         integer not null,
    first_reported_at  timestamptz not null,
    last_reported_at   timestamptz not null
);
comment on table incidents is 'One real-world violent event, grouped from every article that reports it, across outlets and publication days. Key: incident_id, unique (asset check keys_are_unique).';
comment on column incidents.incident_id is 'Stable id: "i_" + 16 hex digits of sha256 of the earliest-reported mention''s id. New articles about the same event keep the id.';
comment on column incidents.event_date is 'Best single date of the event (UTC calendar day). For month/year precision, the first day of the period.';
comment on column incidents.date_start is 'First day the event may have happened on (inclusive).';
comment on column incidents.date_end is 'Last day the event may have happened on (inclusive).';
comment on column incidents.date_precision is 'How precisely the date is known: day, week, month or year.';
comment on column incidents.place_name is 'Most specific place named: a district, town or city (e.g. "Sayyida Zaynab"), else admin1 or country.';
comment on column incidents.admin1 is 'First-level administrative division (province/governorate/state); NULL when unknown.';
comment on column incidents.country is 'Country name (GeoNames English short name); NULL when unknown.';
comment on column incidents.country_code is 'ISO 3166-1 alpha-2 country code; NULL when unknown.';
comment on column incidents.latitude is 'WGS84 latitude in decimal degrees of place_name (GeoNames or the alias table); NULL when no place is known.';
comment on column incidents.longitude is 'WGS84 longitude in decimal degrees of place_name; NULL when no place is known.';
comment on column incidents.geo_precision is 'What the coordinates stand for: point (district/neighbourhood), city, admin1 or country; NULL when no place.';
comment on column incidents.attack_type is 'Attack type from the documented taxonomy (pipelines/nlp/attack_types.py): suicide_bombing, car_bomb, ied, bombing, shelling, air_strike, armed_assault, kidnapping, assassination, arson, other; NULL when not stated.';
comment on column incidents.n_attacks is 'Number of blasts/attacks the reporting says made up this event (e.g. 4 for "four blasts"); NULL when not stated.';
comment on column incidents.perpetrator is 'Who carried it out according to the reporting (claimed or attributed); NULL when unknown.';
comment on column incidents.claimed_by is 'Group that claimed responsibility (e.g. "Islamic State"); NULL when no claim was reported.';
comment on column incidents.is_historical is 'True when the event is only mentioned in passing as an earlier event (e.g. "an attack last month killed 60"), not reported as news.';
comment on column incidents.n_articles is 'Number of distinct loaded articles with a mention of this incident.';
comment on column incidents.n_sources is 'Number of distinct sources (claimants, or outlets for unattributed figures) that gave a casualty figure for it.';
comment on column incidents.n_mentions is 'Number of event mentions grouped into it (see incident_mentions).';
comment on column incidents.first_reported_at is 'Publication time (UTC) of the earliest article mentioning it.';
comment on column incidents.last_reported_at is 'Publication time (UTC) of the latest article mentioning it.';

create table if not exists incident_mentions (
    mention_id      varchar not null,
    incident_id     varchar not null,
    article_id      varchar not null,
    reported_at     timestamptz not null,
    place_name      varchar,
    event_date      date,
    date_precision  varchar not null,
    attack_type     varchar,
    decision        varchar not null,
    matched_mention_id varchar,
    reason          varchar not null,
    evidence        varchar not null
);
comment on table incident_mentions is 'Why each event mention belongs to its incident: the resolution decision, queryable. Key: mention_id, unique (asset check keys_are_unique).';
comment on column incident_mentions.mention_id is 'Id of the event mention (one event as one article speaks of it).';
comment on column incident_mentions.incident_id is 'Incident it was grouped into.';
comment on column incident_mentions.article_id is 'Article the mention comes from.';
comment on column incident_mentions.reported_at is 'Publication time (UTC) of that article.';
comment on column incident_mentions.place_name is 'Place the mention names (most specific).';
comment on column incident_mentions.event_date is 'Event date the mention gives (resolved against the publication date).';
comment on column incident_mentions.date_precision is 'Precision of that date: day, week, month, year.';
comment on column incident_mentions.attack_type is 'Attack type the mention gives, if any.';
comment on column incident_mentions.decision is '"anchor" (first mention of a new incident) or "merged" (joined an existing incident).';
comment on column incident_mentions.matched_mention_id is 'For merged mentions: the mention it matched; NULL for anchors.';
comment on column incident_mentions.reason is 'In words: which rules matched (date window, place hierarchy, attack type, perpetrator) or why no incident matched.';
comment on column incident_mentions.evidence is 'The sentence(s) that carry the mention.';

create table if not exists claims (
    claim_id        varchar not null,
    article_id      varchar not null,
    incident_id     varchar,
    category        varchar not null,
    value_low       integer,
    value_high      integer,
    qualifier       varchar not null,
    raw_phrase      varchar not null,
    claimant        varchar,
    claimant_kind   varchar not null,
    source          varchar not null,
    is_aggregate    boolean not null,
    is_perpetrator_claim boolean not null,
    is_superseded   boolean not null,
    in_title        boolean not null,
    evidence        varchar not null,
    char_start      integer not null,
    char_end        integer not null,
    reported_at     timestamptz not null,
    outlet          varchar
);
comment on table claims is 'One casualty figure stated in one article, attributed to who gave it, linked to its incident. Every figure of incident_casualties points back here. Key: claim_id, unique (asset check keys_are_unique).';
comment on column claims.claim_id is 'Stable id: "c_" + 16 hex digits of sha256(article_id, char_start, char_end, category).';
comment on column claims.article_id is 'Article that states the figure (articles.article_id).';
comment on column claims.incident_id is 'Incident the figure is about; NULL only for aggregate claims (see aggregate_claims for what they span).';
comment on column claims.category is 'What the figure counts: killed, wounded, missing, kidnapped or arrested (people).';
comment on column claims.value_low is 'Lower bound of the figure, in people. NULL for "up to N" (no lower bound stated).';
comment on column claims.value_high is 'Upper bound in people; NULL means open-ended ("at least 83" -> 83, NULL).';
comment on column claims.qualifier is 'How the figure was stated: exact, at_least, more_than, at_most, about, range, vague.';
comment on column claims.raw_phrase is 'The words that state the figure, verbatim from the article.';
comment on column claims.claimant is 'Who the article says gave the figure, normalised (e.g. "Syrian Observatory for Human Rights", "state TV", "Amaq"); NULL when unattributed.';
comment on column claims.claimant_kind is 'monitor, government, state_media, militant, medical, witness, media or unattributed.';
comment on column claims.source is 'Source used for "one figure per source" in reconciliation: the claimant, or the outlet (or article) when unattributed.';
comment on column claims.is_aggregate is 'True when the figure covers several incidents ("more than 140 killed in Damascus and Homs"); never used as one incident''s figure.';
comment on column claims.is_perpetrator_claim is 'True when the claimant is the group that claimed or is blamed for the attack (claimant_kind militant); never sets best.';
comment on column claims.is_superseded is 'True when a later claim from the same source for the same incident and category replaced it (tolls are revised, not averaged).';
comment on column claims.in_title is 'True when the figure is stated in the headline; char_start/char_end then index into articles.title.';
comment on column claims.evidence is 'The sentence (or headline) that states the figure.';
comment on column claims.char_start is 'Offset (0-based, in characters) of raw_phrase in articles.text (articles.title when in_title).';
comment on column claims.char_end is 'End offset (exclusive) of raw_phrase in articles.text.';
comment on column claims.reported_at is 'Publication time (UTC) of the article.';
comment on column claims.outlet is 'Outlet of the article, when known.';

create table if not exists incident_casualties (
    incident_id     varchar not null,
    category        varchar not null,
    low             integer not null,
    best            integer not null,
    high            integer not null,
    high_open       boolean not null,
    n_claims        integer not null,
    n_sources       integer not null,
    conflicting     boolean not null,
    best_claim_id   varchar not null,
    low_claim_id    varchar not null,
    high_claim_id   varchar not null,
    basis           varchar not null
);
comment on table incident_casualties is 'Reconciled casualty range per incident and category (DESIGN.md §4 rules, pipelines/reconcile.py). Key: (incident_id, category), unique (asset check keys_are_unique).';
comment on column incident_casualties.incident_id is 'Incident (incidents.incident_id).';
comment on column incident_casualties.category is 'killed, wounded, missing, kidnapped or arrested.';
comment on column incident_casualties.low is 'Smallest credible lower bound over the sources'' latest figures, in people.';
comment on column incident_casualties.best is 'Most recent figure from the most credible independent source (perpetrator claims never), in people.';
comment on column incident_casualties.high is 'Largest figure any source stated, in people; never NULL.';
comment on column incident_casualties.high_open is 'True when the source of high gave it as a lower bound ("at least", "more than").';
comment on column incident_casualties.n_claims is 'Number of non-aggregate claims for this incident and category (superseded ones included).';
comment on column incident_casualties.n_sources is 'Number of distinct sources among those claims.';
comment on column incident_casualties.conflicting is 'True when the sources'' latest figures disagree (their intervals do not all overlap).';
comment on column incident_casualties.best_claim_id is 'Claim that set best (claims.claim_id).';
comment on column incident_casualties.low_claim_id is 'Claim that set low.';
comment on column incident_casualties.high_claim_id is 'Claim that set high.';
comment on column incident_casualties.basis is 'In words: which claim and source set best, and why.';

create table if not exists aggregate_claims (
    claim_id        varchar not null,
    article_id      varchar not null,
    category        varchar not null,
    value_low       integer,
    value_high      integer,
    qualifier       varchar not null,
    raw_phrase      varchar not null,
    incident_ids    varchar[] not null,
    n_incidents     integer not null,
    parts_low_sum   integer,
    status          varchar not null,
    detail          varchar not null
);
comment on table aggregate_claims is 'Figures that span several incidents, linked to the incidents they span and checked against them; never used as one incident''s figure. Key: claim_id, unique (asset check keys_are_unique).';
comment on column aggregate_claims.claim_id is 'The aggregate claim (claims.claim_id).';
comment on column aggregate_claims.article_id is 'Article that states it.';
comment on column aggregate_claims.category is 'killed, wounded, ...';
comment on column aggregate_claims.value_low is 'Lower bound of the aggregate figure, in people.';
comment on column aggregate_claims.value_high is 'Upper bound; NULL when open-ended.';
comment on column aggregate_claims.qualifier is 'How it was stated (exact, more_than, ...).';
comment on column aggregate_claims.raw_phrase is 'The words stating it.';
comment on column aggregate_claims.incident_ids is 'Incidents the figure spans (resolved from the places it names and the article''s events).';
comment on column aggregate_claims.n_incidents is 'Number of incidents linked.';
comment on column aggregate_claims.parts_low_sum is 'Sum of the linked incidents'' low for this category; NULL when a part has no figure.';
comment on column aggregate_claims.status is 'consistent (parts'' lows summed <= aggregate high, or high open), inconsistent (they exceed it), incomplete (a part has no figure) or unlinked (fewer than two incidents found).';
comment on column aggregate_claims.detail is 'The check in words.';
