-- Security audit (安全审计, ebill_security_audit): findings per ISO week and source. A re-run in
-- the same week replaces the source's rows. Never a password or a hash: only the rule that matched.
CREATE TABLE security_finding (
    audit_week   DATE                NOT NULL,
    source       VARCHAR2(100 CHAR)  NOT NULL,
    rule         VARCHAR2(40 CHAR)   NOT NULL,
    target       VARCHAR2(200 CHAR)  NOT NULL,
    category     VARCHAR2(20 CHAR)   NOT NULL,
    severity     VARCHAR2(10 CHAR)   NOT NULL,
    detail       VARCHAR2(1000 CHAR) NOT NULL,
    advice       VARCHAR2(1000 CHAR) NOT NULL,
    accepted     VARCHAR2(400 CHAR),
    run_id       VARCHAR2(250 CHAR)  NOT NULL,
    audited_at   DATE                NOT NULL,
    CONSTRAINT security_finding_pk PRIMARY KEY (audit_week, source, rule, target)
);
CREATE TABLE security_audit_source (
    audit_week       DATE                NOT NULL,
    source           VARCHAR2(100 CHAR)  NOT NULL,
    run_id           VARCHAR2(250 CHAR)  NOT NULL,
    as_of            DATE                NOT NULL,
    audited_at       DATE                NOT NULL,
    accounts         NUMBER(10)          NOT NULL,
    hashes_tested    NUMBER(10)          NOT NULL,
    hashes_computed  NUMBER(19)          NOT NULL,
    limited          NUMBER(10)          NOT NULL,
    untestable       NUMBER(10)          NOT NULL,
    candidates       NUMBER(10)          NOT NULL,
    seconds          NUMBER(12,3)        NOT NULL,
    CONSTRAINT security_audit_source_pk PRIMARY KEY (audit_week, source)
);
