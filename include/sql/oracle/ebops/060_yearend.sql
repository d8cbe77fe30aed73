-- Year-end work (年末工作), keyed by target year: every planned and applied statement (the audit
-- trail of who approved what), the readiness checklist, and the layout-file archives.
CREATE TABLE yearend_statement (
    target_year      NUMBER(4)      NOT NULL,
    step_id          VARCHAR2(300)  NOT NULL,
    statement_no     NUMBER(5)      NOT NULL,
    kind             VARCHAR2(20)   NOT NULL,
    object_name      VARCHAR2(200)  NOT NULL,
    statement        CLOB           NOT NULL,
    status           VARCHAR2(12)   NOT NULL,
    plan_digest      VARCHAR2(16)   NOT NULL,
    run_id           VARCHAR2(250)  NOT NULL,
    approved_by      VARCHAR2(200),
    updated_at       DATE           NOT NULL,
    error            VARCHAR2(1000),
    CONSTRAINT yearend_statement_pk PRIMARY KEY (target_year, step_id, statement_no)
);
CREATE TABLE yearend_readiness (
    target_year      NUMBER(4)      NOT NULL,
    check_id         VARCHAR2(40)   NOT NULL,
    title            VARCHAR2(200)  NOT NULL,
    passed           NUMBER(1)      NOT NULL,
    severity         VARCHAR2(10)   NOT NULL,
    detail           VARCHAR2(1000) NOT NULL,
    items            CLOB,
    checked_at       DATE           NOT NULL,
    run_id           VARCHAR2(250)  NOT NULL,
    CONSTRAINT yearend_readiness_pk PRIMARY KEY (target_year, check_id)
);
CREATE TABLE yearend_layout_archive (
    layout_root      VARCHAR2(400)  NOT NULL,
    archive_path     VARCHAR2(400)  NOT NULL,
    target_year      NUMBER(4)      NOT NULL,
    period           VARCHAR2(7)    NOT NULL,
    status           VARCHAR2(12)   NOT NULL,
    files            NUMBER(10)     NOT NULL,
    original_bytes   NUMBER(19)     NOT NULL,
    archive_bytes    NUMBER(19),
    archive_sha256   VARCHAR2(64),
    removed          NUMBER(10)     DEFAULT 0 NOT NULL,
    problems         NUMBER(10)     DEFAULT 0 NOT NULL,
    run_id           VARCHAR2(250)  NOT NULL,
    updated_at       DATE           NOT NULL,
    CONSTRAINT yearend_layout_archive_pk PRIMARY KEY (layout_root, archive_path)
);
