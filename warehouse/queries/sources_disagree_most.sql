-- sources_disagree_most.sql
--
-- What it answers
--   Where do the sources disagree most about a toll? For each incident and category
--   reported by at least two sources: how far apart the reconciled range is (high / low)
--   and who said what (each source's latest figure).
--
-- How to read the output (one row per incident x category, widest disagreement first)
--   high_low_ratio     incident_casualties.high / low, rounded to 2 decimals: 1.00 means
--                      every source's latest figure fits in one number, 2.00 means the
--                      largest figure is twice the smallest credible lower bound. NULL
--                      when low is 0. Always >= 1.
--   low, best, high, high_open
--                      the reconciled range (high_open: the high figure was "at least").
--   spread             high - low, in people.
--   conflicting        the sources' latest figures do not all overlap.
--   n_sources          distinct sources with a figure for this incident and category.
--   who_said_what      "source (claimant kind): figure" for each source's latest figure,
--                      largest first; "N+" = at least N, "up to N", "N-M" = a range.
--                      Unattributed figures are listed under their outlet, e.g.
--                      "Reuters (unattributed): 46".
--                      Superseded figures (revised later by the same source) are left
--                      out; see toll_evolution.sql for them.
--
-- Parameters (optional DuckDB variables, set them before running the file)
--   set variable category = 'wounded';      -- only this category (default: all)
--   set variable min_sources = 3;           -- at least this many sources (default 2)

with

casualties as (
    select
        incident_id,
        category,
        low,
        best,
        high,
        high_open,
        n_sources,
        conflicting
    from incident_casualties
    where category = coalesce(getvariable('category'), category)
),

base_incidents as (
    select
        incident_id,
        event_date,
        place_name,
        country
    from incidents
),

current_claims as (
    select
        incident_id,
        category,
        source,
        claimant_kind,
        reported_at,
        figure,
        figure_text
    from claim_timeline  -- non-aggregate claims only
    where not is_superseded
        and incident_id is not null
),

latest_per_source as (
    select
        incident_id,
        category,
        source,
        claimant_kind,
        figure,
        figure_text
    from current_claims
    qualify row_number() over (
        partition by incident_id, category, source
        order by reported_at desc, figure desc
    ) = 1
),

who_said_what as (
    select
        incident_id,
        category,
        count(*) as n_current_sources,
        string_agg(
            source
            || case when claimant_kind = 'unattributed' then '' else ' (' || claimant_kind || ')' end
            || ': ' || figure_text,
            '; '
            order by figure desc, source
        ) as who_said_what
    from latest_per_source
    group by incident_id, category
)

select
    c.incident_id,
    i.event_date,
    i.place_name,
    i.country,
    c.category,
    round(c.high / nullif(c.low, 0), 2) as high_low_ratio,
    c.low,
    c.best,
    c.high,
    c.high_open,
    c.high - c.low as spread,
    c.conflicting,
    c.n_sources,
    w.who_said_what
from casualties as c
inner join base_incidents as i on i.incident_id = c.incident_id
inner join who_said_what as w
    on w.incident_id = c.incident_id
    and w.category = c.category
where c.n_sources >= coalesce(getvariable('min_sources'), 2)
order by high_low_ratio desc nulls last, spread desc, incident_id, category;
