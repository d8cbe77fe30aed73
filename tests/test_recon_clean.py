"""A clean day balances: nothing reported, nothing mailed; totals-first skips the detail there."""

from __future__ import annotations

import datetime as dt

import pytest

from ebill_ops.intervals import day_window

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def clean(reseed):
    from sandbox.generator.config import AnomalyRates, GeneratorConfig

    zero = {name: 0.0 for name, f in AnomalyRates.model_fields.items() if f.annotation is float}
    today = dt.date.today()
    cfg = GeneratorConfig(
        seed=7,
        start=today - dt.timedelta(days=3),
        days=1,
        bills_per_day=600,
        today=today,
        history_years=0,
        interface_incident_days=0,
        rates=AnomalyRates(**zero),
    )
    manifest = reseed(cfg)
    assert not manifest["recon"] and not manifest["his_data_error"] and not manifest["transit"]
    return dt.date.fromisoformat(manifest["generator"]["start"])


def test_a_clean_day_balances_and_sends_nothing(sandbox, clean):
    from ebill_ops.recon import run
    from ebill_ops.recon.settings import ReconSettings

    his, platform = run.sides()
    window = day_window(clean)
    always = run.reconcile(window, ReconSettings(), his, platform)
    [day] = always.days
    assert (day.balanced, day.explained, day.detail_status, day.differences, day.data_errors) == (
        True,
        True,
        "done",
        0,
        0,
    )
    assert day.his_count == day.platform_count > 200 and all(line.balanced for line in always.lines)
    lazy = run.reconcile(window, ReconSettings(detail="when_totals_differ"), his, platform)
    assert [d.detail_status for d in lazy.days] == ["skipped_balanced"] and lazy.differences == []
    run.reconcile_his(window, "clean-run")
    run.reconcile_finance(window, "clean-run")
    report = run.report(window, "clean-run")
    assert report["mailed"] is False and [d["severity"] for d in report["days"]] == ["ok"]


def test_a_balanced_day_still_reports_a_settlement_without_bus_no(sandbox, clean):
    """Totals cannot see an empty busNo: a day that balances is still read for malformed rows."""
    import psycopg

    from ebill_ops.recon import run
    from ebill_ops.recon.settings import ReconSettings

    his, platform = run.sides()
    window = day_window(clean)
    with psycopg.connect(sandbox.admin_dsn("his"), autocommit=True) as conn:
        settle_id, bus_no = conn.execute(
            "SELECT settle_id, bus_no FROM his.settlement WHERE settle_time >= %s AND settle_time < %s "
            "ORDER BY settle_id LIMIT 1",
            (window.start, window.end),
        ).fetchone()
        conn.execute("UPDATE his.settlement SET bus_no = NULL WHERE settle_id = %s", (settle_id,))
        try:
            lazy = run.reconcile(window, ReconSettings(detail="when_totals_differ"), his, platform)
            always = run.reconcile(window, ReconSettings(), his, platform)
        finally:
            conn.execute("UPDATE his.settlement SET bus_no = %s WHERE settle_id = %s", (bus_no, settle_id))
    assert [(d.detail_status, d.balanced) for d in lazy.days] == [("skipped_balanced", True)]
    assert [(e.kind, e.settle_id) for e in lazy.data_errors] == [("null_bus_no", settle_id)]
    assert [d.data_errors for d in lazy.days] == [1]
    # The full detail finds the same, and matches the bill on code + number: no difference.
    assert [(e.kind, e.settle_id) for e in always.data_errors] == [("null_bus_no", settle_id)]
    assert always.differences == [] and [d.explained for d in always.days] == [True]
