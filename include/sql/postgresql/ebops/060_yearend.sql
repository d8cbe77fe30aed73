-- Year-end work (年末工作), keyed by target year: every planned and applied statement (the audit
-- trail of who approved what), the readiness checklist, and the layout-file archives.
-- A re-run replaces a year's planned rows and checklist; applied rows stay as the record.
CREATE TABLE IF NOT EXISTS ebops.yearend_statement (
    target_year      smallint      NOT NULL,
    step_id          varchar(300)  NOT NULL,              -- e.g. partition:ebill.bill:bill_y2027
    statement_no     integer       NOT NULL,              -- position within the step, from 1
    kind             varchar(20)   NOT NULL,              -- tablespace | partition | compress | read_only
    object_name      varchar(200)  NOT NULL,
    statement        text          NOT NULL,
    status           varchar(12)   NOT NULL,              -- planned | running | applied | failed
    plan_digest      varchar(16)   NOT NULL,
    run_id           varchar(250)  NOT NULL,
    approved_by      varchar(200),
    updated_at       timestamp     NOT NULL,
    error            varchar(1000),
    PRIMARY KEY (target_year, step_id, statement_no)
);
CREATE TABLE IF NOT EXISTS ebops.yearend_readiness (
    target_year      smallint      NOT NULL,
    check_id         varchar(40)   NOT NULL,
    title            varchar(200)  NOT NULL,
    passed           boolean       NOT NULL,
    severity         varchar(10)   NOT NULL,
    detail           varchar(1000) NOT NULL,
    items            text,                                -- one failing item per line
    checked_at       timestamp     NOT NULL,
    run_id           varchar(250)  NOT NULL,
    PRIMARY KEY (target_year, check_id)
);
CREATE TABLE IF NOT EXISTS ebops.yearend_layout_archive (
    layout_root      varchar(400)  NOT NULL,              -- local:/path or ssh:<conn>:/path
    archive_path     varchar(400)  NOT NULL,              -- relative to the layout root
    target_year      smallint      NOT NULL,
    period           varchar(7)    NOT NULL,              -- 2023-01 or 2023
    status           varchar(12)   NOT NULL,              -- built | reused | corrupt | released
    files            integer       NOT NULL,
    original_bytes   bigint        NOT NULL,
    archive_bytes    bigint,
    archive_sha256   varchar(64),
    removed          integer       NOT NULL DEFAULT 0,
    problems         integer       NOT NULL DEFAULT 0,
    run_id           varchar(250)  NOT NULL,
    updated_at       timestamp     NOT NULL,
    PRIMARY KEY (layout_root, archive_path)
);
