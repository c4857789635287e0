"""The ``policygraph`` command: a thin layer over the library.

Each command parses options, calls one library function and prints. Errors the user can
fix (:class:`PolicyGraphError`) become one line on stderr and an exit code (see README).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from . import errors
from .errors import PolicyGraphError
from .ingest import DEFAULT_MAX_MB
from .models import Document, Node
from .pipeline import load_documents

app = typer.Typer(
    add_completion=False, no_args_is_help=True, rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Turn Chinese government policy plans into a knowledge graph you can question.\n\n"
         "Typical use: `policygraph build data/raw` extracts every plan and writes the "
         "graph to data/graphs; `policygraph inspect FILE` shows how one plan was read.",
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

MaxMb = typer.Option(DEFAULT_MAX_MB, "--max-mb", help="Refuse files larger than this (MB).")


@app.callback()
def _group() -> None:
    """Turn Chinese government policy plans into a knowledge graph you can question."""


def fail_line(exc: PolicyGraphError) -> None:
    err.print(f"[red]error[/red] {escape(exc.line())}")


def handles_errors(command):
    """A user's mistake ends the command with one line and its exit code, no traceback."""
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except PolicyGraphError as exc:
            fail_line(exc)
            raise typer.Exit(exc.exit_code) from None
    return wrapper


# --------------------------------------------------------------------------- inspect
@app.command()
@handles_errors
def inspect(
    path: Path = typer.Argument(..., help="A plan file (.txt, .docx, .md, .html) or a directory."),
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
    out.rule(escape(doc.source.path))
    out.print(meta)
    tree = Tree(f"[bold]{escape(doc.meta.title or Path(doc.source.path).name)}[/bold]")
    _add_nodes(tree, doc.root, depth, paragraphs)
    out.print(tree)
    out.print(f"{len(doc.tasks())} tasks, {len(doc.tables())} tables, "
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


def main() -> None:
    """Entry point: typer app with the project's errors turned into one line."""
    try:
        app()
    except PolicyGraphError as exc:
        fail_line(exc)
        sys.exit(exc.exit_code)
