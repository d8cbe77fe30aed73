-- Stock watch (号段库存) and audit deadlines (审验期限), one row per check date and key.
CREATE TABLE IF NOT EXISTS ebops.stock_status (
    check_date       date          NOT NULL,
    place_code       varchar(20)   NOT NULL,
    bill_batch_code  varchar(8)    NOT NULL,
    remaining        bigint        NOT NULL,
    used_per_day     numeric(12,2) NOT NULL,
    days_left        numeric(12,1),
    warn_level       integer       NOT NULL,
    lead_time_days   integer       NOT NULL,
    severity         varchar(10)   NOT NULL,
    advice           varchar(400)  NOT NULL,
    computed_at      timestamp     NOT NULL,
    PRIMARY KEY (check_date, place_code, bill_batch_code)
);
CREATE TABLE IF NOT EXISTS ebops.audit_deadline_status (
    check_date       date          NOT NULL,
    cycle_id         bigint        NOT NULL,
    period_start     date          NOT NULL,
    period_end       date          NOT NULL,
    deadline         date          NOT NULL,
    days_left        integer       NOT NULL,
    severity         varchar(10)   NOT NULL,
    computed_at      timestamp     NOT NULL,
    PRIMARY KEY (check_date, cycle_id)
);
