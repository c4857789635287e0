"""The ``policygraph`` command: a thin layer over the library.

Each command parses options, calls one library function and prints. Errors the user can
fix (:class:`PolicyGraphError`) become one line on stderr and an exit code (see README).
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import re
import signal
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape as _markup_escape
from rich.table import Table
from rich.tree import Tree

from . import errors
from .errors import Errors, EnvironmentFault, Interrupted, PolicyGraphError, StoreError
from .ingest import DEFAULT_MAX_MB
from .models import Document, Node
from .pipeline import load_document, load_documents

app = typer.Typer(
    add_completion=False, no_args_is_help=True, rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Turn Chinese government policy plans into a knowledge graph you can question.\n\n"
         "Typical use: `policygraph build data/raw` extracts every plan and writes the "
         "graph to data/graphs; `policygraph inspect FILE` shows how one plan was read.",
)
# emoji=False: rich would print plan:x:y as "plan❌y" (its :x: emoji code).
console = Console(highlight=False, soft_wrap=True, emoji=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
# C0 and C1 control characters but \t and \n: an ESC or OSC sequence in a document or a
# file name would drive the user's terminal (retitle it, move the cursor, hide text).
_TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def escape(text: object) -> str:
    """Text from documents, file names or arguments, made inert for the terminal: no
    control sequence, no rich markup."""
    return _markup_escape(_TERMINAL_CONTROLS.sub("", str(text)))

def _positive(value: float | None) -> float | None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise typer.BadParameter("must be a number above 0")
    return value


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise typer.BadParameter("must not be empty (leave the option out to keep all)")
    return value


MaxMb = typer.Option(DEFAULT_MAX_MB, "--max-mb", callback=_positive,
                     help="Refuse files larger than this (MB), or that unpack to more.")
MAX_WORKERS = 64  # more processes than this only costs memory
User = typer.Option(None, "--user", envvar="NEO4J_USER",
                    help="Database user (env NEO4J_USER). The password comes from env "
                         "NEO4J_PASSWORD or a prompt, never from the command line.")
Database = typer.Option(None, "--database", envvar="NEO4J_DATABASE",
                        help="Database name (default: the server's default).")
BatchSize = typer.Option(None, "--batch-size", min=1,
                         help="Rows per UNWIND statement (default: 1000 on Neo4j, 40 on "
                              "FalkorDB, whose messages must stay under 4 KB).")


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"policygraph {__version__}")
        raise typer.Exit()


@app.callback()
def _group(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                        help="Print the version and exit.")) -> None:
    """Turn Chinese government policy plans into a knowledge graph you can question."""


@contextlib.contextmanager
def out_status(message: str):
    """A spinner on stderr for long work, only when a person is watching."""
    if err_console.is_terminal:
        with err_console.status(message) as status:
            yield status
    else:
        yield _NoStatus()


class _NoStatus:
    def update(self, *_args, **_kwargs) -> None:
        pass


def fail_line(exc: PolicyGraphError) -> None:
    err_console.print(f"[red]error[/red] {escape(exc.line())}")


def handles_errors(command):
    """A user's mistake ends the command with one line and its exit code, no traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except PolicyGraphError as exc:
            fail_line(exc)
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:  # reading inputs names its file (E009): this is the output
            fault = EnvironmentFault.of(exc)
            fail_line(fault)
            raise typer.Exit(fault.exit_code) from None
    return wrapper


# --------------------------------------------------------------------------- inspect
@app.command()
@handles_errors
def inspect(
    # readable=False: the reader names an unreadable file itself (E009), in one line
    path: Path = typer.Argument(..., readable=False,
                                help="A plan file (.txt, .docx, .md, .html) or a directory."),
    depth: int = typer.Option(6, help="How many levels of the tree to show."),
    paragraphs: bool = typer.Option(False, "--paragraphs", help="Show plain paragraphs too."),
    max_mb: float = MaxMb,
) -> None:
    """Print the document tree and plan metadata the parser understood.

    Each node shows its kind, printed number, numbering key for tasks (★), title and
    character span in the cleaned text. Tables show their header and row count.
    """
    failed = total = 0
    for outcome in load_documents(path, max_mb=max_mb):
        total += 1
        if outcome.error:
            failed += 1
            fail_line(outcome.error)
            continue
        print_document(outcome.document, depth, paragraphs)
    raise typer.Exit(exit_code(failed, total))


