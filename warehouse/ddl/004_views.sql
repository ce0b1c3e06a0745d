-- Analyst views over the contract tables. "create or replace": always the current shape.

create or replace view incident_summary as
with killed as (
    select incident_id, low, best, high, high_open
    from incident_casualties
    where category = 'killed'
),
wounded as (
    select incident_id, low, best, high, high_open
    from incident_casualties
    where category = 'wounded'
)
select
    i.incident_id, i.event_date, i.date_start, i.date_end, i.date_precision,
    i.place_name, i.admin1, i.country, i.country_code, i.latitude, i.longitude,
    i.geo_precision, i.attack_type, i.n_attacks, i.perpetrator, i.claimed_by,
    i.is_historical, i.n_articles, i.n_sources, i.first_reported_at, i.last_reported_at,
    k.low as killed_low, k.best as killed_best, k.high as killed_high,
    k.high_open as killed_high_open,
    w.low as wounded_low, w.best as wounded_best, w.high as wounded_high,
    w.high_open as wounded_high_open
from incidents as i
left join killed as k using (incident_id)
left join wounded as w using (incident_id);
comment on view incident_summary is 'One row per incident with its killed and wounded ranges (NULL when no source gave a figure).';
comment on column incident_summary.incident_id is 'Incident id (incidents.incident_id).';
comment on column incident_summary.event_date is 'Best single date of the event (UTC day).';
comment on column incident_summary.date_start is 'First possible day (inclusive).';
comment on column incident_summary.date_end is 'Last possible day (inclusive).';
comment on column incident_summary.date_precision is 'day, week, month or year.';
comment on column incident_summary.place_name is 'Most specific place named.';
comment on column incident_summary.admin1 is 'First-level administrative division.';
comment on column incident_summary.country is 'Country name.';
comment on column incident_summary.country_code is 'ISO 3166-1 alpha-2 code.';
comment on column incident_summary.latitude is 'WGS84 latitude, decimal degrees.';
comment on column incident_summary.longitude is 'WGS84 longitude, decimal degrees.';
comment on column incident_summary.geo_precision is 'point, city, admin1 or country.';
comment on column incident_summary.attack_type is 'Attack type (taxonomy in pipelines/nlp/attack_types.py).';
comment on column incident_summary.n_attacks is 'Number of blasts/attacks stated.';
comment on column incident_summary.perpetrator is 'Perpetrator according to the reporting.';
comment on column incident_summary.claimed_by is 'Group that claimed responsibility.';
comment on column incident_summary.is_historical is 'Only mentioned in passing as an earlier event.';
comment on column incident_summary.n_articles is 'Articles mentioning it.';
comment on column incident_summary.n_sources is 'Distinct sources giving a figure.';
comment on column incident_summary.first_reported_at is 'Earliest article (UTC).';
comment on column incident_summary.last_reported_at is 'Latest article (UTC).';
comment on column incident_summary.killed_low is 'People killed: smallest credible lower bound.';
comment on column incident_summary.killed_best is 'People killed: best estimate.';
comment on column incident_summary.killed_high is 'People killed: largest figure stated.';
comment on column incident_summary.killed_high_open is 'killed_high was stated as a lower bound ("at least").';
comment on column incident_summary.wounded_low is 'People wounded: smallest credible lower bound.';
comment on column incident_summary.wounded_best is 'People wounded: best estimate.';
comment on column incident_summary.wounded_high is 'People wounded: largest figure stated.';
comment on column incident_summary.wounded_high_open is 'wounded_high was stated as a lower bound.';

create or replace view claim_timeline as
select
    c.incident_id, c.category, c.source, c.claimant, c.claimant_kind, c.outlet,
    c.reported_at, c.value_low, c.value_high, c.qualifier, c.raw_phrase,
    coalesce(c.value_low, c.value_high) as figure,
    case
        when c.value_low is null then 'up to ' || c.value_high
        when c.value_high is null then c.value_low || '+'
        when c.value_low = c.value_high then c.value_low::varchar
        else c.value_low || '-' || c.value_high
    end as figure_text,
    c.is_superseded, c.is_perpetrator_claim, c.claim_id, c.article_id
from claims as c
where c.incident_id is not null
order by c.incident_id, c.category, c.reported_at, c.source;
comment on view claim_timeline is 'How each incident''s figures evolved: incident x category x source x publication time, oldest first.';
comment on column claim_timeline.incident_id is 'Incident (incidents.incident_id).';
comment on column claim_timeline.category is 'killed, wounded, ...';
comment on column claim_timeline.source is 'Claimant, or outlet when unattributed.';
comment on column claim_timeline.claimant is 'Who gave the figure (NULL when unattributed).';
comment on column claim_timeline.claimant_kind is 'monitor, government, state_media, militant, medical, witness, media, unattributed.';
comment on column claim_timeline.outlet is 'Outlet of the article.';
comment on column claim_timeline.reported_at is 'Publication time of the article (UTC).';
comment on column claim_timeline.value_low is 'Lower bound in people (NULL for "up to N").';
comment on column claim_timeline.value_high is 'Upper bound in people (NULL = open-ended).';
comment on column claim_timeline.qualifier is 'exact, at_least, more_than, at_most, about, range, vague.';
comment on column claim_timeline.raw_phrase is 'The words stating the figure.';
comment on column claim_timeline.figure is 'The figure as one number of people: value_low, or value_high for "up to N".';
comment on column claim_timeline.figure_text is 'The figure as text: "83", "83+" (open-ended), "up to 30", "20-30".';
comment on column claim_timeline.is_superseded is 'A later figure from the same source replaced it.';
comment on column claim_timeline.is_perpetrator_claim is 'Given by the perpetrator (never sets best).';
comment on column claim_timeline.claim_id is 'claims.claim_id.';
comment on column claim_timeline.article_id is 'articles.article_id.';
