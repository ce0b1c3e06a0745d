"""Measurement harness for extraction quality (`make eval`).

`eval.matching` holds the pure rules (name normalisation, alias tables, how a prediction
is compared with a label, precision/recall arithmetic); `eval.score` builds an archive
from a labelled set, runs the real pipeline on it and scores the warehouse it produced.
"""