def exit_code(failed: int, total: int) -> int:
    if not failed:
        return errors.EXIT_OK
    return errors.EXIT_INPUT if failed == total else errors.EXIT_PARTIAL


def print_document(doc: Document, depth: int, paragraphs: bool) -> None:
    meta = Table(show_header=False, box=None, pad_edge=False)
    for name, value in doc.meta.model_dump().items():
        meta.add_row(f"[bold]{name}[/bold]", escape(str(value)) if value is not None else "—")
    console.rule(escape(doc.source.path))
    console.print(meta)
    tree = Tree(f"[bold]{escape(doc.meta.title or Path(doc.source.path).name)}[/bold]")
    _add_nodes(tree, doc.root, depth, paragraphs)
    console.print(tree)
    console.print(f"{len(doc.tasks())} tasks, {len(doc.tables())} tables, "
              f"{len(doc.source.text)} characters ({doc.source.encoding})")


def _label(node: Node) -> str:
    star = "★ " if node.is_task else ""
    key = f" [cyan]{escape(node.key)}[/cyan]" if node.key else ""
    num = f"{escape(node.label)} " if node.label else ""
    span = f" [dim][{node.start}:{node.end}][/dim]"
    if node.table is not None:
        return (f"[magenta]table[/magenta] {escape(' | '.join(node.table.header))} "
                f"({len(node.table.rows)} rows){span}")
    return f"{star}[green]{node.kind}[/green]{key} {num}{escape(node.title[:50])}{span}"


def _add_nodes(tree: Tree, node: Node, depth: int, paragraphs: bool) -> None:
    if depth <= 0:
        return
    for child in node.children:
        if child.kind == "paragraph" and not paragraphs:
            continue
        _add_nodes(tree.add(_label(child)), child, depth - 1, paragraphs)


# --------------------------------------------------------------------------- extract
class Format(str, Enum):
    gold = "gold"
    json = "json"


