-- Daily inspection (日常巡检) and backup verification (备份校验): runs, findings, backup catalogue.

-- One row per inspection date: when it ran, what it found, where the report is, what was mailed.
CREATE TABLE IF NOT EXISTS ebops.inspection_run (
    check_date        date          NOT NULL PRIMARY KEY,
    window_start      timestamp     NOT NULL,
    window_end        timestamp     NOT NULL,
    finished_at       timestamp     NOT NULL,
    worst_severity    varchar(10)   NOT NULL,
    ok_count          integer       NOT NULL,
    warning_count     integer       NOT NULL,
    critical_count    integer       NOT NULL,
    report_url        varchar(1000),
    fingerprint       varchar(64),                 -- what the mailed report said (no second mail for the same)
    mailed_at         timestamp
);

-- One row per date, check and target. "source" is what produced it (an SSH or DB connection id,
-- "endpoints", "application", "backup") so a check task replaces exactly its own rows.
CREATE TABLE IF NOT EXISTS ebops.inspection_finding (
    check_date        date          NOT NULL,
    category          varchar(20)   NOT NULL,      -- host | database | middleware | application | backup
    check_name        varchar(40)   NOT NULL,
    target            varchar(300)  NOT NULL,
    source            varchar(200)  NOT NULL,
    value             numeric(24,4),
    raw_value         numeric(24,4),               -- a cumulative counter, for the next run's difference
    unit              varchar(20)   NOT NULL,
    threshold         varchar(200)  NOT NULL,
    severity          varchar(10)   NOT NULL,
    advice            varchar(1000) NOT NULL,
    detail            varchar(1000) NOT NULL,
    observed_at       timestamp     NOT NULL,
    PRIMARY KEY (check_date, category, check_name, target)
);
CREATE INDEX IF NOT EXISTS inspection_finding_source_idx ON ebops.inspection_finding (check_date, source);

-- Backup catalogue: one row per backup (a day's backup of one method); checksums and verdicts.
CREATE TABLE IF NOT EXISTS ebops.backup_catalog (
    backup_date       date          NOT NULL,
    method            varchar(20)   NOT NULL,      -- pg_dump | rman | datapump
    file_url          varchar(1000) NOT NULL,
    size_bytes        bigint,
    sha256            varchar(64),
    started_at        timestamp     NOT NULL,
    finished_at       timestamp,
    status            varchar(20)   NOT NULL,      -- created | verified | failed | expired
    verified_at       timestamp,
    verdict           varchar(1000),
    source_stats      text,                         -- JSON: rows, amounts, content hash per table at backup time
    removed_at        timestamp,
    PRIMARY KEY (backup_date, method)
);

-- What the test restore found per core table, next to what the source had at backup time.
CREATE TABLE IF NOT EXISTS ebops.backup_table_check (
    backup_date       date          NOT NULL,
    method            varchar(20)   NOT NULL,
    table_name        varchar(60)   NOT NULL,
    source_rows       bigint,
    restored_rows     bigint,
    source_amount     numeric(20,2),
    restored_amount   numeric(20,2),
    source_hash       varchar(40),
    restored_hash     varchar(40),
    matches           smallint      NOT NULL,
    checked_at        timestamp     NOT NULL,
    PRIMARY KEY (backup_date, method, table_name)
);
