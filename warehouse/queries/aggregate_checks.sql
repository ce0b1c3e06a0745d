-- aggregate_checks.sql
--
-- What it answers
--   Figures that span several incidents ("more than 140 killed in Damascus and Homs"):
--   which incidents each was linked to, what those incidents' own figures add up to,
--   and whether the warehouse's consistency check holds when recomputed here.
--
-- How to read the output (one row per aggregate claim, problems first)
--   figure                  the aggregate figure: "N", "N+" (at least N), "up to N", "N-M".
--   n_incidents             incidents the figure was linked to (aggregate_claims.incident_ids).
--   parts                   "place date (incident_id): low" for each linked incident, with
--                           "no figure" when that incident has none in this category.
--   parts_low_sum           the warehouse's sum of the parts' lows (NULL when a part has
--                           no figure); parts_low_sum_recomputed: the same, recomputed here.
--   status                  the warehouse's verdict: consistent (the parts' lows fit under
--                           the aggregate), inconsistent (they exceed its upper bound),
--                           incomplete (a part has no figure), unlinked (fewer than two
--                           incidents found).
--   status_recomputed       the same rules applied here; check_agrees = false flags a row
--                           where the stored check and this recomputation differ.
--   headroom                aggregate lower bound minus parts_low_sum: > 0 means the
--                           aggregate counts people the linked parts do not (a missing
--                           incident, or parts still under-reported).
--   outlet, claimant, reported_at, evidence   where the aggregate was stated.
--   No parameters.

with

aggregates as (
    select
        claim_id,
        article_id,
        category,
        value_low,
        value_high,
        qualifier,
        raw_phrase,
        incident_ids,
        n_incidents,
        parts_low_sum,
        status,
        detail
    from aggregate_claims
),

aggregate_sources as (
    select
        claim_id,
        claimant,
        outlet,
        reported_at,
        evidence
    from claims
    where is_aggregate
),

linked as (
    select
        a.claim_id,
        a.category,
        unnest(a.incident_ids) as incident_id
    from aggregates as a
),

parts as (
    select
        l.claim_id,
        l.incident_id,
        i.place_name,
        i.event_date,
        ic.low
    from linked as l
    left join incidents as i on i.incident_id = l.incident_id
    left join incident_casualties as ic
        on ic.incident_id = l.incident_id
        and ic.category = l.category
),

parts_per_aggregate as (
    select
        claim_id,
        count(*) as n_parts,
        count(low) as n_parts_with_figure,
        case when count(low) = count(*) then sum(low) end as parts_low_sum_recomputed,
        string_agg(
            coalesce(place_name, '?') || ' ' || coalesce(event_date::varchar, '?')
            || ' (' || incident_id || '): ' || coalesce(low::varchar, 'no figure'),
            '; '
            order by event_date, place_name, incident_id
        ) as parts
    from parts
    group by claim_id
),

rechecked as (
    select
        a.claim_id,
        a.category,
        case
            when a.value_low is null then 'up to ' || a.value_high
            when a.value_high is null then a.value_low || '+'
            when a.value_low = a.value_high then a.value_low::varchar
            else a.value_low || '-' || a.value_high
        end as figure,
        a.qualifier,
        a.raw_phrase,
        a.n_incidents,
        p.parts,
        a.parts_low_sum,
        p.parts_low_sum_recomputed,
        a.value_low - p.parts_low_sum_recomputed as headroom,
        a.status,
        case
            when a.n_incidents < 2 then 'unlinked'
            when p.parts_low_sum_recomputed is null then 'incomplete'
            when a.value_high is not null and p.parts_low_sum_recomputed > a.value_high then 'inconsistent'
            else 'consistent'
        end as status_recomputed,
        a.detail,
        s.outlet,
        s.claimant,
        s.reported_at,
        s.evidence,
        a.article_id
    from aggregates as a
    left join parts_per_aggregate as p on p.claim_id = a.claim_id
    left join aggregate_sources as s on s.claim_id = a.claim_id
)

select
    claim_id,
    category,
    figure,
    qualifier,
    raw_phrase,
    n_incidents,
    parts,
    parts_low_sum,
    parts_low_sum_recomputed,
    headroom,
    status,
    status_recomputed,
    status = status_recomputed
        and parts_low_sum is not distinct from parts_low_sum_recomputed as check_agrees,
    detail,
    outlet,
    claimant,
    reported_at,
    evidence,
    article_id
from rechecked
order by check_agrees, status <> 'consistent' desc, reported_at, claim_id;
