"""Score the real pipeline's extraction against labelled passages (`make eval`).

For each labelled set:

1. build an archive in a temporary directory: every passage becomes one article in the
   folder of its `published` day (`<day>/<id>.jsonl` with `id`, `url` = `eval://<id>`,
   `text` and `title` when there is one);
2. run the real pipeline on it: `pipelines.run.run_archive(archive_root, warehouse_path)`;
3. open the warehouse read-only and read the contract tables (DESIGN.md §3);
4. score each field and print a table; write it, with up to 15 failures per field, to
   `<out>/<set>.json` (default `eval/results/`, git-ignored).

Which claim and which incident stand for an article (the dev-set README's rule):

- the article's figure for killed (wounded) is its largest non-aggregate claim of that
  category, compared by `value_low` (`value_high` for "up to N"). Claims by a militant
  claimant are set aside when any other claim exists: a perpetrator's boast is never the
  incident's figure (DESIGN.md §4), and the gold set tests exactly that;
- gold > 0: right when that figure equals the label ("more than N" may be N or N+1; a
  vague label such as "dozens" is matched by a vague claim). Gold = 0: right when the
  figure is absent or 0; the false-positive rate on those rows is reported separately;
- the article's incident is that of its main killed claim, else of any claim, else the
  incident its event mentions were grouped into (`incident_mentions`: an attack reported
  without a figure is still an incident, its latest-dated mention first), else none
  (every incident field is then a miss); country, admin1, city, date, attack type and
  perpetrator are read from it;
- a null label means "none" in our gold set (a prediction there is a false positive) and
  "not coded" in the dev set (the row is left out of that field);
- a gold row may list `gold.alternatives` ({"admin1": [...]}) that also count as right,
  where the first-level unit or the place is legitimately named two ways.

Usage, from the repository root:

    python -m eval.score                 # eval/gold/gold.jsonl, and ../shared/eval/dev if present
    python -m eval.score --set dev --limit 20
    python -m eval.score --set gold --warehouse /tmp/w.duckdb   # re-score a kept warehouse

The dev set's text is written to temporary directories only, never into the repository.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

REPO_ROOT = Path(__file__).resolve().parents[1]
if __package__ in (None, ""):  # run as `python eval/score.py`
    sys.path.insert(0, str(REPO_ROOT))

from eval.matching import (  # noqa: E402
    Figure,
    Outcome,
    attack_type_matches,
    canonical_country,
    country_matches,
    date_matches,
    figure_matches,
    gold_figure,
    is_positive,
    is_unknown_label,
    name_matches,
    outcome,
    place_matches,
    qualified_figure_matches,
    summarise,
)

GOLD_PATH = REPO_ROOT / "eval" / "gold" / "gold.jsonl"
DEV_PATH = REPO_ROOT.parent / "shared" / "eval" / "dev" / "dev.jsonl"
RESULTS_DIR = REPO_ROOT / "eval" / "results"
MAX_FAILURES = 15
EXCERPT_CHARS = 220
# geo_precision values meaning the incident's place_name is not a city or district
# (DESIGN.md §3 words, and UCDP where_prec 4/6/7 for first-order admin, country, sea).
NOT_A_CITY_PRECISIONS = {"admin1", "country", "4", "6", "7"}


@dataclass(frozen=True)
class SetConfig:
    """How one labelled set is read and scored."""

    name: str
    path: Path
    # A null label means "none" (True: our gold set) or "not coded" (False: dev set).
    null_means_none: bool
    # Attack types are in a source dataset's vocabulary (GTD, the incident list).
    dataset_vocabulary: bool
    # Fields reported but flagged informative (vocabulary differs from the taxonomy).
    informative: frozenset[str] = frozenset()


SETS = {
    "gold": SetConfig("gold", GOLD_PATH, null_means_none=True, dataset_vocabulary=False,
                      informative=frozenset({"killed_best", "wounded_best"})),
    "dev": SetConfig("dev", DEV_PATH, null_means_none=False, dataset_vocabulary=True,
                     informative=frozenset({"attack_type", "perpetrator", "killed_best", "wounded_best"})),
}

# ---------------------------------------------------------------------------------------
# Archive
# ---------------------------------------------------------------------------------------


def load_rows(path: Path, limit: int | None = None) -> list[dict]:
    """Labelled rows of a JSONL file, the first `limit` of them when given."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if limit is not None and len(rows) >= limit:
                break
            if line.strip():
                rows.append(json.loads(line))
    return rows


