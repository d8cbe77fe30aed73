-- Daily inspection (日常巡检) and backup verification (备份校验): runs, findings, backup catalogue.
CREATE TABLE inspection_run (
    check_date        DATE           NOT NULL PRIMARY KEY,
    window_start      DATE           NOT NULL,
    window_end        DATE           NOT NULL,
    finished_at       DATE           NOT NULL,
    worst_severity    VARCHAR2(10)   NOT NULL,
    ok_count          NUMBER(10)     NOT NULL,
    warning_count     NUMBER(10)     NOT NULL,
    critical_count    NUMBER(10)     NOT NULL,
    report_url        VARCHAR2(1000),
    fingerprint       VARCHAR2(64),
    mailed_at         DATE
);
CREATE TABLE inspection_finding (
    check_date        DATE           NOT NULL,
    category          VARCHAR2(20)   NOT NULL,
    check_name        VARCHAR2(40)   NOT NULL,
    target            VARCHAR2(300)  NOT NULL,
    source            VARCHAR2(200)  NOT NULL,
    value             NUMBER(24,4),
    raw_value         NUMBER(24,4),
    unit              VARCHAR2(20),
    threshold         VARCHAR2(200),
    severity          VARCHAR2(10)   NOT NULL,
    advice            VARCHAR2(1000),
    detail            VARCHAR2(1000),
    observed_at       DATE           NOT NULL,
    CONSTRAINT inspection_finding_pk PRIMARY KEY (check_date, category, check_name, target)
);
CREATE INDEX inspection_finding_source_idx ON inspection_finding (check_date, source);
CREATE TABLE backup_catalog (
    backup_date       DATE           NOT NULL,
    method            VARCHAR2(20)   NOT NULL,
    file_url          VARCHAR2(1000) NOT NULL,
    size_bytes        NUMBER(19),
    sha256            VARCHAR2(64),
    started_at        DATE           NOT NULL,
    finished_at       DATE,
    status            VARCHAR2(20)   NOT NULL,
    verified_at       DATE,
    verdict           VARCHAR2(1000),
    source_stats      CLOB,
    removed_at        DATE,
    CONSTRAINT backup_catalog_pk PRIMARY KEY (backup_date, method)
);
CREATE TABLE backup_table_check (
    backup_date       DATE           NOT NULL,
    method            VARCHAR2(20)   NOT NULL,
    table_name        VARCHAR2(60)   NOT NULL,
    source_rows       NUMBER(19),
    restored_rows     NUMBER(19),
    source_amount     NUMBER(20,2),
    restored_amount   NUMBER(20,2),
    source_hash       VARCHAR2(40),
    restored_hash     VARCHAR2(40),
    matches           NUMBER(1)      NOT NULL,
    checked_at        DATE           NOT NULL,
    CONSTRAINT backup_table_check_pk PRIMARY KEY (backup_date, method, table_name)
);
