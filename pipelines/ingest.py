"""Reading one archive folder: parse, validate, normalise, de-duplicate (DESIGN.md §2).

Plain Python, no Dagster or DuckDB. Every record read ends up exactly once as a loaded
article, a duplicate of one, or a rejection with a reason code.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import hashlib
import json
import re
import unicodedata
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.cache import cache_file, load_or_build
from pipelines.settings import Settings

PARTITION_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ARTICLE_SUFFIXES = (".jsonl", ".jsonl.gz", ".txt")
CONTRACT_FIELDS = {"text", "id", "url", "outlet", "title", "published", "language"}
EXCERPT_CHARS = 200
SHINGLE_WORDS = 5

ARTICLE_SCHEMA = {
    "article_id": pl.String,
    "partition_date": pl.Date,
    "outlet": pl.String,
    "url": pl.String,
    "title": pl.String,
    "published_at": pl.Datetime("us", "UTC"),
    "language": pl.String,
    "text": pl.String,
    "n_words": pl.Int32,
    "content_sha256": pl.String,
    "source_file": pl.String,
    "line_no": pl.Int32,
    "source_id": pl.String,
    "extra_fields": pl.String,
}
DUPLICATE_SCHEMA = {
    "partition_date": pl.Date,
    "source_file": pl.String,
    "line_no": pl.Int32,
    "duplicate_of": pl.String,
    "kind": pl.String,
    "similarity": pl.Float64,
    "outlet": pl.String,
    "url": pl.String,
}
REJECTED_SCHEMA = {
    "partition_date": pl.Date,
    "source_file": pl.String,
    "line_no": pl.Int32,
    "reason_code": pl.String,
    "detail": pl.String,
    "raw_excerpt": pl.String,
}


class ArchiveError(RuntimeError):
    """The archive itself cannot be read (missing root, not a folder)."""


@dataclass
class Rejection(Exception):
    """A record that cannot be loaded, with its reason code (rejected_records)."""

    reason_code: str
    detail: str


@dataclass
class RawRecord:
    """One record as read from a file, before validation."""

    source_file: str
    line_no: int
    payload: bytes | dict | None = None
    rejection: Rejection | None = None
    excerpt: str | None = None


@dataclass
class PartitionIngest:
    """What one folder became: frames for articles, duplicates, rejections, and counts."""

    partition_date: str
    articles: pl.DataFrame
    duplicates: pl.DataFrame
    rejected: pl.DataFrame
    input_sha256: str
    n_files: int
    n_records_read: int

    @property
    def manifest(self) -> pl.DataFrame:
        return pl.DataFrame(
            {
                "partition_date": [dt.date.fromisoformat(self.partition_date)],
                "input_sha256": [self.input_sha256],
                "n_files": [self.n_files],
                "n_records_read": [self.n_records_read],
                "n_loaded": [self.articles.height],
                "n_duplicates": [self.duplicates.height],
                "n_rejected": [self.rejected.height],
            },
            schema_overrides={"n_files": pl.Int32, "n_records_read": pl.Int32, "n_loaded": pl.Int32,
                              "n_duplicates": pl.Int32, "n_rejected": pl.Int32},
        )


# --------------------------------------------------------------------------- archive


def check_archive_root(root: Path) -> Path:
    """The archive root, resolved; a clear error when it does not exist."""
    root = Path(root)
    if not root.exists():
        raise ArchiveError(f"archive {root} does not exist (set INCIDENT_ARCHIVE to a folder of YYYY-MM-DD/ day folders)")
    if not root.is_dir():
        raise ArchiveError(f"archive {root} is not a folder")
    return root.resolve()


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def latest_date_on_earth() -> dt.date:
    """Today where the date is furthest ahead (UTC+14), whatever this machine's time
    zone: a newsroom east of the archive may already file under tomorrow's date."""
    return (_utc_now() + dt.timedelta(hours=14)).date()


