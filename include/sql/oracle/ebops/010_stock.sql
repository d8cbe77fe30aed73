CREATE TABLE stock_status (
    check_date       DATE           NOT NULL,
    place_code       VARCHAR2(20)   NOT NULL,
    bill_batch_code  VARCHAR2(8)    NOT NULL,
    remaining        NUMBER(19)     NOT NULL,
    used_per_day     NUMBER(12,2)   NOT NULL,
    days_left        NUMBER(12,1),
    warn_level       NUMBER(10)     NOT NULL,
    lead_time_days   NUMBER(10)     NOT NULL,
    severity         VARCHAR2(10)   NOT NULL,
    advice           VARCHAR2(400)  NOT NULL,
    computed_at      DATE           NOT NULL,
    CONSTRAINT stock_status_pk PRIMARY KEY (check_date, place_code, bill_batch_code)
);
CREATE TABLE audit_deadline_status (
    check_date       DATE           NOT NULL,
    cycle_id         NUMBER(19)     NOT NULL,
    period_start     DATE           NOT NULL,
    period_end       DATE           NOT NULL,
    deadline         DATE           NOT NULL,
    days_left        NUMBER(10)     NOT NULL,
    severity         VARCHAR2(10)   NOT NULL,
    computed_at      DATE           NOT NULL,
    CONSTRAINT audit_deadline_status_pk PRIMARY KEY (check_date, cycle_id)
);
