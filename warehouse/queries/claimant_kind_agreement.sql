-- claimant_kind_agreement.sql
--
-- What it answers
--   Over all incidents: how does each kind of claimant (monitor, government,
--   state_media, medical, media, witness, militant, unattributed) compare with the
--   reconciled best figure? Do militants inflate, do governments lowball, do monitors
--   agree with the final number?
--
-- How it is computed
--   For every incident x category x claimant kind, take that kind's LATEST figure (the
--   most recent claim from any source of that kind; its lower bound, or N for "up to N")
--   and divide it by the incident's best (incident_casualties.best). Aggregate claims
--   are left out (they are never one incident's figure), and so are incidents whose
--   best is 0.
--
-- How to read the output (one row per category x claimant kind)
--   n_incidents        incidents where this kind gave a figure for this category.
--   median_ratio       median of latest figure / best: 1.0 = typically agrees with best,
--                      > 1 = typically higher, < 1 = typically lower.
--   min_ratio, max_ratio   the extremes.
--   share_above        share of those incidents where the kind's figure is above best;
--   share_equal        ... equal to best; share_below ... below best (the three sum to 1).
--   n_set_best         incidents where the best figure itself came from this kind.
--   Ratios are per incident, so one incident with a huge ratio moves max_ratio, not
--   the median. Small n_incidents: read the shares as anecdotes, not rates.
--
-- Parameters (optional DuckDB variables, set them before running the file)
--   set variable category = 'killed';       -- one category only (default: all)

with

casualties as (
    select
        incident_id,
        category,
        best,
        best_claim_id
    from incident_casualties
    where best > 0
        and category = coalesce(getvariable('category'), category)
),

incident_claims as (
    select
        claim_id,
        incident_id,
        category,
        claimant_kind,
        reported_at,
        is_superseded,
        in_title,
        coalesce(value_low, value_high) as figure
    from claims
    where not is_aggregate
        and incident_id is not null
),

latest_per_kind as (
    select
        incident_id,
        category,
        claimant_kind,
        figure
    from incident_claims
    qualify row_number() over (
        partition by incident_id, category, claimant_kind
        order by reported_at desc, is_superseded, in_title, figure desc, claim_id
    ) = 1
),

best_kind as (
    select
        c.incident_id,
        c.category,
        b.claimant_kind
    from casualties as c
    inner join incident_claims as b on b.claim_id = c.best_claim_id
),

compared as (
    select
        l.incident_id,
        l.category,
        l.claimant_kind,
        l.figure,
        c.best,
        l.figure / c.best as ratio,
        coalesce(bk.claimant_kind = l.claimant_kind, false) as kind_set_best
    from latest_per_kind as l
    inner join casualties as c
        on c.incident_id = l.incident_id
        and c.category = l.category
    left join best_kind as bk
        on bk.incident_id = l.incident_id
        and bk.category = l.category
)

select
    category,
    claimant_kind,
    count(*) as n_incidents,
    round(median(ratio), 3) as median_ratio,
    round(min(ratio), 3) as min_ratio,
    round(max(ratio), 3) as max_ratio,
    round(avg(case when figure > best then 1.0 else 0.0 end), 3) as share_above,
    round(avg(case when figure = best then 1.0 else 0.0 end), 3) as share_equal,
    round(avg(case when figure < best then 1.0 else 0.0 end), 3) as share_below,
    count(*) filter (where kind_set_best) as n_set_best
from compared
group by category, claimant_kind
order by category, n_incidents desc, claimant_kind;
