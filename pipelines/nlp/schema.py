"""The rows extraction produces: one per event mention, one per casualty claim.

Without spaCy, so that the run's own process can build frames of rows extracted by
worker processes without loading it."""

from __future__ import annotations

import polars as pl

EVENT_SCHEMA = {
    "mention_id": pl.String, "article_id": pl.String, "partition_date": pl.Date, "ordinal": pl.Int32,
    "reported_at": pl.Datetime("us", "UTC"), "outlet": pl.String, "event_date": pl.Date, "date_start": pl.Date,
    "date_end": pl.Date, "date_precision": pl.String, "is_historical": pl.Boolean, "place_name": pl.String,
    "place_id": pl.String, "parent": pl.String, "admin1": pl.String, "country": pl.String,
    "country_code": pl.String, "latitude": pl.Float64, "longitude": pl.Float64, "geo_precision": pl.String,
    "attack_type": pl.String, "n_attacks": pl.Int32, "perpetrator": pl.String, "claimed_by": pl.String,
    "evidence": pl.String, "char_start": pl.Int32, "char_end": pl.Int32,
}
CLAIM_SCHEMA = {
    "claim_id": pl.String, "mention_id": pl.String, "article_id": pl.String, "partition_date": pl.Date,
    "reported_at": pl.Datetime("us", "UTC"), "outlet": pl.String, "category": pl.String,
    "value_low": pl.Int64, "value_high": pl.Int64, "qualifier": pl.String, "raw_phrase": pl.String,
    "claimant": pl.String, "claimant_kind": pl.String, "is_aggregate": pl.Boolean,
    "aggregate_mention_ids": pl.List(pl.String), "in_title": pl.Boolean, "evidence": pl.String,
    "char_start": pl.Int32, "char_end": pl.Int32,
}


def to_frames(events: list[dict], claims: list[dict]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Event and claim rows as frames of their schemas."""
    return pl.DataFrame(events, schema=EVENT_SCHEMA), pl.DataFrame(claims, schema=CLAIM_SCHEMA)