@app.command()
@handles_errors
def extract(
    path: Path = typer.Argument(..., readable=False,
                                help="A plan file (.txt, .docx, .md, .html)."),
    fmt: Format = typer.Option(Format.gold, "--format", "-f",
                               help="gold: the gold annotation view (SCHEMA.md); "
                                    "json: the full Extraction with provenance."),
    max_mb: float = MaxMb,
) -> None:
    """Extract tasks, units, targets and platforms from one plan and print them as JSON.

    Example: policygraph extract data/raw/changji-2021-2023-tech-innovation-action-plan.txt
    """
    from .extract import extract as run_extract
    from .gold import to_gold

    ex = run_extract(load_document(path, max_mb=max_mb))
    data = to_gold(ex) if fmt is Format.gold else ex.model_dump(mode="json")
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# ------------------------------------------------------------------------------ eval
@app.command("eval")
@handles_errors
def eval_(
    gold_dirs: Optional[list[Path]] = typer.Argument(
        None, help="Directories of gold *.json files (SCHEMA.md), scored together; a file "
                   "named like one of an earlier directory replaces it (a corrected copy)."),
    raw: Optional[list[Path]] = typer.Option(
        None, help="Where the gold files' sources are; repeat for several (default: ../seeds "
                   "and ../corpus/docs beside each gold directory, else data/raw)."),
    corpus: Optional[Path] = typer.Option(
        None, "--corpus", help="Instead of gold: survey a directory of documents, counting "
                               "those that yield a region, a title, tasks, targets and units."),
    misses: bool = typer.Option(True, "--misses/--no-misses", help="List what was missed."),
    per_doc: bool = typer.Option(False, "--per-doc", help="Also a table per document."),
    require: Optional[list[str]] = typer.Option(
        None, "--require", metavar="KIND=MIN",
        help="Exit 1 when a kind's F1 (or a plan field's share right, or a survey's share) "
             "is below MIN, e.g. --require targets=0.9 --require region=0.95."),
    fmt: str = typer.Option("table", "--format", help="table or json."),
) -> None:
    """Score the extractor against gold files: precision, recall and F1 per kind, and the
    share of documents whose plan fields are right.

    Matching follows SCHEMA.md: targets on value, unit and year; units on (task title's
    first 8 characters, unit, role); platforms on name or ≥70% containment; incentives on
    amount and unit.
    """
    floors = _floors(require or [])
    if corpus is not None:
        from .survey import survey

        result = survey(corpus)
        shares = result.shares()
        if fmt == "json":
            _print_json({"documents": len(result.rows), "shares": shares,
                         "failed": result.failed(), "missing": result.missing()})
        else:
            _print_survey(result, misses)
        _check_floors(floors, shares)
        return
    if not gold_dirs:
        raise typer.BadParameter("give a gold directory, or --corpus DIR")
    from .gold import evaluate

    result = evaluate(gold_dirs, raw or None)
    kinds, plan = result.kinds, result.plan
    if fmt == "json":
        _print_json({
            "documents": len(result.documents),
            "kinds": {k: _kind_json(s) for k, s in kinds.items()},
            "plan": plan,
            "per_document": {d.source: {"kinds": {k: _kind_json(s, misses=False)
                                                  for k, s in d.kinds.items()},
                                        "plan": d.plan} for d in result.documents}})
    else:
        _print_scores(f"Extraction vs gold ({len(result.documents)} documents)", kinds, plan)
        if per_doc:
            for d in result.documents:
                _print_scores(d.source, d.kinds, {f: float(ok) for f, ok in d.plan.items()})
        if misses:
            for k, s in kinds.items():
                for line in s.missed:
                    console.print(f"[red]missed[/red] {k}: {escape(line)}")
                for line in s.extra:
                    console.print(f"[yellow]extra[/yellow]  {k}: {escape(line)}")
    for exc in result.errors:
        fail_line(exc)
    _check_floors(floors, {**{k: s.f1 for k, s in kinds.items()}, **plan})
    if result.errors:
        raise typer.Exit(errors.EXIT_PARTIAL)


def _print_json(data: dict) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _kind_json(s, misses: bool = True) -> dict:
    out = {"precision": s.precision, "recall": s.recall, "f1": s.f1, "tp": s.tp,
           "predicted": s.predicted, "gold": s.gold}
    if misses:
        out.update(missed=s.missed, extra=s.extra)
    return out


def _print_scores(title: str, kinds: dict, plan: dict[str, float]) -> None:
    table = Table(title=title)
    for col in ("kind", "precision", "recall", "F1", "found", "gold"):
        table.add_column(col, justify="left" if col == "kind" else "right")
    for k, s in kinds.items():
        table.add_row(k, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
                      str(s.predicted), str(s.gold))
    console.print(table)
    if plan:
        console.print("plan fields right: " + ", ".join(f"{f} {v:.0%}" for f, v in plan.items()))