def article_url(row_id: str) -> str:
    """The url a labelled row's article carries, which maps warehouse rows back to labels."""
    return f"eval://{row_id}"


def write_archive(rows: list[dict], root: Path) -> None:
    """Write each row as a one-line `.jsonl` article in the folder of its publication day."""
    for row in rows:
        day = str(row["published"])[:10]
        folder = root / day
        folder.mkdir(parents=True, exist_ok=True)
        record = {"id": row["id"], "url": article_url(row["id"]), "text": row["text"]}
        if row.get("title"):
            record["title"] = row["title"]
        name = re.sub(r"[^A-Za-z0-9._-]", "_", str(row["id"])) + ".jsonl"
        (folder / name).write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")


def run_pipeline(archive_root: Path, warehouse_path: Path) -> float:
    """Run the real pipeline on an archive; returns the seconds it took."""
    try:
        from pipelines.run import run_archive
    except ImportError as exc:
        raise SystemExit(
            f"eval: cannot import pipelines.run.run_archive ({exc}). Run from the repository "
            "root with the project's environment (make eval)."
        ) from exc
    started = time.perf_counter()
    run_archive(archive_root, warehouse_path)
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------
# Reading the warehouse
# ---------------------------------------------------------------------------------------


@dataclass
class Prediction:
    """What the warehouse says about one labelled article."""

    found: bool = False
    claims: list[dict] = field(default_factory=list)
    incident: dict | None = None
    casualties: dict[str, Any] = field(default_factory=dict)  # category → incident best

    def main_claim(self, category: str) -> dict | None:
        return main_claim(self.claims, category)


def claim_figure(claim: dict) -> Figure:
    """The figure a claim states: value_low, or value_high for "up to N" (at_most)."""
    low, high = claim.get("value_low"), claim.get("value_high")
    value = high if claim.get("qualifier") == "at_most" and high is not None else low
    if value is None:
        value = high
    return Figure(None if value is None else int(value), claim.get("qualifier"))


def _claim_order(claim: dict) -> tuple:
    figure = claim_figure(claim)
    return (
        -1 if figure.value is None else figure.value,
        claim.get("incident_id") is not None,
        str(claim.get("claim_id")),
    )


def main_claim(claims: list[dict], category: str) -> dict | None:
    """The article's largest non-aggregate claim of a category.

    Militant claims count only when the article has no other claim of that category.
    """
    candidates = [
        c for c in claims
        if c.get("category") == category and not c.get("is_aggregate")
        and (claim_figure(c).value is not None or c.get("qualifier") == "vague")
    ]
    credible = [c for c in candidates if c.get("claimant_kind") != "militant"]
    pool = credible or candidates
    return max(pool, key=_claim_order) if pool else None


def article_incident_id(claims: list[dict], mentions: list[dict] = ()) -> Any:
    """The incident of the main killed claim, else of any claim (largest first), else of
    the article's event mentions (latest event date first: a figure-less report of an
    attack is still an incident), else None."""
    killed = main_claim(claims, "killed")
    if killed is not None and killed.get("incident_id") is not None:
        return killed["incident_id"]
    linked = [c for c in claims if c.get("incident_id") is not None]
    if linked:
        return max(linked, key=lambda c: (not c.get("is_aggregate"), _claim_order(c)))["incident_id"]
    if mentions:
        latest = max(mentions, key=lambda m: (m.get("event_date") is not None, m.get("event_date") or dt.date.min,
                                              str(m["mention_id"])))
        return latest["incident_id"]
    return None


def _fetch_dicts(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, values)) for values in cursor.fetchall()]


