-- Performance advisor (性能优化建议): one row per week and finding; top-SQL snapshots for weekly
-- differences; one row per week's report. Keyed by week (and source) so a re-run replaces.

CREATE TABLE IF NOT EXISTS ebops.perf_finding (
    week_start        date          NOT NULL,      -- first local day of the week analysed
    source            varchar(200)  NOT NULL,      -- connection id, or <conn>:interface_call_log
    category          varchar(20)   NOT NULL,      -- top_sql | stale_stats | bloat | unused_index | seq_scan | slow_interface | slow_window | check
    target            varchar(300)  NOT NULL,
    severity          varchar(10)   NOT NULL,      -- info | ok | warning | critical
    rank_no           integer       NOT NULL,
    value             numeric(24,4),
    unit              varchar(20)   NOT NULL,
    threshold         varchar(200)  NOT NULL,
    detail            varchar(2000) NOT NULL,
    advice            varchar(2000) NOT NULL,
    facts             text,                        -- JSON: the figures behind the finding (report tables)
    observed_at       timestamp     NOT NULL,
    PRIMARY KEY (week_start, source, category, target)
);

-- Cumulative statement statistics as read at the end of a week: next week's top SQL is the
-- difference (pg_stat_statements and V$SQLSTATS only count up since a reset or instance start).
CREATE TABLE IF NOT EXISTS ebops.perf_sql_snapshot (
    week_start        date          NOT NULL,
    source            varchar(200)  NOT NULL,
    sql_id            varchar(64)   NOT NULL,
    calls             numeric(24)   NOT NULL,
    total_ms          numeric(24,3) NOT NULL,
    rows_processed    numeric(24),
    logical_reads     numeric(24),
    disk_reads        numeric(24),
    temp_blocks       numeric(24),
    taken_at          timestamp     NOT NULL,
    PRIMARY KEY (week_start, source, sql_id)
);

CREATE TABLE IF NOT EXISTS ebops.perf_run (
    week_start        date          NOT NULL PRIMARY KEY,
    week_end          date          NOT NULL,      -- exclusive
    finished_at       timestamp     NOT NULL,
    worst_severity    varchar(10)   NOT NULL,
    warning_count     integer       NOT NULL,
    critical_count    integer       NOT NULL,
    report_url        varchar(1000),
    fingerprint       varchar(64),                 -- what the mailed report said (no second mail for the same)
    mailed_at         timestamp
);