def _print_survey(result, misses: bool) -> None:
    table = Table(title=f"Corpus survey ({len(result.rows)} documents, "
                        f"{len(result.plans())} local plans)")
    for col in ("measure", "share", "documents"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    for name, (share, n, d) in result.share_counts().items():
        table.add_row(name, f"{share:.1%}", f"{n}/{d}")
    console.print(table)
    for path, line in result.failed().items():
        console.print(f"[red]failed[/red] {escape(path)}: {escape(line)}")
    for name, paths in result.missing().items():
        for path in paths if misses else []:
            console.print(f"[yellow]no {name}[/yellow] {escape(path)}")


def _floors(specs: list[str]) -> dict[str, float]:
    floors = {}
    for spec in specs:
        name, _, value = spec.partition("=")
        try:
            floors[name.strip()] = float(value)
        except ValueError:
            raise typer.BadParameter(f"--require wants KIND=MIN, got {spec!r}") from None
    return floors


def _check_floors(floors: dict[str, float], values: dict[str, float]) -> None:
    low = [f"{k} not measured" if k not in values else f"{k} {values[k]:.3f} < {v}"
           for k, v in floors.items() if values.get(k, -1.0) < v]
    if low:
        err_console.print("[red]below the required level[/red]: " + "; ".join(low))
        raise typer.Exit(errors.EXIT_PARTIAL)


# ----------------------------------------------------------------------------- build
class ExportFormat(str, Enum):
    graphml = "graphml"
    csv = "csv"


ExportOpt = typer.Option([], "--export", "-e", metavar="graphml|csv",
                         help="Also write the corpus as graphml (corpus.graphml) or csv "
                              "(import/*.csv); repeat for both.")


@app.command()
@handles_errors
def build(
    path: Path = typer.Argument(Path("data/raw"), readable=False,
                                help="A directory of plans (or one file)."),
    out: Path = typer.Option(Path("data/graphs"), "--out", "-o",
                             help="Where the graph files go."),
    workers: Optional[int] = typer.Option(None, "--workers", "-w", min=1, max=MAX_WORKERS,
                                          help="Processes extracting in parallel "
                                               "(default: the machine's cores)."),
    max_mb: float = MaxMb,
    neo4j_uri: Optional[str] = typer.Option(None, "--neo4j", metavar="URI",
                                            help="Also load the graph into this database "
                                                 "(as `policygraph load`)."),
    user: Optional[str] = User,
    database: Optional[str] = Database,
    batch_size: Optional[int] = BatchSize,
    export: list[ExportFormat] = ExportOpt,
) -> None:
    """Extract every plan and write the knowledge graph to --out, re-reading only what changed.

    Writes plans/<plan>.json (node-link, each plan's own subgraph), corpus.json (the
    merged graph that queries, report and load read) and manifest.json; with --export,
    also corpus.graphml (opens in Gephi) and import/*.csv (for neo4j-admin database
    import). A re-run extracts only files whose content, the extractor or its knowledge/*.yml changed;
    removed files leave the graph; a file that fails keeps its last good graph. Drafts and
    final versions of one plan are linked by SUPERSEDES. Files are replaced atomically and
    one build at a time runs per --out; exports a build would leave stale are deleted.
    Bad files are listed; the exit code says so.
    """
    from .build import build as run_build

    with build_progress() as tick:
        result = run_build(path, out, max_mb=max_mb, workers=workers, progress=tick,
                           exports=[e.value for e in export], waiting=waiting_on(out))
    for exc in result.errors:
        fail_line(exc)
    for mended in result.repaired:
        err_console.print(f"[yellow]repaired[/yellow] {escape(mended)}")
    if result.extracted:
        print_extracted(result, out)
    removed = f", {len(result.removed)} removed" if result.removed else ""
    console.print(f"{result.files} files: {len(result.extracted)} extracted, "
                  f"{result.files - len(result.extracted) - len(result.errors)} unchanged"
                  f"{removed}, {len(result.errors)} errors; {result.plans} plans, "
                  f"{result.nodes} nodes, {result.relationships} relationships; "
                  f"{result.seconds:.1f} s")
    code = exit_code(len(result.errors), result.files)
    if neo4j_uri and result.plans:
        # With a failed file, keep that plan's previous version in the database.
        load_into(result.corpus_graph(), neo4j_uri, user, database, batch_size, force=False,
                  prune=not result.errors)
    raise typer.Exit(code)


def waiting_on(graphs: Path):
    """What to say while another build holds the lock on ``graphs``."""
    return lambda pid: err_console.print(
        f"waiting for the build in progress (pid {pid}) on {escape(str(graphs))}")


@contextlib.contextmanager
def build_progress():
    """A progress bar on stderr for the files being extracted, when a person watches."""
    if not err_console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress("extracting", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err_console, transient=True) as bar:
        task = bar.add_task("extract", total=None)
        yield lambda done, total, _path: bar.update(task, completed=done, total=total)


def print_extracted(result, out: Path, limit: int = 20) -> None:
    table = Table(title=f"extracted → {out}")
    for col in ("plan", "region", "status", "tasks", "targets", "units", "platforms"):
        numeric = col in ("tasks", "targets", "units", "platforms")
        table.add_column(col, justify="right" if numeric else "left", no_wrap=not numeric,
                         overflow="ellipsis", max_width=None if numeric else 18,
                         min_width=len(col) if numeric else None)
    for p in result.summaries[:limit]:
        table.add_row(escape(p.title)[:48], escape(p.region or "—"), p.status, str(p.tasks),
                      str(p.targets), str(p.units), str(p.platforms))
    if len(result.summaries) > limit:
        table.caption = f"… and {len(result.summaries) - limit} more"
    console.print(table)


@app.command()
@handles_errors
def export(
    graphs: Path = typer.Option(Path("data/graphs"), "--graphs", "-g",
                                help="The build to export (its corpus.json)."),
    format: list[ExportFormat] = typer.Option(
        [ExportFormat.graphml, ExportFormat.csv], "--format", "-f", metavar="graphml|csv",
        help="graphml (corpus.graphml, opens in Gephi) or csv (import/*.csv for "
             "neo4j-admin database import); repeat for both (the default)."),
) -> None:
    """Write the built corpus as GraphML and/or CSVs into the graphs directory.

    A build keeps corpus.json current but writes these only with --export, since on a
    large corpus they cost more than a one-file re-run; a build that changes the graph
    deletes exports it would leave stale. Waits for a build in progress on --graphs.
    """
    from .store.files import CORPUS_JSON, read_corpus, write_exports
    from .store.manifest import build_lock

    if not (graphs / CORPUS_JSON).is_file():  # before the lock, which would create --graphs
        raise StoreError(Errors.E301, str(graphs))
    with build_lock(graphs, waiting_on(graphs)):
        with out_status("exporting"):
            written = write_exports(read_corpus(graphs), graphs, {f.value for f in format})
    console.print(f"wrote {len(written)} files to {escape(str(graphs))}")


# ------------------------------------------------------------------------------ load
def open_database(uri: str, user: str | None):
    """A connected driver; the password from env or a hidden prompt."""
    import os

    from .store.neo4j import connect

    password = os.environ.get("NEO4J_PASSWORD")
    if user and password is None and sys.stdin.isatty():
        password = typer.prompt(f"password for {user}", hide_input=True)
    return connect(uri, user, password)


def load_into(g, uri: str, user: str | None, database: str | None,
              batch_size: int | None, force: bool, prune: bool = True) -> None:
    from .store.neo4j import load_graph

    driver = open_database(uri, user)
    try:
        with out_status("loading") as status:
            report = load_graph(driver, g, database=database, batch_rows=batch_size,
                                force=force, prune=prune, progress=lambda stage, done, total:
                                status.update(f"loading {stage} {done}/{total}"))
    finally:
        driver.close()
    console.print(f"loaded into {report.server} at {escape(uri)}: {report.plans_loaded} plans "
                  f"written, {report.plans_unchanged} unchanged, {report.plans_removed} "
                  f"removed; {report.nodes_written} nodes and {report.relationships_written} "
                  f"relationships written in {report.statements} statements; "
                  f"{report.seconds:.1f} s")


@app.command()
@handles_errors
def load(
    neo4j_uri: str = typer.Option(..., "--neo4j", envvar="NEO4J_URI", metavar="URI",
                                  help="Bolt URI of the database (env NEO4J_URI)."),
    graphs: Path = typer.Option(Path("data/graphs"), "--graphs", "-g",
                                help="The build to load (its corpus.json)."),
    user: Optional[str] = User,
    database: Optional[str] = Database,
    batch_size: Optional[int] = BatchSize,
    force: bool = typer.Option(False, "--force", help="Rewrite plans already loaded."),
) -> None:
    """Load the built graph into Neo4j; afterwards the database holds exactly that graph.

    Plans already in the database with the same content are kept; changed plans are
    written beside the old version and switched in, then the old version is deleted, so
    a failure at any point leaves the previous graph the active one.

    Example: NEO4J_PASSWORD=… policygraph load --neo4j bolt://127.0.0.1:7687 --user neo4j
    """
    from .store.files import read_corpus

    load_into(read_corpus(graphs), neo4j_uri, user, database, batch_size, force)


# ----------------------------------------------------------------------------- query
class OutFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    excel = "excel"  # CSV with a UTF-8 byte-order mark: Excel then reads Chinese right


Graphs = typer.Option(Path("data/graphs"), "--graphs", "-g",
                      help="The embedded store to question (default engine).")
AllVersions = typer.Option(False, "--all-versions",
                           help="Include drafts a later version supersedes.")
AskDatabase = typer.Option(None, "--neo4j", metavar="URI",
                           help="Ask the database instead of the store.")
FormatOpt = typer.Option(OutFormat.table, "--format", "-f",
                         help="table (terminal), json, csv (every column, for scripts) or "
                              "excel (the same CSV with a BOM, so Excel reads the Chinese).")
NEEDS_ARG = {"compare": "metric", "explain": "node"}
# The questions each filter applies to: any other use is an error, not a silent no-op.
FILTERS = {"--unit": ("owners", "incentives"), "--plan": ("owners", "unassigned"),
           "--region": ("owners", "timeline", "incentives"), "--indicator": ("owners",),
           "--min": ("incentives",),
           "--shared": ("platforms",)}


@contextlib.contextmanager
def open_engine(graphs: Path, neo4j_uri: str | None, user: str | None, database: str | None):
    """The store's graph by default; the database with --neo4j, closed after use."""
    from .queries import CypherEngine, GraphEngine
    from .store.files import read_corpus
    from .store.manifest import read_manifest

    # Where the graph's relative file names start (explain reopens the files), if the
    # store is here; a database loaded elsewhere names them from the working directory.
    root = Path(read_manifest(graphs).root or ".") if graphs.is_dir() else None
    if not neo4j_uri:
        yield GraphEngine(read_corpus(graphs), root)
        return
    driver = open_database(neo4j_uri, user)
    try:
        yield CypherEngine(driver, database, root)
    finally:
        driver.close()


def _cell(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "、".join(map(str, value))
    return "—" if value is None else str(value)


def print_rows(rows: list[dict], columns: tuple[str, ...], fmt: OutFormat, title: str) -> None:
    import csv

    if fmt is OutFormat.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    elif fmt in (OutFormat.csv, OutFormat.excel):
        if fmt is OutFormat.excel:
            sys.stdout.write("\ufeff")
        names = list(rows[0]) if rows else list(columns)
        w = csv.DictWriter(sys.stdout, fieldnames=names, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow({k: ";".join(map(str, v)) if isinstance(v, list) else v
                        for k, v in r.items()})
    else:
        table = Table(title=f"{title} ({len(rows)} rows)")
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in rows:
            cells = [escape(_cell(r.get(c))) for c in columns]
            if "context" in columns and r.get("context") and r.get("quote"):
                i = columns.index("context")
                cells[i] = escape(r["context"]).replace(
                    escape(r["quote"]), f"[reverse]{escape(r['quote'])}[/reverse]", 1)
            table.add_row(*cells)
        console.print(table)


@app.command()
@handles_errors
def query(
    name: str = typer.Argument(..., metavar="NAME",
                               help="owners | compare METRIC | unassigned | platforms | "
                                    "incentives | workload | timeline | explain ID"),
    arg: Optional[str] = typer.Argument(None, metavar="[METRIC|ID]",
                                        help="The indicator for compare, the node id for "
                                             "explain."),
    unit: Optional[str] = typer.Option(None, "--unit", callback=_not_blank,
                                       help="owners, incentives: only this "
                                       "unit (short or full name; every region's unit of that "
                                       "name)."),
    plan: Optional[str] = typer.Option(None, "--plan", callback=_not_blank,
                                       help="owners, unassigned: plan id or "
                                       "part of its title."),
    region: Optional[str] = typer.Option(None, "--region", callback=_not_blank,
                                         help="owners, timeline, "
                                         "incentives: the plan's region, e.g. 昌吉市."),
    indicator: Optional[str] = typer.Option(None, "--indicator", callback=_not_blank,
                                            help="owners: only the targets of this "
                                            "indicator, e.g. 高新技术企业."),
    min_amount: Optional[float] = typer.Option(None, "--min", metavar="万元",
                                               help="incentives: only amounts of at least "
                                                    "this many 万元 (shares are left out)."),
    shared: bool = typer.Option(False, "--shared", help="platforms: only those named by two "
                                "or more plans."),
    all_versions: bool = AllVersions,
    graphs: Path = Graphs,
    neo4j_uri: Optional[str] = AskDatabase,
    user: Optional[str] = User,
    database: Optional[str] = Database,
    fmt: OutFormat = FormatOpt,
) -> None:
    """Answer one of the named questions, from the store or (--neo4j) the database.

    \b
    owners --unit 市科技局     tasks and targets a unit leads, supports or answers for
    owners --indicator 高新技术企业   who owns the targets of one indicator
    compare 高新技术企业        one indicator across plans and cities, with baselines and owners
    unassigned                tasks and targets no unit owns
    platforms [--shared]      platforms with kind, level, host and the plans naming them
    incentives [--min 万元]   money promised: amount, cap or share, for what, owning units
    workload                  per unit: tasks led/supported and their targets
    timeline [--region R]     targets by deadline year
    explain ID                a node and the source sentences it comes from

    Both engines give the same rows. An unknown unit, indicator, plan or region exits with
    code 3 and suggests the closest known names; a filter the question does not take
    exits with code 2.
    """
    from .queries import QUERIES

    if name not in QUERIES:
        raise typer.BadParameter(f"unknown query '{name}'; choose from: {', '.join(QUERIES)}",
                                 param_hint="NAME")
    if name in NEEDS_ARG and not arg:
        raise typer.BadParameter(f"'{name}' needs a {NEEDS_ARG[name]}", param_hint="NAME")
    given = {"--unit": unit, "--plan": plan, "--region": region, "--indicator": indicator,
             "--min": min_amount,
             "--shared": shared or None}
    for option, value in given.items():
        if value is not None and name not in FILTERS[option]:
            raise typer.BadParameter(f"{option} does not apply to '{name}' (it applies to "
                                     f"{', '.join(FILTERS[option])})", param_hint=option)
    kwargs = {"owners": dict(unit=unit, plan=plan, region=region, indicator=indicator),
              "compare": dict(metric=arg), "unassigned": dict(plan=plan),
              "platforms": dict(shared=shared), "workload": {},
              "incentives": dict(region=region, unit=unit, min_amount=min_amount),
              "timeline": dict(region=region), "explain": dict(node=arg)}[name]
    if name != "explain":
        kwargs["all_versions"] = all_versions
    with open_engine(graphs, neo4j_uri, user, database) as engine:
        rows = QUERIES[name].run(engine, **kwargs)
    print_rows(rows, QUERIES[name].columns, fmt, name)


class ListKind(str, Enum):
    plans = "plans"
    units = "units"
    indicators = "indicators"
    regions = "regions"


@app.command("list")
@handles_errors
def list_(
    kind: ListKind = typer.Argument(..., help="plans | units | indicators | regions"),
    all_versions: bool = AllVersions,
    graphs: Path = Graphs,
    neo4j_uri: Optional[str] = AskDatabase,
    user: Optional[str] = User,
    database: Optional[str] = Database,
    fmt: OutFormat = FormatOpt,
) -> None:
    """What can be asked about: plans (with their ids), units, indicators or regions.

    Example: policygraph list indicators   (then: policygraph query compare 高新技术企业)
    """
    from .queries import LISTINGS, listing

    with open_engine(graphs, neo4j_uri, user, database) as engine:
        rows = listing(engine, kind.value, all_versions)
    print_rows(rows, LISTINGS[kind.value], fmt, kind.value)


# ------------------------------------------------------------------------------ diff
@app.command()
@handles_errors
def diff(
    old: str = typer.Argument(..., help="The older version: a plan file, or a plan id "
                              "(plan:…) or source path of the build in --graphs."),
    new: str = typer.Argument(..., help="The newer version, likewise."),
    graphs: Path = Graphs,
    fmt: OutFormat = FormatOpt,
) -> None:
    """What changed between two versions of a plan.

    Targets added, dropped, raised, lowered or moved in year; units added or removed per
    task; tasks added, removed or renamed; platforms added or removed.

    Example: policygraph diff drafts/plan-征求意见稿.txt data/raw/plan.txt
    """
    from .diff import diff as run_diff
    from .diff import resolve_version

    rows = run_diff(resolve_version(old, graphs), resolve_version(new, graphs))
    print_rows(rows, ("change", "kind", "task", "what", "old", "new"), fmt, "diff")


# ----------------------------------------------------------------------------- report
@app.command()
@handles_errors
def report(
    out: Path = typer.Option(Path("report.html"), "--out", "-o",
                             help="The HTML file to write (- for standard output)."),
    graphs: Path = Graphs,
) -> None:
    """Write one self-contained HTML page: the plans (drafts marked, and what each final
    changed since its draft), who owns what, a section per unit with its tasks, targets and
    money, each indicator across plans on a year axis, and the graph with filters and
    search. Every table is searchable and sortable. It needs no network to view; all
    document text in it is shown as text."""
    from .report import changes_since_drafts, render
    from .store.files import read_corpus, write_output

    g = read_corpus(graphs)
    page = render(g, changes=changes_since_drafts(g, graphs))
    if str(out) == "-":
        sys.stdout.write(page)
        return
    console.print(f"wrote {escape(str(write_output(out, page)))}")


# ----------------------------------------------------------------------------- cypher
def parse_param(text: str) -> tuple[str, object]:
    key, sep, value = text.partition("=")
    if not sep or not key.isidentifier():
        raise typer.BadParameter(f"expected key=value, got '{text}'", param_hint="--param")
    try:
        return key, json.loads(value)
    except json.JSONDecodeError:
        return key, value


@app.command()
@handles_errors
def cypher(
    statement: str = typer.Argument(..., metavar="QUERY", help="A Cypher statement."),
    neo4j_uri: str = typer.Option(..., "--neo4j", envvar="NEO4J_URI", metavar="URI",
                                  help="Bolt URI of the database (env NEO4J_URI)."),
    param: list[str] = typer.Option([], "--param", "-p", metavar="KEY=VALUE",
                                    help="A query parameter; VALUE is read as JSON when it "
                                         "parses (numbers, lists), else as a string."),
    write: bool = typer.Option(False, "--write", help="Allow the statement to write."),
    user: Optional[str] = User,
    database: Optional[str] = Database,
    fmt: OutFormat = FormatOpt,
) -> None:
    """Run one Cypher statement with parameters; read-only unless --write.

    Example: policygraph cypher 'MATCH (u:Unit {name: $n}) RETURN u.canonical' -p n=市科技局
    """
    from .store.neo4j import run_cypher

    params = dict(parse_param(p) for p in param)
    driver = open_database(neo4j_uri, user)
    try:
        rows = run_cypher(driver, statement, params, write=write, database=database)
    finally:
        driver.close()
    print_rows(rows, tuple(rows[0]) if rows else (), fmt, "cypher")


def main() -> None:
    """Entry point: typer app with the project's errors turned into one line, and SIGINT
    or SIGTERM turned into a clean stop (the build's lock and workers released, no temp
    file left: every write goes through a temporary file renamed at the end)."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    try:
        app()
    except PolicyGraphError as exc:
        fail_line(exc)
        sys.exit(exc.exit_code)
    except Interrupted as stop:
        err_console.print(f"[red]stopped[/red] by {signal.Signals(stop.signum).name}: what "
                          "was written before stays; run the command again to finish")
        sys.exit(stop.exit_code)


def _interrupt(signum: int, frame) -> None:
    signal.signal(signum, signal.SIG_IGN)  # a second signal must not break the unwinding
    raise Interrupted(signum)


if __name__ == "__main__":
    main()