def is_valid_partition_name(name: str, today: dt.date | None = None) -> bool:
    """A folder name is a partition when it is a real calendar date from 2000-01-01 to
    today (`today`, else today somewhere on Earth: latest_date_on_earth)."""
    if not PARTITION_NAME.match(name):
        return False
    try:
        day = dt.date.fromisoformat(name)
    except ValueError:
        return False
    return dt.date(2000, 1, 1) <= day <= (today or latest_date_on_earth())


def is_day_folder(root: Path, entry: Path) -> bool:
    """An entry of the archive root is a day folder: a folder named by a valid day, not a
    symbolic link out of the archive (those are reported, never followed)."""
    if not (entry.is_dir() and is_valid_partition_name(entry.name)):
        return False
    return not entry.is_symlink() or entry.resolve().is_relative_to(root.resolve())


def list_partitions(root: Path) -> list[str]:
    """The day folders of the archive, oldest first."""
    root = check_archive_root(root)
    return sorted(p.name for p in root.iterdir() if is_day_folder(root, p))


def archive_problems(root: Path) -> pl.DataFrame:
    """Entries at the archive root that are not day folders: reported, never skipped silently."""
    root = check_archive_root(root)
    rows = []
    for entry in sorted(root.iterdir()):
        if is_day_folder(root, entry):
            continue
        if entry.name.startswith(".") or entry.name.lower() in {"readme.md", "readme.txt"}:
            continue  # documentation and hidden files next to the day folders
        kind = "folder" if entry.is_dir() else "file"
        if entry.is_dir() and is_valid_partition_name(entry.name):
            reason, detail = "symlink_outside_archive", f"day folder {entry.name!r} is a symbolic link out of the archive root; not followed"
        else:
            reason = "invalid_partition_folder"
            detail = f"{kind} {entry.name!r} at the archive root is not a YYYY-MM-DD day folder between 2000-01-01 and today (anywhere on Earth)"
        rows.append(
            {
                "partition_date": None,
                "source_file": entry.name,
                "line_no": None,
                "reason_code": reason,
                "detail": detail,
                "raw_excerpt": None,
            }
        )
    return pl.DataFrame(rows, schema=REJECTED_SCHEMA)


# --------------------------------------------------------------------------- normalising


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0]+")


def normalise_text(text: str) -> str:
    """NFC, control characters removed, line ends unified, space runs collapsed."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    # at most one blank line between paragraphs
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def content_hash(title: str | None, text: str) -> str:
    """sha256 of the lower-cased title and text: equal for exact duplicates."""
    return hashlib.sha256(f"{(title or '').lower()}\n{text.lower()}".encode()).hexdigest()


_FIGURE_WORDS = re.compile(
    r"\b(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|dozens?|scores?)\b", re.IGNORECASE)


def figures_in(text: str) -> frozenset[str]:
    """The numbers a text states: a near-copy with other numbers is a revision ("the toll
    rose to 83"), or another incident written from the same template, never a duplicate."""
    return frozenset(m.group(0).lower().rstrip(".,") for m in _FIGURE_WORDS.finditer(text))


def names_swapped(a: str, b: str) -> bool:
    """Whether one text has a proper name where the other has another ("gunmen stormed
    Kalafgan" / "gunmen stormed Chah Ab"): two events written from one template, not a
    copy. A syndicated copy adds or drops words (a credit line, a paragraph); it does not
    put another name in a name's place."""
    wa, wb = re.findall(r"[\w'’-]+", a), re.findall(r"[\w'’-]+", b)
    # a name moved or re-cased ("Beirut (AFP) -" / "BEIRUT ... (AFP)") is still in the other text
    all_a, all_b = {w.lower() for w in wa}, {w.lower() for w in wb}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, wa, wb, autojunk=False).get_opcodes():
        if tag != "replace":
            continue
        only_a = {w.lower() for w in wa[i1:i2] if w[:1].isupper()} - all_b
        only_b = {w.lower() for w in wb[j1:j2] if w[:1].isupper()} - all_a
        if only_a and only_b:
            return True
    return False