def read_predictions(warehouse_path: Path, rows: list[dict]) -> dict[str, Prediction]:
    """Read the contract tables and gather, per labelled row id, its article's claims and incident.

    Articles are matched on url `eval://<id>`, falling back to article_id = id.
    """
    try:
        import duckdb
    except ImportError as exc:
        raise SystemExit("eval: the duckdb package is needed to read the warehouse") from exc
    if not Path(warehouse_path).exists():
        raise SystemExit(f"eval: no warehouse at {warehouse_path}")
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        articles = _fetch_dicts(con, "select article_id, url from articles")
        claims = _fetch_dicts(
            con,
            "select claim_id, article_id, incident_id, category, value_low, value_high, "
            "qualifier, claimant, claimant_kind, is_aggregate from claims",
        )
        incidents = {i["incident_id"]: i for i in _fetch_dicts(con, "select * from incidents")}
        try:
            mentions = _fetch_dicts(
                con, "select mention_id, incident_id, article_id, event_date from incident_mentions"
            )
        except duckdb.Error:
            mentions = []
        try:
            casualty_rows = _fetch_dicts(
                con, "select incident_id, category, best from incident_casualties"
            )
        except duckdb.Error:
            casualty_rows = []
    finally:
        con.close()

    by_url = {a["url"]: a["article_id"] for a in articles if a.get("url")}
    article_ids = {str(a["article_id"]) for a in articles}
    claims_by_article: dict[str, list[dict]] = {}
    for claim in claims:
        claims_by_article.setdefault(str(claim["article_id"]), []).append(claim)
    best = {(c["incident_id"], c["category"]): c["best"] for c in casualty_rows}
    mentions_by_article: dict[str, list[dict]] = {}
    for mention in mentions:
        mentions_by_article.setdefault(str(mention["article_id"]), []).append(mention)

    predictions = {}
    for row in rows:
        row_id = str(row["id"])
        article_id = by_url.get(article_url(row_id))
        if article_id is None and row_id in article_ids:
            article_id = row_id
        if article_id is None:
            predictions[row_id] = Prediction()
            continue
        article_claims = claims_by_article.get(str(article_id), [])
        incident_id = article_incident_id(article_claims, mentions_by_article.get(str(article_id), []))
        predictions[row_id] = Prediction(
            found=True,
            claims=article_claims,
            incident=incidents.get(incident_id) if incident_id is not None else None,
            casualties={
                category: best.get((incident_id, category)) for category in ("killed", "wounded")
            },
        )
    return predictions


# ---------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------


def predicted_city(incident: dict | None) -> str | None:
    """The incident's place_name when it names a city or district.

    Not when geo_precision says the place is an admin1 or a country.
    """
    if not incident or not incident.get("place_name"):
        return None
    if str(incident.get("geo_precision") or "").lower() in NOT_A_CITY_PRECISIONS:
        return None
    # A place_name equal to the admin1 is kept (Baghdad, Kabul, Aden are both); one equal to
    # the country is not a city.
    if canonical_country(incident["place_name"]) == canonical_country(incident.get("country")):
        return None
    return incident["place_name"]


def _incident_value(name: str) -> Callable[[Prediction], Any]:
    return lambda p: (p.incident or {}).get(name)


def _figure_of(category: str) -> Callable[[Prediction], Figure | None]:
    def predicted(p: Prediction) -> Figure | None:
        claim = p.main_claim(category)
        return claim_figure(claim) if claim else None
    return predicted


def _best_of(category: str) -> Callable[[Prediction], Figure | None]:
    def predicted(p: Prediction) -> Figure | None:
        best = p.casualties.get(category)
        return Figure(int(best)) if best is not None else None
    return predicted


def _claim_value(name: str) -> Callable[[Prediction], Any]:
    def predicted(p: Prediction) -> Any:
        claim = p.main_claim("killed")
        if claim is None:
            return None
        value = claim.get(name)
        return None if name == "claimant" and claim.get("claimant_kind") == "unattributed" else value
    return predicted


def _perpetrator(p: Prediction) -> Any:
    incident = p.incident or {}
    return incident.get("perpetrator") or incident.get("claimed_by")


@dataclass(frozen=True)
class FieldSpec:
    """One scored field: where its label and prediction come from and how they compare.

    kind: "figure" (killed/wounded: 0 is a known absence), "positive_figure" (scored on
    rows whose label states casualties only), or "value".
    """

    name: str
    label_key: str
    predicted: Callable[[Prediction], Any]
    matches: Callable[[Any, Any, dict, SetConfig], bool]
    kind: str = "value"


def _text_present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and is_unknown_label(value))


