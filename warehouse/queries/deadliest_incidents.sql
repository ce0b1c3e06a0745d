-- deadliest_incidents.sql
--
-- What it answers
--   Which incidents killed the most people: the reconciled killed range (low / best /
--   high) with its open-ended marker, the wounded range, and every source's latest
--   killed figure, so each number can be traced back to who said it.
--
-- How to read the output (one row per incident, deadliest first)
--   rank               1 = highest killed_best (ties: higher killed_high, earlier date).
--   killed_range       "low-best-high", or one number when low = best = high; a trailing
--                      "+" means the largest figure was stated as a lower bound ("at
--                      least 83"), i.e. killed_high_open: the true toll may be higher.
--   killed_low/best/high, killed_high_open
--                      the incident_casualties row for category 'killed'.
--   wounded_range      same notation for 'wounded' (NULL when nobody gave a figure).
--   conflicting        the sources' latest figures do not all overlap.
--   n_killed_sources   distinct sources that gave a killed figure.
--   killed_sources     "source: figure" for each source's latest killed figure, largest
--                      first; "N+" = at least N, "up to N", "N-M" = a stated range.
--   killed_basis       why best is what it is (incident_casualties.basis).
--   Incidents without any killed figure are not listed.
--
-- Parameters (optional DuckDB variables, set them before running the file)
--   set variable top_n = 10;                -- number of rows (default 20)
--   set variable include_historical = true; -- also rank events only mentioned in
--                                           -- passing as earlier events (default false)

with

base_incidents as (
    select
        incident_id,
        event_date,
        date_precision,
        place_name,
        admin1,
        country,
        attack_type,
        claimed_by,
        is_historical
    from incidents
),

killed as (
    select
        incident_id,
        low,
        best,
        high,
        high_open,
        n_sources,
        conflicting,
        basis
    from incident_casualties
    where category = 'killed'
),

wounded as (
    select
        incident_id,
        low,
        best,
        high,
        high_open
    from incident_casualties
    where category = 'wounded'
),

killed_claims as (
    select
        incident_id,
        source,
        claimant_kind,
        reported_at,
        value_low,
        value_high,
        figure,
        figure_text
    from claim_timeline  -- non-aggregate claims only
    where category = 'killed'
        and not is_superseded
        and incident_id is not null
),

latest_per_source as (
    select
        incident_id,
        source,
        claimant_kind,
        figure,
        figure_text
    from killed_claims
    qualify row_number() over (
        partition by incident_id, source
        order by reported_at desc, figure desc
    ) = 1
),

sources_per_incident as (
    select
        incident_id,
        string_agg(source || ': ' || figure_text, '; ' order by figure desc, source) as killed_sources
    from latest_per_source
    group by incident_id
),

ranked as (
    select
        i.incident_id,
        i.event_date,
        i.date_precision,
        i.place_name,
        i.admin1,
        i.country,
        i.attack_type,
        i.claimed_by,
        i.is_historical,
        k.low as killed_low,
        k.best as killed_best,
        k.high as killed_high,
        k.high_open as killed_high_open,
        case
            when k.low = k.best and k.best = k.high then k.best::varchar
            else k.low || '-' || k.best || '-' || k.high
        end || case when k.high_open then '+' else '' end as killed_range,
        case
            when w.best is null then null
            when w.low = w.best and w.best = w.high then w.best::varchar
            else w.low || '-' || w.best || '-' || w.high
        end || case when w.high_open then '+' else '' end as wounded_range,
        w.low as wounded_low,
        w.best as wounded_best,
        w.high as wounded_high,
        k.conflicting,
        k.n_sources as n_killed_sources,
        s.killed_sources,
        k.basis as killed_basis,
        row_number() over (
            order by k.best desc, k.high desc, i.event_date, i.incident_id
        ) as rank
    from base_incidents as i
    inner join killed as k on k.incident_id = i.incident_id
    left join wounded as w on w.incident_id = i.incident_id
    left join sources_per_incident as s on s.incident_id = i.incident_id
    where coalesce(getvariable('include_historical'), false)
        or not i.is_historical
)

select
    rank,
    incident_id,
    event_date,
    date_precision,
    place_name,
    admin1,
    country,
    attack_type,
    claimed_by,
    is_historical,
    killed_range,
    killed_low,
    killed_best,
    killed_high,
    killed_high_open,
    wounded_range,
    wounded_low,
    wounded_best,
    wounded_high,
    conflicting,
    n_killed_sources,
    killed_sources,
    killed_basis
from ranked
where rank <= coalesce(getvariable('top_n'), 20)
order by rank;
