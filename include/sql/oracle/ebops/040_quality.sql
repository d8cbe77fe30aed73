-- Invoice quality (票据质量): failing bills and pass rates, keyed by the checked business day
-- so that a re-run of a day deletes and re-inserts its own rows.
CREATE TABLE quality_failure (
    check_day        DATE           NOT NULL,
    rule_id          VARCHAR2(40)   NOT NULL,
    bill_id          NUMBER(19)     NOT NULL,
    ivc_date_time    DATE           NOT NULL,
    severity         VARCHAR2(10)   NOT NULL,
    bus_no           VARCHAR2(64),
    place_code       VARCHAR2(20),
    bus_type         VARCHAR2(4),
    bill_batch_code  VARCHAR2(40),
    bill_no          VARCHAR2(40),
    bus_date_time    DATE,
    total_amt        NUMBER(18,2),
    observed         VARCHAR2(200),
    detail           VARCHAR2(4000),
    engine           VARCHAR2(10)   NOT NULL,
    run_id           VARCHAR2(250),
    found_at         DATE           NOT NULL,
    CONSTRAINT quality_failure_pk PRIMARY KEY (check_day, rule_id, bill_id, ivc_date_time)
);
CREATE INDEX quality_failure_bill_idx ON quality_failure (bill_id);
CREATE TABLE quality_pass_rate (
    check_day        DATE           NOT NULL,
    rule_id          VARCHAR2(40)   NOT NULL,
    severity         VARCHAR2(10)   NOT NULL,
    source           VARCHAR2(20)   NOT NULL,
    bills            NUMBER(19)     NOT NULL,
    checked          NUMBER(19)     NOT NULL,
    failed           NUMBER(19)     NOT NULL,
    pass_rate        NUMBER(9,6),
    status           VARCHAR2(10)   NOT NULL,
    engine           VARCHAR2(10)   NOT NULL,
    data_docs_url    VARCHAR2(1000),
    run_id           VARCHAR2(250),
    computed_at      DATE           NOT NULL,
    CONSTRAINT quality_pass_rate_pk PRIMARY KEY (check_day, rule_id)
);
