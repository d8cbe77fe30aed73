-- Invoice quality (票据质量): failing bills and pass rates, keyed by the checked business day
-- so that a re-run of a day deletes and re-inserts its own rows.
CREATE TABLE IF NOT EXISTS ebops.quality_failure (
    check_day        date          NOT NULL,   -- the bill's business day
    rule_id          varchar(40)   NOT NULL,   -- invoice-spec rule id (ebill_ops.quality.rules)
    bill_id          bigint        NOT NULL,
    ivc_date_time    timestamp     NOT NULL,
    severity         varchar(10)   NOT NULL,   -- critical | warning
    bus_no           varchar(64),
    place_code       varchar(20),
    bus_type         varchar(4),
    bill_batch_code  varchar(40),              -- as stored (may be the malformed value)
    bill_no          varchar(40),
    bus_date_time    timestamp,
    total_amt        numeric(18,2),
    observed         varchar(200),             -- the checked value, as text
    detail           varchar(4000),            -- JSON of the rule's detail fields
    engine           varchar(10)   NOT NULL,   -- database | pandas
    run_id           varchar(250),
    found_at         timestamp     NOT NULL,
    PRIMARY KEY (check_day, rule_id, bill_id, ivc_date_time)
);
CREATE INDEX IF NOT EXISTS quality_failure_bill_idx ON ebops.quality_failure (bill_id);

-- Pass rate per rule per day, for trend reading.
CREATE TABLE IF NOT EXISTS ebops.quality_pass_rate (
    check_day        date          NOT NULL,
    rule_id          varchar(40)   NOT NULL,
    severity         varchar(10)   NOT NULL,
    source           varchar(20)   NOT NULL,   -- regulation | vendor_spec | local_practice
    bills            bigint        NOT NULL,   -- bills of the day validated
    checked          bigint        NOT NULL,   -- bills the rule applies to
    failed           bigint        NOT NULL,
    pass_rate        numeric(9,6),             -- NULL when the rule applies to no bill
    status           varchar(10)   NOT NULL,   -- passed | failed | error | n/a
    engine           varchar(10)   NOT NULL,
    data_docs_url    varchar(1000),
    run_id           varchar(250),
    computed_at      timestamp     NOT NULL,
    PRIMARY KEY (check_day, rule_id)
);