def shingles(text: str) -> set[int]:
    """Hashes of the 5-word shingles of a text (for near-duplicate detection)."""
    words = re.findall(r"\w+", text.lower())
    if len(words) < SHINGLE_WORDS:
        return {zlib.crc32(" ".join(words).encode())}
    return {zlib.crc32(" ".join(words[i : i + SHINGLE_WORDS]).encode()) for i in range(len(words) - SHINGLE_WORDS + 1)}


def parse_published(value: object, partition_date: str) -> dt.datetime:
    """The article's publication time in UTC; the folder's date when absent."""
    if value is None or value == "":
        return dt.datetime.fromisoformat(partition_date).replace(tzinfo=dt.UTC)
    if not isinstance(value, str):
        raise Rejection("wrong_type", f'"published" must be an ISO 8601 string, got {type(value).__name__}')
    try:
        stamp = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise Rejection("invalid_published", f'"published" is not an ISO 8601 date/time: {value[:40]!r}') from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    stamp = stamp.astimezone(dt.UTC)
    # a day's folder holds what was published that day where it was published: in UTC,
    # the next day at the latest (UTC-12)
    if stamp.date() > dt.date.fromisoformat(partition_date) + dt.timedelta(days=1):
        raise Rejection("invalid_published", f'"published" {value[:40]!r} is after the day of its folder, {partition_date}')
    return stamp


_ENGLISH_FUNCTION_WORDS = frozenset("the of and to in a was were said at least killed by on for with".split())


def _english_by_function_words(sample: str) -> bool:
    words = re.findall(r"[a-z]+", sample.lower())
    return bool(words) and sum(w in _ENGLISH_FUNCTION_WORDS for w in words) / len(words) > 0.12


@functools.cache
def _language_identifier():
    """py3langid's identifier, read from the pickle cache (0.05 s) rather than inflated
    from its xz model file (0.6 s) in every process."""
    from py3langid import langid

    model = Path(langid.MODEL_DIR) / langid.MODEL_FILE
    return load_or_build(cache_file("langid", ["py3langid"], [model]), lambda: langid.LanguageIdentifier.from_model_file(model))


_LANGUAGE_TAG = re.compile(r"([a-z]{2})(?:[-_][a-z0-9]+)*")


