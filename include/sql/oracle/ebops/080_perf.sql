-- Performance advisor (性能优化建议): one row per week and finding; top-SQL snapshots for weekly
-- differences; one row per week's report. Keyed by week (and source) so a re-run replaces.
CREATE TABLE perf_finding (
    week_start        DATE           NOT NULL,
    source            VARCHAR2(200)  NOT NULL,
    category          VARCHAR2(20)   NOT NULL,
    target            VARCHAR2(300)  NOT NULL,
    severity          VARCHAR2(10)   NOT NULL,
    rank_no           NUMBER(10)     NOT NULL,
    value             NUMBER(24,4),
    unit              VARCHAR2(20)   NOT NULL,
    threshold         VARCHAR2(200)  NOT NULL,
    detail            VARCHAR2(2000) NOT NULL,
    advice            VARCHAR2(2000) NOT NULL,
    facts             CLOB,
    observed_at       DATE           NOT NULL,
    CONSTRAINT perf_finding_pk PRIMARY KEY (week_start, source, category, target)
);
CREATE TABLE perf_sql_snapshot (
    week_start        DATE           NOT NULL,
    source            VARCHAR2(200)  NOT NULL,
    sql_id            VARCHAR2(64)   NOT NULL,
    calls             NUMBER(24)     NOT NULL,
    total_ms          NUMBER(24,3)   NOT NULL,
    rows_processed    NUMBER(24),
    logical_reads     NUMBER(24),
    disk_reads        NUMBER(24),
    temp_blocks       NUMBER(24),
    taken_at          DATE           NOT NULL,
    CONSTRAINT perf_sql_snapshot_pk PRIMARY KEY (week_start, source, sql_id)
);
CREATE TABLE perf_run (
    week_start        DATE           NOT NULL PRIMARY KEY,
    week_end          DATE           NOT NULL,
    finished_at       DATE           NOT NULL,
    worst_severity    VARCHAR2(10)   NOT NULL,
    warning_count     NUMBER(10)     NOT NULL,
    critical_count    NUMBER(10)     NOT NULL,
    report_url        VARCHAR2(1000),
    fingerprint       VARCHAR2(64),
    mailed_at         DATE
);