FIELDS: list[FieldSpec] = [
    FieldSpec("killed", "killed", _figure_of("killed"), lambda g, p, r, c: figure_matches(g, p), "figure"),
    FieldSpec("wounded", "wounded", _figure_of("wounded"), lambda g, p, r, c: figure_matches(g, p), "figure"),
    FieldSpec("killed_qualifier", "killed", _figure_of("killed"),
              lambda g, p, r, c: qualified_figure_matches(g, p), "positive_figure"),
    FieldSpec("wounded_qualifier", "wounded", _figure_of("wounded"),
              lambda g, p, r, c: qualified_figure_matches(g, p), "positive_figure"),
    FieldSpec("killed_best", "killed", _best_of("killed"), lambda g, p, r, c: figure_matches(g, p), "positive_figure"),
    FieldSpec("wounded_best", "wounded", _best_of("wounded"), lambda g, p, r, c: figure_matches(g, p), "positive_figure"),
    FieldSpec("country", "country", _incident_value("country"), lambda g, p, r, c: country_matches(g, p)),
    FieldSpec("admin1", "admin1", _incident_value("admin1"), lambda g, p, r, c: place_matches(g, p)),
    FieldSpec("city", "city", lambda p: predicted_city(p.incident), lambda g, p, r, c: place_matches(g, p)),
    FieldSpec("event_date", "event_date", _incident_value("event_date"),
              lambda g, p, r, c: date_matches(g, p, r["gold"].get("date_precision") or "day")),
    FieldSpec("date_precision", "date_precision", _incident_value("date_precision"),
              lambda g, p, r, c: str(g).lower() == str(p).lower()),
    FieldSpec("attack_type", "attack_type", _incident_value("attack_type"),
              lambda g, p, r, c: attack_type_matches(g, p, dataset_vocabulary=c.dataset_vocabulary)),
    FieldSpec("perpetrator", "perpetrator", _perpetrator, lambda g, p, r, c: name_matches(g, p)),
    FieldSpec("claimed_by", "claimed_by", _incident_value("claimed_by"), lambda g, p, r, c: name_matches(g, p)),
    FieldSpec("claimant", "claimant", _claim_value("claimant"), lambda g, p, r, c: name_matches(g, p)),
    FieldSpec("claimant_kind", "claimant_kind", _claim_value("claimant_kind"),
              lambda g, p, r, c: str(g).lower() == str(p).lower()),
]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Figure):
        return {"value": value.value, "qualifier": value.qualifier}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[:EXCERPT_CHARS].rstrip() + "…"


def score_field(spec: FieldSpec, row: dict, prediction: Prediction, config: SetConfig) -> tuple[Outcome, Any, Any] | None:
    """The outcome of one row on one field, with the label and prediction it compared; None when out of scope."""
    if spec.label_key not in row["gold"]:
        return None
    if row.get("scorable", {}).get(spec.label_key) is False:
        return None
    raw = row["gold"][spec.label_key]
    predicted = spec.predicted(prediction)

    if spec.kind in ("figure", "positive_figure"):
        gold = gold_figure(raw)
        present = is_positive(gold)
        if spec.kind == "positive_figure" and not present:
            return None
        if spec.kind == "positive_figure" and spec.name.endswith("_qualifier") and gold.qualifier is None:
            return None
        if spec.kind == "positive_figure" and spec.name.endswith("_best") and gold.value is None:
            return None  # a vague label has no number to compare a best estimate with
        known_zero = gold is not None and gold.value == 0
        absent_known = known_zero or (gold is None and config.null_means_none)
        pred_present = is_positive(predicted)
        correct = present and spec.matches(gold, predicted, row, config)
        return outcome(present, pred_present, correct, absent_known), gold, predicted

    present = _text_present(raw)
    pred_present = _text_present(predicted)
    accepted = [raw, *row["gold"].get("alternatives", {}).get(spec.label_key, [])]
    correct = present and pred_present and any(
        spec.matches(label, predicted, row, config) for label in accepted
    )
    return outcome(present, pred_present, correct, config.null_means_none), raw, predicted


def score_rows(rows: list[dict], predictions: dict[str, Prediction], config: SetConfig) -> dict:
    """Per-field summaries, the gold = 0 false-positive rates and failure examples."""
    fields, failures, zero_rows = {}, {}, {}
    for spec in FIELDS:
        outcomes, examples = [], []
        zero_n = zero_fp = 0
        for row in rows:
            prediction = predictions.get(str(row["id"]), Prediction())
            scored = score_field(spec, row, prediction, config)
            if scored is None:
                continue
            result, gold, predicted = scored
            outcomes.append(result)
            if spec.kind == "figure" and gold is not None and gold.value == 0:
                zero_n += 1
                zero_fp += result.predicted
            if result.in_scope and not result.hit and len(examples) < MAX_FAILURES:
                examples.append({
                    "id": row["id"],
                    "gold": _jsonable(gold),
                    "predicted": _jsonable(predicted),
                    "article_found": prediction.found,
                    "excerpt": _excerpt(row["text"]),
                })
        if not any(o.in_scope for o in outcomes):
            continue
        fields[spec.name] = summarise(outcomes) | {"informative": spec.name in config.informative}
        failures[spec.name] = examples
        if spec.kind == "figure":
            zero_rows[spec.name] = {
                "n": zero_n,
                "false_positives": zero_fp,
                "false_positive_rate": round(zero_fp / zero_n, 4) if zero_n else None,
            }
    return {"fields": fields, "zero_rows": zero_rows, "failures": failures}


