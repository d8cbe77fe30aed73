-- Data contract: the bill platform (票据系统) as the package reads it. Oracle dialect (production).
-- A real site creates these names as views over the vendor schema (docs/data-contract.md), in a
-- schema the ebill_db account can read; shown here as tables for a test database.
-- Dates are DATE (second precision, local time). Flags are NUMBER(1) 0/1.
CREATE TABLE bill_code (
    bill_batch_code   VARCHAR2(8)    NOT NULL PRIMARY KEY,
    bill_name         VARCHAR2(100)  NOT NULL,
    bill_year         NUMBER(4)      NOT NULL,
    bus_types         VARCHAR2(60)   NOT NULL,
    valid_from        DATE           NOT NULL,
    valid_to          DATE           NOT NULL
);

CREATE TABLE issuing_point (
    place_code        VARCHAR2(20)   NOT NULL PRIMARY KEY,
    place_name        VARCHAR2(100)  NOT NULL,
    active            NUMBER(1)      DEFAULT 1 NOT NULL,
    stock_warn_level  NUMBER(10)     DEFAULT 500 NOT NULL,
    lead_time_days    NUMBER(5)      DEFAULT 7 NOT NULL,
    host_name         VARCHAR2(60)
);

CREATE TABLE stock_range (
    range_id          NUMBER(19)     NOT NULL PRIMARY KEY,
    place_code        VARCHAR2(20)   NOT NULL,
    bill_batch_code   VARCHAR2(8)    NOT NULL,
    start_no          VARCHAR2(10)   NOT NULL,
    end_no            VARCHAR2(10)   NOT NULL,
    next_no           VARCHAR2(10),
    status            NUMBER(2)      DEFAULT 2 NOT NULL,
    handed_down_time  DATE           NOT NULL
);

CREATE TABLE audit_cycle (
    cycle_id          NUMBER(19)     NOT NULL PRIMARY KEY,
    period_start      DATE           NOT NULL,
    period_end        DATE           NOT NULL,
    deadline          DATE           NOT NULL,
    submitted_time    DATE,
    result            NUMBER(2)
);

CREATE TABLE app_user (
    user_id           NUMBER(19)     NOT NULL PRIMARY KEY,
    login_name        VARCHAR2(60)   NOT NULL UNIQUE,
    display_name      VARCHAR2(60)   NOT NULL,
    place_code        VARCHAR2(20),
    password_algo     VARCHAR2(20)   NOT NULL,
    password_salt     VARCHAR2(64)   NOT NULL,
    password_hash     VARCHAR2(128)  NOT NULL,
    locked            NUMBER(1)      DEFAULT 0 NOT NULL,
    failed_logins     NUMBER(5)      DEFAULT 0 NOT NULL,
    last_login_time   DATE,
    password_changed  DATE           NOT NULL,
    expires_at        DATE
);

CREATE TABLE bill (
    bill_id                NUMBER(19)     NOT NULL,
    bus_no                 VARCHAR2(64),
    bus_type               VARCHAR2(2),
    place_code             VARCHAR2(20),
    bill_batch_code        VARCHAR2(8),
    bill_no                VARCHAR2(10),
    check_code             VARCHAR2(6),
    data_type              NUMBER(2)      NOT NULL,
    state                  NUMBER(2)      NOT NULL,
    direction              NUMBER(2)      NOT NULL,
    relate_bill_batch_code VARCHAR2(8),
    relate_bill_no         VARCHAR2(10),
    pay_channel            VARCHAR2(4),
    payer                  VARCHAR2(200),
    payer_type             NUMBER(1),
    id_card_no             VARCHAR2(32),
    card_type              VARCHAR2(4),
    card_no                VARCHAR2(40),
    payee                  VARCHAR2(60),
    checker                VARCHAR2(60),
    total_amt              NUMBER(16,2)   NOT NULL,
    fund_pay               NUMBER(16,2)   DEFAULT 0 NOT NULL,
    account_pay            NUMBER(16,2)   DEFAULT 0 NOT NULL,
    otherfund_pay          NUMBER(16,2)   DEFAULT 0 NOT NULL,
    own_pay                NUMBER(16,2)   DEFAULT 0 NOT NULL,
    self_conceited_amt     NUMBER(16,2)   DEFAULT 0 NOT NULL,
    self_pay_amt           NUMBER(16,2)   DEFAULT 0 NOT NULL,
    self_cash_pay          NUMBER(16,2)   DEFAULT 0 NOT NULL,
    med_care_type_code     VARCHAR2(10),
    med_care_no            VARCHAR2(40),
    med_institution_type   VARCHAR2(10),
    patient_no             VARCHAR2(40),
    hospital_no            VARCHAR2(40),
    in_hospital_date       DATE,
    out_hospital_date      DATE,
    sex                    VARCHAR2(4),
    age                    VARCHAR2(10),
    bus_date_time          DATE           NOT NULL,
    ivc_date_time          DATE           NOT NULL,
    sign_time              DATE,
    upload_time            DATE,
    supervise_time         DATE,
    archive_time           DATE,
    deliver_time           DATE,
    deliver_channel        VARCHAR2(10),
    accounted              NUMBER(1)      DEFAULT 0 NOT NULL,
    remark                 VARCHAR2(4000),
    CONSTRAINT bill_pk PRIMARY KEY (bill_id, ivc_date_time)
);

