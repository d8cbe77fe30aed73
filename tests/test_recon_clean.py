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
