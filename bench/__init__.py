"""`make bench`: throughput and memory benchmark of the pipeline (not a test)."""
