-- incidents_per_country_month.sql
--
-- What it answers
--   How many incidents happened per country and calendar month, and how many people
--   they killed and wounded (sums of the reconciled best figures).
--
-- How to read the output (one row per country x month, oldest month first)
--   month              'YYYY-MM' of incidents.event_date. Incidents known only to the
--                      month or the year are counted in their first month (event_date
--                      is the first day of the period): see n_month_precision and
--                      n_year_precision before reading a January peak as real.
--   country            incidents.country; '(unknown)' when no country was resolved.
--   n_incidents        incidents in that country and month (undated incidents are not
--                      counted anywhere; the per-month counts add up to the number of
--                      incidents with an event_date).
--   n_historical       of which only mentioned in passing as earlier events.
--   n_day_precision    of which dated to the day or week; n_month_precision,
--                      n_year_precision: dated only to the month / year.
--   n_with_killed      of which have a killed figure; killed_best_sum sums their best.
--   wounded_best_sum   same for wounded (NULL when none has a wounded figure).
--   places             distinct place names, alphabetical.
--   Sums add up per-incident best figures: an incident misgrouped or misplaced by the
--   extraction moves its whole toll; check deadliest_incidents.sql for outliers.
--
-- Parameters (optional DuckDB variables, set them before running the file)
--   set variable exclude_historical = true; -- leave out earlier events mentioned in
--                                           -- passing (default false: all dated incidents)

with

dated_incidents as (
    select
        incident_id,
        coalesce(country, '(unknown)') as country,
        country_code,
        strftime(event_date, '%Y-%m') as month,
        date_precision,
        place_name,
        is_historical
    from incidents
    where event_date is not null
        and not (coalesce(getvariable('exclude_historical'), false) and is_historical)
),

killed as (
    select
        incident_id,
        best
    from incident_casualties
    where category = 'killed'
),

wounded as (
    select
        incident_id,
        best
    from incident_casualties
    where category = 'wounded'
)

select
    d.month,
    d.country,
    any_value(d.country_code) as country_code,
    count(*) as n_incidents,
    count(*) filter (where d.is_historical) as n_historical,
    count(*) filter (where d.date_precision in ('day', 'week')) as n_day_precision,
    count(*) filter (where d.date_precision = 'month') as n_month_precision,
    count(*) filter (where d.date_precision = 'year') as n_year_precision,
    count(k.best) as n_with_killed,
    sum(k.best) as killed_best_sum,
    sum(w.best) as wounded_best_sum,
    string_agg(distinct d.place_name, ', ' order by d.place_name) as places
from dated_incidents as d
left join killed as k on k.incident_id = d.incident_id
left join wounded as w on w.incident_id = d.incident_id
group by d.month, d.country
order by month, n_incidents desc, country;