-- Range partitions by issue year (Oracle 12.2+ converts online; a vendor schema has them already).
ALTER TABLE bill MODIFY PARTITION BY RANGE (ivc_date_time) (
    PARTITION bill_y2025 VALUES LESS THAN (DATE '2026-01-01'),
    PARTITION bill_y2026 VALUES LESS THAN (DATE '2027-01-01')
) ONLINE;

CREATE TABLE bill_item (
    bill_id           NUMBER(19)     NOT NULL,
    ivc_date_time     DATE           NOT NULL,
    sort_no           NUMBER(5)      NOT NULL,
    charge_code       VARCHAR2(40),
    charge_name       VARCHAR2(100),
    unit              VARCHAR2(20),
    std               NUMBER(16,4),
    "NUMBER"          NUMBER(16,4),
    amt               NUMBER(16,2),
    self_amt          NUMBER(16,2),
    CONSTRAINT bill_item_pk PRIMARY KEY (bill_id, sort_no, ivc_date_time)
);

-- Range partitions by issue year (Oracle 12.2+ converts online; a vendor schema has them already).
ALTER TABLE bill_item MODIFY PARTITION BY RANGE (ivc_date_time) (
    PARTITION bill_item_y2025 VALUES LESS THAN (DATE '2026-01-01'),
    PARTITION bill_item_y2026 VALUES LESS THAN (DATE '2027-01-01')
) ONLINE;

CREATE TABLE bill_payment (
    bill_id           NUMBER(19)     NOT NULL,
    ivc_date_time     DATE           NOT NULL,
    pay_channel       VARCHAR2(4)    NOT NULL,
    pay_amt           NUMBER(16,2)   NOT NULL,
    CONSTRAINT bill_payment_pk PRIMARY KEY (bill_id, pay_channel, ivc_date_time)
);

-- Range partitions by issue year (Oracle 12.2+ converts online; a vendor schema has them already).
ALTER TABLE bill_payment MODIFY PARTITION BY RANGE (ivc_date_time) (
    PARTITION bill_payment_y2025 VALUES LESS THAN (DATE '2026-01-01'),
    PARTITION bill_payment_y2026 VALUES LESS THAN (DATE '2027-01-01')
) ONLINE;

CREATE TABLE interface_call_log (
    call_id           NUMBER(19)     NOT NULL PRIMARY KEY,
    interface         VARCHAR2(20)   NOT NULL,
    service_name      VARCHAR2(60)   NOT NULL,
    place_code        VARCHAR2(20),
    bus_no            VARCHAR2(64),
    bill_id           NUMBER(19),
    call_time         TIMESTAMP      NOT NULL,
    duration_ms       NUMBER(10)     NOT NULL,
    success           NUMBER(1)      NOT NULL,
    result_code       VARCHAR2(16),
    error_msg         VARCHAR2(400)
);

CREATE TABLE layout_file (
    bill_id           NUMBER(19)     NOT NULL PRIMARY KEY,
    bill_batch_code   VARCHAR2(8)    NOT NULL,
    bill_no           VARCHAR2(10)   NOT NULL,
    ivc_date          DATE           NOT NULL,
    file_type         VARCHAR2(4)    NOT NULL,
    file_path         VARCHAR2(400)  NOT NULL,
    size_bytes        NUMBER(19),
    sha256            VARCHAR2(64),
    archive_path      VARCHAR2(400),
    archived_time     DATE
);
