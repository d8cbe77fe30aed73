"""Great Expectations, used directly (GX Core 1.x; the Airflow provider conflicts with Airflow 3.3).

Validation runs in an ephemeral context (nothing written, no connection string stored
anywhere); the results are then copied into a file-based project whose only job is Data Docs.
GX is imported here, inside tasks, never at DAG parse time (the import takes seconds).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import logging
import os
import re
import secrets
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ebill_ops.quality.rules import Rule

log = logging.getLogger(__name__)

SUITE_NAME = "invoice_spec"
DOCS_KEEP_LIST = 20  # unexpected values kept per expectation in Data Docs (the fix list has all)


def import_gx() -> Any:
    """``great_expectations``, quietly: its decorators log at INFO once Airflow configured logging."""
    logging.getLogger("great_expectations._docs_decorators").setLevel(logging.WARNING)
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations

    return great_expectations


def build_suite(gx: Any, rules: Sequence[Rule], as_of: dt.datetime) -> Any:
    """One expectation per rule; its ``meta`` names the rule, its description is shown in Data Docs."""
    import great_expectations.expectations as gxe

    expectations = []
    for rule in rules:
        common = {
            "column": rule.column,
            "description": rule.describe(),
            "meta": {
                "rule": rule.id,
                "severity": rule.severity,
                "source": rule.spec.source,
                "title_zh": rule.spec.title_zh,
                "title_en": rule.spec.title_en,
                "tolerance": rule.tolerance,
            },
        }
        if rule.check == "regex":
            expectations.append(gxe.ExpectColumnValuesToMatchRegex(regex=rule.pattern, **common))
        elif rule.check == "not_null":
            expectations.append(gxe.ExpectColumnValuesToNotBeNull(**common))
        else:
            low, high = rule.bounds(as_of)
            expectations.append(gxe.ExpectColumnValuesToBeBetween(min_value=low, max_value=high, **common))
    return gx.ExpectationSuite(
        name=SUITE_NAME,
        expectations=expectations,
        meta={"as_of": as_of.isoformat(sep=" "), "rules": [r.id for r in rules]},
    )


# Two of GX's statements are answered without running the checks query, while a session runs
# and only for statements built on a registered query text:
# - GX reads a query asset's column names by running the whole query and fetching every row
#   (``column_reflection_fallback`` on a TextClause): rewritten to ``... LIMIT 0``, which
#   PostgreSQL answers with the columns and no work;
# - with ``partial_unexpected_count: 0`` (the fix list, not Data Docs, lists the bills) GX still
#   sends one ``... LIMIT 0`` example query per expectation, and PostgreSQL plans the whole
#   checks query for each (~25 ms x 20 a day): answered with an empty row set at once.
_COLUMNS_ONLY: set[str] = set()
_LIMIT_PARAM = re.compile(r"LIMIT %\((\w+)\)s(?:::INTEGER)?\s*$")


def _columns_only(conn, cursor, statement, parameters, context, executemany):
    if not _COLUMNS_ONLY:
        return statement, parameters
    if statement in _COLUMNS_ONLY:
        return f"SELECT * FROM ({statement}) AS columns_only LIMIT 0", parameters
    limit = _LIMIT_PARAM.search(statement)
    if (
        limit
        and isinstance(parameters, dict)
        and parameters.get(limit.group(1)) == 0
        and " AS unexpected_values " in statement
        and any(text in statement for text in _COLUMNS_ONLY)
    ):
        return "SELECT NULL AS unexpected_values WHERE false", {}
    return statement, parameters


@contextlib.contextmanager
def _columns_only_hook() -> Iterator[None]:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    event.listen(Engine, "before_cursor_execute", _columns_only, retval=True)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", _columns_only)
        _COLUMNS_ONLY.clear()


class GxSession:
    """An ephemeral GX context for one task: the suite, a pandas and (optionally) a SQL datasource."""

    def __init__(self, rules: Sequence[Rule], as_of: dt.datetime, run_time: dt.datetime) -> None:
        self.gx = import_gx()
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.rules = list(rules)
        self.as_of = as_of
        self.run_time = run_time
        self.context = self.gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.suite = self.context.suites.add(build_suite(self.gx, self.rules, as_of))
        self._pandas_batch = None
        self._sql = None
        self._dsn_var: str | None = None
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> GxSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()
        if self._dsn_var:
            os.environ.pop(self._dsn_var, None)
            self._dsn_var = None

    def run_id(self, run_name: str) -> Any:
        from great_expectations.core.run_identifier import RunIdentifier

        return RunIdentifier(run_name=run_name, run_time=self.run_time)

    # ------------------------------------------------------------------ pandas (chunks)
    def validate_frame(self, frame: Any, run_name: str) -> Any:
        """Validate one DataFrame; COMPLETE results list the failing row positions."""
        if self._pandas_batch is None:
            source = self.context.data_sources.add_pandas("bill_checks_frames")
            asset = source.add_dataframe_asset("bill_checks")
            self._pandas_batch = asset.add_batch_definition_whole_dataframe("chunk")
            self._pandas_definition = self.context.validation_definitions.add(
                self.gx.ValidationDefinition(
                    name="invoice_spec_frames", data=self._pandas_batch, suite=self.suite
                )
            )
        return self._pandas_definition.run(
            batch_parameters={"dataframe": frame},
            result_format={"result_format": "COMPLETE", "partial_unexpected_count": DOCS_KEEP_LIST},
            run_id=self.run_id(run_name),
        )

    # ------------------------------------------------------------------ SQL (in the database)
    def use_database(self, sqlalchemy_url: str) -> None:
        """Connect the SQL datasource; the URL (with its password) travels by an environment
        variable that GX substitutes, so no config object, log line or error holds the secret."""
        self._dsn_var = f"EBOPS_QUALITY_DSN_{secrets.token_hex(4).upper()}"
        os.environ[self._dsn_var] = sqlalchemy_url
        self._sql = self.context.data_sources.add_postgres(
            "ebill_db", connection_string="${" + self._dsn_var + "}"
        )
        self._stack.enter_context(_columns_only_hook())

    def validate_query(self, query: str, asset_name: str, run_name: str) -> Any:
        """Validate a SELECT in the database: one bundled aggregate query computes every count."""
        if self._sql is None:
            raise RuntimeError("use_database() first")
        text = f"SELECT * FROM (\n{query}\n) AS bill_checks"
        asset = self._sql.add_query_asset(asset_name, query=text)
        batch = asset.add_batch_definition_whole_table("day")
        definition = self.context.validation_definitions.add(
            self.gx.ValidationDefinition(name=f"invoice_spec_{asset_name}", data=batch, suite=self.suite)
        )
        _COLUMNS_ONLY.add(text)
        try:
            return definition.run(
                result_format={"result_format": "BASIC", "partial_unexpected_count": 0},
                run_id=self.run_id(run_name),
            )
        finally:
            _COLUMNS_ONLY.discard(text)
            self.context.validation_definitions.delete(definition.name)
            self._sql.delete_asset(asset_name)


def trim_for_docs(result: Any, keep: int = DOCS_KEEP_LIST) -> Any:
    """Drop the complete failing lists from a result before it goes into Data Docs."""
    for item in result.results:
        stats = item.result or {}
        for key in ("unexpected_list", "unexpected_index_list", "unexpected_rows"):
            if isinstance(stats.get(key), list) and len(stats[key]) > keep:
                stats[key] = stats[key][:keep]
        stats.pop("unexpected_index_query", None)
    return result


class DataDocs:
    """The file-based GX project that keeps validation results and renders Data Docs.

    ``public_url`` maps the local site to where people open it: the same ``file://`` path when
    artifacts live on this file system, or the artifacts location the site is copied to.
    """

    def __init__(self, project_dir: Path, public_url: str | None = None) -> None:
        gx = import_gx()
        project_dir.mkdir(parents=True, exist_ok=True)
        self.context = gx.get_context(mode="file", project_root_dir=str(project_dir))
        self.public_url = public_url.rstrip("/") if public_url else None
        self.identifiers: list[Any] = []

    @property
    def site_dir(self) -> Path:
        return Path(self.context.root_directory) / "uncommitted" / "data_docs" / "local_site"

    def keep(self, suite: Any, result: Any, run_id: Any, batch_id: str) -> Any:
        """Store one (trimmed) validation result; returns its identifier."""
        from great_expectations.data_context.types.resource_identifiers import (
            ExpectationSuiteIdentifier,
            ValidationResultIdentifier,
        )

        if not self.identifiers:
            copies = [copy.copy(e) for e in suite.expectations]
            fresh = suite.__class__(name=suite.name, expectations=copies, meta=dict(suite.meta))
            self.context.suites.add_or_update(fresh)
        identifier = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite.name),
            run_id=run_id,
            batch_identifier=batch_id,
        )
        self.context.validation_results_store.set(identifier, trim_for_docs(result))
        self.identifiers.append(identifier)
        return identifier

    def _public(self, local_url: str) -> str:
        if not self.public_url:
            return local_url
        local_root = self.site_dir.as_uri()
        return (
            self.public_url + local_url[len(local_root) :] if local_url.startswith(local_root) else local_url
        )

    def page_url(self, identifier: Any) -> str:
        found = self.context.get_docs_sites_urls(resource_identifier=identifier, only_if_exists=False)
        return self._public(found[0]["site_url"]) if found else self.index_url()

    def index_url(self) -> str:
        return self._public((self.site_dir / "index.html").as_uri())

    def build(self) -> str:
        """Render this task's pages and the index; returns the index URL."""
        if self.identifiers:
            self.context.build_data_docs(resource_identifiers=self.identifiers)
        else:
            self.context.build_data_docs()
        return self.index_url()
