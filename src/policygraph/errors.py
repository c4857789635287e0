"""Every error policygraph raises on purpose, each with a stable code.

In the style of spaCy's ``errors.py``: messages live here, once, with a code a user can
search for; the CLI turns a :class:`PolicyGraphError` into one line and an exit code.
"""

from __future__ import annotations

from enum import Enum


class Errors(str, Enum):
    # E0xx: reading input
    E001 = "file not found"
    E002 = "unsupported file type '{ext}' (supported: {supported})"
    E003 = "file is empty"
    E004 = "file holds no text (only white space after cleaning)"
    E005 = "looks like a binary file ({kind}), not a document"
    E006 = "file is too large ({size_mb:.1f} MB > {limit_mb:.0f} MB limit; raise it with --max-mb)"
    E007 = "cannot decode text: no encoding among UTF-8, UTF-16 and GB18030 fits"
    E008 = "not a valid {kind} file (corrupt, truncated or protected): {reason}"
    E009 = "cannot read file: {reason}"
    E010 = "no plan files found in directory"
    E011 = ("archive unpacks to {size_mb:.1f} MB > {limit_mb:.0f} MB limit (a zip bomb?); "
            "raise it with --max-mb")
    E012 = "{kind}, not a file: nothing read"
    E013 = "cannot read {what}: {why}; to enable it: {how}"
    E014 = "{tool} failed to convert it: {reason}"
    E099 = ("internal error while reading this file ({kind}: {reason}); the other files "
            "were processed — please report it with the file")
    # E1xx: rules
    E101 = "invalid rules file: {reason}"
    E102 = "rules directory not found"
    # E2xx: gold and evaluation
    E201 = "invalid gold file: {reason}"
    E202 = "source document of gold file not found in {raw}"
    # E3xx: graph store
    E301 = "graphs directory holds no build (run `policygraph build` first)"
    E302 = "invalid graph file: {reason}"
    E303 = "cannot write here: {reason}"
    E304 = "is a directory: give a file name to write (or - for standard output)"
    E305 = ("the report's bundled {name} differs from the one recorded in vendor.json "
            "(damaged install?): reinstall policygraph")
    # E4xx: the graph database (Neo4j or another Bolt server)
    E401 = "cannot reach the graph database: {reason}"
    E402 = "the graph database refused the credentials of user '{user}'"
    E403 = "connection lost during {stage}: {reason}{hint}"
    E404 = "the graph database failed during {stage}: {reason}"
    E405 = "this query writes; `cypher` is read-only unless --write is given"
    E406 = "invalid database URI (expected bolt://, neo4j:// or their +s/+ssc forms)"
    E407 = ("{what} {key!r} is not allowed: only letters, digits and _ (this server "
            "writes names into the statement's text)")
    E408 = ("statement and parameters too large for this server ({size} bytes > {limit}); "
            "nothing was sent")
    # E5xx: questions asked of the graph
    E501 = "no {what} named '{name}'{hint}"
    E502 = "no node with id '{id}' (ids look like task:1a2b3c4d5e6f)"
    E503 = "neither a file nor a plan id of the build in {graphs}"


# Exit codes, documented in the README.
EXIT_OK = 0
EXIT_PARTIAL = 1  # some inputs failed, the good ones were processed
EXIT_USAGE = 2  # bad command line (typer's own code)
EXIT_INPUT = 3  # the only/every input was bad
EXIT_DATABASE = 4  # the graph database was unreachable, refused us or failed
EXIT_ENVIRONMENT = 5  # an output or store path that cannot be written (no space, no right)
# Stopped by a signal: 128 + its number, as a shell reports it (130 Ctrl-C, 143 SIGTERM).
EXIT_SIGNAL_BASE = 128


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived: unwinds like KeyboardInterrupt (a BaseException, so no
    per-file ``except Exception`` takes it for a bad file) and releases what is held."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.exit_code = EXIT_SIGNAL_BASE + signum


class PolicyGraphError(Exception):
    """An expected failure with a code, a message and, usually, the file it concerns."""

    exit_code = EXIT_INPUT

    def __init__(self, err: Errors, path: str | None = None, **fmt: object) -> None:
        self.err, self.fmt = err, fmt
        self.code = err.name
        self.path = path
        self.reason = err.value.format(**fmt)
        super().__init__(self.line())

    def __reduce__(self):  # picklable, so worker processes can report it
        return _rebuild, (type(self), self.err, self.path, self.fmt)

    def line(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{where}[{self.code}] {self.reason}"


def _rebuild(cls: type, err: Errors, path: str | None, fmt: dict) -> PolicyGraphError:
    return cls(err, path, **fmt)


class InputError(PolicyGraphError):
    """A document that cannot be read as a plan."""


def short_reason(exc: BaseException, limit: int = 120) -> str:
    """An exception as one short line for an error message: its first line, or its type."""
    return ((str(exc) or type(exc).__name__).splitlines() or [""])[0][:limit]


def file_error(path: str, exc: Exception) -> PolicyGraphError:
    """What stopped one file of a batch, as a coded error naming that file: an expected
    error as it is, any other exception as E099, so the batch reports it and goes on (the
    batch's exit code still says something failed)."""
    if isinstance(exc, PolicyGraphError):
        return exc
    reason = (str(exc).splitlines() or [""])[0][:200]
    return InputError(Errors.E099, path, kind=type(exc).__name__, reason=reason)


class RulesError(PolicyGraphError):
    """A knowledge/*.yml file that does not validate."""


class GoldError(PolicyGraphError):
    """A gold annotation file that does not follow SCHEMA.md."""


class StoreError(PolicyGraphError):
    """A graphs directory that cannot be read or written."""


class EnvironmentFault(PolicyGraphError):
    """The machine, not the input: an output path that cannot be written, a full disk."""

    exit_code = EXIT_ENVIRONMENT

    @classmethod
    def of(cls, exc: OSError, path: object = None) -> "EnvironmentFault":
        """E303 for an OSError, naming ``path`` (a write error names no file) or its own."""
        where = path if path is not None else exc.filename
        return cls(Errors.E303, None if where is None else str(where),
                   reason=exc.strerror or type(exc).__name__)


class DatabaseError(PolicyGraphError):
    """The graph database cannot be reached, refuses the credentials or fails a statement."""

    exit_code = EXIT_DATABASE


class QueryError(PolicyGraphError):
    """A question that names something the graph does not hold."""