def _language_code(value: object) -> str | None:
    """The ISO 639-1 code of a given "language" ("en", "en-GB", "EN_us"); None when it is
    not such a tag ("English", "klingon"): the text's language is then detected."""
    match = _LANGUAGE_TAG.fullmatch(str(value).strip().lower()) if value not in (None, "") else None
    return match.group(1) if match else None


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, with py3langid (its model ships on PyPI).

    Short English wire copy full of names can fool a character model, so a text whose
    words are more than 12 % English function words is English whatever the model says;
    that cheap check runs first and the model only sees the other texts."""
    sample = text[:1000]  # plenty for a character model; classify costs grow with length
    if _english_by_function_words(sample):
        return "en"
    lang, _score = _language_identifier().classify(sample)
    return lang


# --------------------------------------------------------------------------- reading files


def _excerpt(raw: bytes | str) -> str:
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    return _CONTROL.sub("", raw[:EXCERPT_CHARS])


def _json_record(source_file: str, line_no: int, raw: bytes, settings: Settings) -> RawRecord:
    record = RawRecord(source_file, line_no, excerpt=_excerpt(raw))
    if len(raw) > settings.max_line_bytes:
        record.rejection = Rejection("line_too_long", f"line is {len(raw)} bytes, over the {settings.max_line_bytes}-byte limit")
        return record
    if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a byte-order mark some editors put at the start of a UTF-8 file
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        record.rejection = Rejection("invalid_utf8", f"invalid UTF-8 at byte {exc.start}")
        return record
    try:
        value = json.loads(decoded)
    except json.JSONDecodeError as exc:
        record.rejection = Rejection("malformed_json", f"malformed JSON: {exc.msg} (column {exc.colno})")
        return record
    if not isinstance(value, dict):
        record.rejection = Rejection("not_an_object", f"a JSON {type(value).__name__} where an article object was expected")
        return record
    record.payload = value
    return record


def _lines(data: Iterator[bytes]) -> Iterator[tuple[int, bytes]]:
    """Split a byte stream into (line_no, line) without holding the whole file."""
    pending = b""
    line_no = 0
    for chunk in data:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            line_no += 1
            yield line_no, line.rstrip(b"\r")
    if pending:
        yield line_no + 1, pending.rstrip(b"\r")


class TruncatedGzip(EOFError):
    """The gzip stream ended before its end-of-stream marker."""


def _gzip_chunks(path: Path, cap: int, state: dict) -> Iterator[bytes]:
    """Inflate a gzip file chunk by chunk, stopping at the size cap.

    zlib is fed the compressed bytes piece by piece, so everything before a truncation
    is still yielded (and its whole lines loaded) before TruncatedGzip is raised.
    """
    total = 0
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    with path.open("rb") as stream:
        while True:
            compressed = stream.read(1 << 16)
            if not compressed:
                break
            while compressed:
                chunk = inflater.decompress(compressed, 1 << 20)
                compressed = inflater.unconsumed_tail
                total += len(chunk)
                if total > cap:
                    state["too_large"] = True
                    return
                if chunk:
                    yield chunk
                if inflater.eof:
                    rest = inflater.unused_data + stream.read()
                    if rest.strip(b"\x00"):  # another gzip member follows
                        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                        compressed = rest
                        continue
                    return
    if not inflater.eof:
        raise TruncatedGzip("compressed stream ended before the end-of-stream marker")


def read_records(path: Path, relative: str, settings: Settings) -> Iterator[RawRecord]:
    """Every record of one file: parsed payloads or rejections, in file order."""
    name = path.name.lower()
    if name.endswith(".txt"):
        raw = path.read_bytes()
        record = RawRecord(relative, 1, excerpt=_excerpt(raw))
        try:
            decoded = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            record.rejection = Rejection("invalid_utf8", f"invalid UTF-8 at byte {exc.start}")
            yield record
            return
        lines = [ln for ln in decoded.splitlines()]
        non_empty = [i for i, ln in enumerate(lines) if ln.strip()]
        if not non_empty:
            record.rejection = Rejection("empty_text", "the .txt file is empty")
        else:
            first = non_empty[0]
            record.payload = {"title": lines[first].strip(), "text": "\n".join(lines[first + 1 :])}
        yield record
        return

    if name.endswith(".jsonl"):
        with path.open("rb") as stream:
            chunks = iter(lambda: stream.read(1 << 20), b"")
            for line_no, line in _lines(chunks):
                if line.strip():
                    yield _json_record(relative, line_no, line, settings)
                else:
                    yield RawRecord(relative, line_no, rejection=Rejection("blank_line", "blank line"), excerpt="")
        return

    if name.endswith(".jsonl.gz"):
        state: dict = {}
        last_line = 0
        try:
            for line_no, line in _lines(_gzip_chunks(path, settings.max_gzip_bytes, state)):
                last_line = line_no
                if line.strip():
                    yield _json_record(relative, line_no, line, settings)
                else:
                    yield RawRecord(relative, line_no, rejection=Rejection("blank_line", "blank line"), excerpt="")
        except (EOFError, zlib.error, OSError) as exc:
            reason = "truncated_gzip" if isinstance(exc, EOFError) else "unreadable_file"
            yield RawRecord(
                relative,
                last_line + 1,
                rejection=Rejection(reason, f"gzip stream ends after line {last_line}: {exc}" if reason == "truncated_gzip"
                                    else f"gzip stream breaks after line {last_line}: {exc}" if last_line
                                    else f"not a readable gzip file: {exc}"),
                excerpt=None,
            )
            return
        if state.get("too_large"):
            yield RawRecord(
                relative,
                last_line + 1,
                rejection=Rejection(
                    "gzip_too_large",
                    f"inflates past the {settings.max_gzip_bytes}-byte cap (INCIDENT_MAX_GZIP_BYTES); the rest of the file is not read",
                ),
            )
        return

    yield RawRecord(relative, None, rejection=Rejection("unsupported_file", f"{path.name!r} is not a .jsonl, .jsonl.gz or .txt article file"))


def _validated(record: RawRecord, partition_date: str) -> dict:
    """The article fields of a parsed payload, or a Rejection."""
    payload = record.payload
    assert isinstance(payload, dict)
    if "text" not in payload or payload["text"] is None:
        raise Rejection("missing_text", 'no "text" field' if "text" not in payload else '"text" is null')
    text = payload["text"]
    if not isinstance(text, str):
        raise Rejection("wrong_type", f'"text" must be a string, got {type(text).__name__}')
    for key in ("id", "url", "outlet", "title", "language"):
        value = payload.get(key)
        if value is not None and not isinstance(value, str | int):
            raise Rejection("wrong_type", f'"{key}" must be a string, got {type(value).__name__}')
    text = normalise_text(text)
    if not text:
        raise Rejection("empty_text", '"text" is empty after removing whitespace and control characters')
    title = payload.get("title")
    title = normalise_text(str(title)) or None if title is not None else None
    published = parse_published(payload.get("published"), partition_date)
    extra = {k: v for k, v in payload.items() if k not in CONTRACT_FIELDS}
    language = payload.get("language")
    return {
        "outlet": str(payload["outlet"]).strip() or None if payload.get("outlet") is not None else None,
        "url": str(payload["url"]).strip() or None if payload.get("url") is not None else None,
        "title": title,
        "published_at": published,
        "language": _language_code(language) or detect_language(f"{title or ''}\n{text}"),
        "text": text,
        "n_words": len(text.split()),
        "content_sha256": content_hash(title, text),
        "source_id": str(payload["id"]) if payload.get("id") is not None else None,
        "extra_fields": json.dumps(extra, ensure_ascii=False, sort_keys=True) if extra else None,
    }


def _article_id(source_file: str, line_no: int, sha: str) -> str:
    return "a_" + hashlib.sha256(f"{source_file}\n{line_no}\n{sha}".encode()).hexdigest()[:16]


@dataclass
class _DedupIndex:
    """Exact and near-duplicate lookup over the articles loaded so far in a partition."""

    threshold: float
    by_hash: dict[str, str] = field(default_factory=dict)
    shingle_sets: dict[str, set[int]] = field(default_factory=dict)
    postings: dict[int, list[str]] = field(default_factory=dict)
    numbers: dict[str, frozenset[str]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)

    def find(self, sha: str, text: str, numbers: frozenset[str]) -> tuple[str, str, float, set[int]] | tuple[None, None, None, set[int]]:
        if sha in self.by_hash:
            return self.by_hash[sha], "exact", 1.0, set()
        mine = shingles(text)
        candidates: dict[str, int] = {}
        for s in mine:
            if s % 4 == 0:  # a sample of shingles is enough to find candidates
                for article_id in self.postings.get(s, ()):
                    candidates[article_id] = candidates.get(article_id, 0) + 1
        best = (None, 0.0)
        for article_id in sorted(candidates, key=lambda a: -candidates[a])[:20]:
            if self.numbers[article_id] != numbers:
                continue
            other = self.shingle_sets[article_id]
            similarity = len(mine & other) / len(mine | other)
            if similarity > best[1]:
                best = (article_id, similarity)
        if best[0] is not None and best[1] >= self.threshold and not names_swapped(self.texts[best[0]], text):
            return best[0], "near", round(best[1], 4), mine
        return None, None, None, mine

    def add(self, article_id: str, sha: str, shingle_set: set[int], numbers: frozenset[str], text: str) -> None:
        self.by_hash[sha] = article_id
        self.texts[article_id] = text
        self.shingle_sets[article_id] = shingle_set
        self.numbers[article_id] = numbers
        for s in shingle_set:
            if s % 4 == 0:
                self.postings.setdefault(s, []).append(article_id)


def _input_digest(files: list[Path], root: Path, settings: Settings | None = None) -> str:
    """sha256 over the folder's file names and bytes, this module's code and the limits
    that shape its output: equal digests mean ingesting again would change nothing."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    if settings is not None:
        digest.update(f"{settings.max_gzip_bytes}:{settings.max_line_bytes}:{settings.near_duplicate_threshold}".encode())
    for path in files:
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as stream:
                for chunk in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(chunk)
        elif path.is_symlink():
            digest.update(str(path.readlink()).encode())
    return digest.hexdigest()


