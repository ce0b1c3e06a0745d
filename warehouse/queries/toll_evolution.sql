-- toll_evolution.sql
--
-- What it answers
--   How each incident's toll evolved: every figure every source gave, in publication
--   order, with what that source had said before and which figure the reconciliation
--   finally kept as best.
--
-- How to read the output (one row per claim; ordered by incident date, incident,
--   category, then reported_at)
--   step                    1, 2, 3 ... within incident x category, oldest first.
--   reported_at             publication time (UTC) of the article stating the figure.
--   source, claimant_kind   who gave it (source = the claimant, or the outlet when the
--                           article does not attribute the figure).
--   figure                  "N", "N+" (at least N: open-ended), "up to N" or "N-M".
--   previous_source_figure  the same source's previous figure for this incident and
--                           category (NULL on its first); change_vs_previous = figure
--                           minus it, in people (lower bounds compared).
--   highest_so_far          the largest lower bound any source had given up to this row.
--   is_superseded           a later figure from the same source replaced this one.
--   is_perpetrator_claim    given by the group blamed for or claiming the attack (never
--                           used as best).
--   sets_best               this claim is incident_casualties.best_claim_id.
--
-- Parameters (optional DuckDB variables, set them before running the file)
--   set variable incident_id = 'i_...';     -- one incident only (default: all)
--   set variable category = 'killed';       -- one category only (default: all)

with

timeline as (
    select
        incident_id,
        category,
        source,
        claimant,
        claimant_kind,
        outlet,
        reported_at,
        value_low,
        value_high,
        figure,
        figure_text,
        qualifier,
        raw_phrase,
        is_superseded,
        is_perpetrator_claim,
        claim_id,
        article_id
    from claim_timeline
    where incident_id = coalesce(getvariable('incident_id'), incident_id)
        and category = coalesce(getvariable('category'), category)
),

base_incidents as (
    select
        incident_id,
        event_date,
        place_name,
        country
    from incidents
),

best_claims as (
    select
        incident_id,
        category,
        best_claim_id
    from incident_casualties
),

figures as (
    select
        t.incident_id,
        i.event_date,
        i.place_name,
        i.country,
        t.category,
        t.reported_at,
        t.source,
        t.claimant_kind,
        t.outlet,
        t.value_low,
        t.value_high,
        t.figure as figure_value,
        t.figure_text as figure,
        t.qualifier,
        t.raw_phrase,
        t.is_superseded,
        t.is_perpetrator_claim,
        coalesce(t.claim_id = b.best_claim_id, false) as sets_best,
        t.claim_id,
        t.article_id
    from timeline as t
    inner join base_incidents as i on i.incident_id = t.incident_id
    left join best_claims as b
        on b.incident_id = t.incident_id
        and b.category = t.category
)

select
    incident_id,
    event_date,
    place_name,
    country,
    category,
    row_number() over incident_order as step,
    reported_at,
    source,
    claimant_kind,
    outlet,
    figure,
    qualifier,
    raw_phrase,
    lag(figure) over source_order as previous_source_figure,
    figure_value - lag(figure_value) over source_order as change_vs_previous,
    max(figure_value) over (
        incident_order rows between unbounded preceding and current row
    ) as highest_so_far,
    is_superseded,
    is_perpetrator_claim,
    sets_best,
    value_low,
    value_high,
    claim_id,
    article_id
from figures
window
    incident_order as (
        partition by incident_id, category
        order by reported_at, source, claim_id
    ),
    source_order as (
        partition by incident_id, category, source
        order by reported_at, claim_id
    )
order by event_date nulls last, incident_id, category, step;