# ---------------------------------------------------------------------------------------
# Reporting and CLI
# ---------------------------------------------------------------------------------------


def format_table(report: dict) -> str:
    """The per-field scores as a fixed-width text table."""
    def rate(value: float | None) -> str:
        return "   -" if value is None else f"{value:.3f}"

    lines = [
        f"{report['set']} set: {report['n_rows']} passages, {report['articles_found']} articles "
        f"found in the warehouse, pipeline {report['pipeline_seconds']} s",
        f"{'field':<18}{'n':>5}{'gold':>6}{'pred':>6}{'right':>7}{'precision':>11}{'recall':>8}{'accuracy':>10}",
    ]
    for name, s in report["fields"].items():
        flag = "  (informative)" if s["informative"] else ""
        lines.append(
            f"{name:<18}{s['n']:>5}{s['gold']:>6}{s['predicted']:>6}{s['correct']:>7}"
            f"{rate(s['precision']):>11}{rate(s['recall']):>8}{rate(s['accuracy']):>10}{flag}"
        )
    for name, z in report["zero_rows"].items():
        if z["n"]:
            lines.append(
                f"{name}, gold = 0: {z['n']} rows, {z['false_positives']} with a figure > 0 "
                f"(false-positive rate {z['false_positive_rate']:.3f})"
            )
    if report["articles_missing"]:
        shown = ", ".join(report["articles_missing"][:10])
        lines.append(f"missing from the warehouse: {len(report['articles_missing'])} ({shown})")
    return "\n".join(lines)


def evaluate_set(config: SetConfig, *, limit: int | None, out_dir: Path,
                 warehouse: Path | None = None, keep_temp: bool = False) -> dict:
    """Build the archive, run the pipeline (unless a warehouse is given), score, write JSON."""
    rows = load_rows(config.path, limit)
    workdir = Path(tempfile.mkdtemp(prefix=f"incident-ledger-eval-{config.name}-"))
    try:
        seconds = 0.0
        if warehouse is None:
            archive = workdir / "archive"
            write_archive(rows, archive)
            warehouse = workdir / "warehouse.duckdb"
            seconds = run_pipeline(archive, warehouse)
        predictions = read_predictions(warehouse, rows)
    finally:
        if keep_temp:
            print(f"eval: kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    report = {
        "set": config.name,
        "n_rows": len(rows),
        "articles_found": sum(p.found for p in predictions.values()),
        "articles_missing": [str(r["id"]) for r in rows if not predictions[str(r["id"])].found],
        "pipeline_seconds": round(seconds, 1),
    } | score_rows(rows, predictions, config)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{config.name}.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    return report


def main(argv: list[str] | None = None) -> int:
    """Command line: score the gold set, and the dev set when it is there."""
    parser = argparse.ArgumentParser(prog="python -m eval.score", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=("gold", "dev", "all"), default="all",
                        help="which labelled set to score (all: gold, and dev when present)")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N passages of each set")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR, help="directory for <set>.json results")
    parser.add_argument("--warehouse", type=Path, default=None,
                        help="score this existing warehouse instead of running the pipeline (one set only)")
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary archive and warehouse")
    args = parser.parse_args(argv)

    names = ["gold", "dev"] if args.set == "all" else [args.set]
    if args.set == "all" and not DEV_PATH.exists():
        print(f"eval: no dev set at {DEV_PATH}, scoring the gold set only", file=sys.stderr)
        names = ["gold"]
    if args.warehouse is not None and len(names) != 1:
        parser.error("--warehouse needs --set gold or --set dev")
    for name in names:
        config = SETS[name]
        if not config.path.exists():
            parser.error(f"{config.path} does not exist")
        report = evaluate_set(config, limit=args.limit, out_dir=args.out,
                              warehouse=args.warehouse, keep_temp=args.keep_temp)
        print(format_table(report))
        print(f"-> {args.out / (name + '.json')}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