def partition_files(root: Path, partition_date: str) -> list[Path]:
    """The entries of one day folder, sorted by name."""
    folder = check_archive_root(root) / partition_date
    if not folder.is_dir():
        return []
    return sorted(folder.iterdir(), key=lambda p: p.name)


def input_digest(root: Path, partition_date: str, settings: Settings) -> str:
    """The digest ingest_partition would record for a day folder (skip unchanged input)."""
    root = check_archive_root(root)
    return _input_digest(partition_files(root, partition_date), root, settings)


def is_unchanged(root: Path, partition_date: str, ingested_digest: str | None, settings: Settings) -> bool:
    """The day folder holds exactly what was ingested under `ingested_digest`, with the same
    code and limits: ingesting it again would change nothing."""
    return ingested_digest is not None and ingested_digest == input_digest(root, partition_date, settings)


def ingest_partition(root: Path, partition_date: str, settings: Settings) -> PartitionIngest:
    """Read one day folder into article, duplicate and rejection frames."""
    root = check_archive_root(root)
    files = partition_files(root, partition_date)
    day = dt.date.fromisoformat(partition_date)
    articles, duplicates, rejected = [], [], []
    dedup = _DedupIndex(settings.near_duplicate_threshold)
    n_read = 0

    def reject(source_file: str, line_no: int | None, rejection: Rejection, excerpt: str | None) -> None:
        rejected.append(
            {"partition_date": day, "source_file": source_file, "line_no": line_no,
             "reason_code": rejection.reason_code, "detail": rejection.detail, "raw_excerpt": excerpt}
        )

    for path in files:
        relative = str(path.relative_to(root))
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root):
                n_read += 1
                reject(relative, None, Rejection("symlink_outside_archive", "symbolic link to a file outside the archive root; not followed"), None)
                continue
        if path.is_dir():
            n_read += 1
            reject(relative, None, Rejection("unsupported_file", "a folder inside a day folder; articles must be files directly in it"), None)
            continue
        try:
            records = list(read_records(path, relative, settings))
        except OSError as exc:
            n_read += 1
            reject(relative, None, Rejection("unreadable_file", f"cannot read: {exc.strerror or exc}"), None)
            continue
        for record in records:
            n_read += 1
            if record.rejection is not None:
                reject(record.source_file, record.line_no, record.rejection, record.excerpt)
                continue
            try:
                fields = _validated(record, partition_date)
            except Rejection as rejection:
                reject(record.source_file, record.line_no, rejection, record.excerpt)
                continue
            article_id = _article_id(record.source_file, record.line_no, fields["content_sha256"])
            numbers = figures_in(fields["text"])
            original, kind, similarity, shingle_set = dedup.find(fields["content_sha256"], fields["text"], numbers)
            if original is not None:
                duplicates.append(
                    {"partition_date": day, "source_file": record.source_file, "line_no": record.line_no,
                     "duplicate_of": original, "kind": kind, "similarity": similarity,
                     "outlet": fields["outlet"], "url": fields["url"]}
                )
                continue
            dedup.add(article_id, fields["content_sha256"], shingle_set, numbers, fields["text"])
            articles.append(
                {"article_id": article_id, "partition_date": day, "source_file": record.source_file,
                 "line_no": record.line_no, **fields}
            )

    return PartitionIngest(
        partition_date=partition_date,
        articles=pl.DataFrame(articles, schema=ARTICLE_SCHEMA),
        duplicates=pl.DataFrame(duplicates, schema=DUPLICATE_SCHEMA),
        rejected=pl.DataFrame(rejected, schema=REJECTED_SCHEMA),
        input_sha256=_input_digest(files, root, settings),
        n_files=len(files),
        n_records_read=n_read,
    )
