-- Data contract: the bill platform (票据系统) as the package reads it. PostgreSQL dialect.
-- A real site maps its vendor schema onto these names with views (docs/data-contract.md);
-- the sandbox creates them as tables. Money is numeric(16,2); timestamps are local time
-- (the site's time zone, common.timezone) without a zone, as the vendor stores them.
-- The bill tables are range-partitioned by issue time, one partition per year; creating next
-- year's partition is the year-end DAG's job, so they are created here for the seeded years only.
CREATE SCHEMA IF NOT EXISTS ebill;

-- Base data: bill kinds per year. The 8-digit code carries the year (44060126 -> 2026).
CREATE TABLE IF NOT EXISTS ebill.bill_code (
    bill_batch_code   varchar(8)   NOT NULL PRIMARY KEY,  -- 票据代码: region(2) class(2) kind(2) year(2)
    bill_name         varchar(100) NOT NULL,              -- e.g. 医疗收费电子票据（门诊）
    bill_year         smallint     NOT NULL,
    bus_types         varchar(60)  NOT NULL,              -- comma list of busType codes it serves
    valid_from        date         NOT NULL,
    valid_to          date         NOT NULL
);

-- Issuing points (开票点).
CREATE TABLE IF NOT EXISTS ebill.issuing_point (
    place_code        varchar(20)  NOT NULL PRIMARY KEY,
    place_name        varchar(100) NOT NULL,
    active            boolean      NOT NULL DEFAULT true,
    stock_warn_level  integer      NOT NULL DEFAULT 500,  -- warn below this many unused numbers
    lead_time_days    integer      NOT NULL DEFAULT 7,    -- days needed to get new stock
    host_name         varchar(60)                          -- workstation / server, for local faults
);

-- Number ranges (号段) handed down to issuing points; stock = unused numbers.
CREATE TABLE IF NOT EXISTS ebill.stock_range (
    range_id          bigint       NOT NULL PRIMARY KEY,
    place_code        varchar(20)  NOT NULL,
    bill_batch_code   varchar(8)   NOT NULL,
    start_no          varchar(10)  NOT NULL,              -- first number of the range
    end_no            varchar(10)  NOT NULL,              -- last number of the range
    next_no           varchar(10),                        -- next unused number; NULL when used up
    status            smallint     NOT NULL DEFAULT 2,    -- 1 allocated, 2 handed down (下发), 3 returned
    handed_down_time  timestamp    NOT NULL
);

-- Periodic audit cycles (审验/核销) with their deadline; result 1 good, 2 pass, 3 problem, 4 rectified.
CREATE TABLE IF NOT EXISTS ebill.audit_cycle (
    cycle_id          bigint       NOT NULL PRIMARY KEY,
    period_start      date         NOT NULL,
    period_end        date         NOT NULL,
    deadline          date         NOT NULL,
    submitted_time    timestamp,
    result            smallint
);

-- Application users of the bill platform. Passwords only as salted hashes.
CREATE TABLE IF NOT EXISTS ebill.app_user (
    user_id           bigint       NOT NULL PRIMARY KEY,
    login_name        varchar(60)  NOT NULL UNIQUE,
    display_name      varchar(60)  NOT NULL,
    place_code        varchar(20),
    password_algo     varchar(20)  NOT NULL,              -- sha256 | md5 | pbkdf2_sha256
    password_salt     varchar(64)  NOT NULL,
    password_hash     varchar(128) NOT NULL,              -- hex digest of salt || password
    locked            boolean      NOT NULL DEFAULT false,
    failed_logins     integer      NOT NULL DEFAULT 0,
    last_login_time   timestamp,
    password_changed  timestamp    NOT NULL,
    expires_at        timestamp
);

-- Bill headers with their lifecycle. data_type: 1 e-bill, 2 red e-bill, 3 paper, 4 red paper,
-- 5 blank paper. state: 1 normal, 2 voided, 3 reversed (冲红). direction: 1 income (blue),
-- -1 red; totals use direction, never the sign of total_amt (stored positive).
CREATE TABLE IF NOT EXISTS ebill.bill (
    bill_id                bigint        NOT NULL,
    bus_no                 varchar(64),                   -- busNo 业务流水号 (HIS serial)
    bus_type               varchar(2),                    -- 01 inpatient, 02 outpatient, ...
    place_code             varchar(20),                   -- issuing point
    bill_batch_code        varchar(8),                    -- 票据代码
    bill_no                varchar(10),                   -- 票据号码
    check_code             varchar(6),                    -- 校验码
    data_type              smallint      NOT NULL,
    state                  smallint      NOT NULL,
    direction              smallint      NOT NULL,
    relate_bill_batch_code varchar(8),                    -- red bill -> its blue bill
    relate_bill_no         varchar(10),
    pay_channel            varchar(4),                    -- channel of the personal cash part
    payer                  varchar(200),
    payer_type             smallint,                      -- 1 person, 2 unit
    id_card_no             varchar(32),
    card_type              varchar(4),
    card_no                varchar(40),
    payee                  varchar(60),                   -- cashier
    checker                varchar(60),
    total_amt              numeric(16,2) NOT NULL,
    fund_pay               numeric(16,2) NOT NULL DEFAULT 0,  -- insurance fund (统筹)
    account_pay            numeric(16,2) NOT NULL DEFAULT 0,  -- personal account
    otherfund_pay          numeric(16,2) NOT NULL DEFAULT 0,  -- other insurance
    own_pay                numeric(16,2) NOT NULL DEFAULT 0,  -- self-paid outside catalogue
    self_conceited_amt     numeric(16,2) NOT NULL DEFAULT 0,  -- self-burden below deductible
    self_pay_amt           numeric(16,2) NOT NULL DEFAULT 0,  -- self-share
    self_cash_pay          numeric(16,2) NOT NULL DEFAULT 0,  -- personal cash
    med_care_type_code     varchar(10),
    med_care_no            varchar(40),
    med_institution_type   varchar(10),
    patient_no             varchar(40),                   -- outpatient number
    hospital_no            varchar(40),                   -- inpatient number
    in_hospital_date       date,
    out_hospital_date      date,
    sex                    varchar(4),
    age                    varchar(10),
    bus_date_time          timestamp     NOT NULL,        -- business (payment) time
    ivc_date_time          timestamp     NOT NULL,        -- issue time; partition key
    sign_time              timestamp,                     -- signed by the signature server
    upload_time            timestamp,                     -- last successful upload to finance
    supervise_time         timestamp,                     -- 监制 by the finance platform
    archive_time           timestamp,                     -- 归档 at the finance platform
    deliver_time           timestamp,
    deliver_channel        varchar(10),                   -- wechat | sms | email | alipay
    accounted              smallint      NOT NULL DEFAULT 0,  -- 入账
    remark                 text,
    PRIMARY KEY (bill_id, ivc_date_time)
) PARTITION BY RANGE (ivc_date_time);

-- Item lines (chargeDetail).
CREATE TABLE IF NOT EXISTS ebill.bill_item (
    bill_id           bigint        NOT NULL,
    ivc_date_time     timestamp     NOT NULL,             -- copied from the header; partition key
    sort_no           integer       NOT NULL,
    charge_code       varchar(40),
    charge_name       varchar(100),
    unit              varchar(20),
    std               numeric(16,4),                      -- unit price
    number            numeric(16,4),
    amt               numeric(16,2),
    self_amt          numeric(16,2),
    PRIMARY KEY (bill_id, sort_no, ivc_date_time)
) PARTITION BY RANGE (ivc_date_time);

-- Payment channels of a bill: cash-like channels plus insurance fund / personal account.
CREATE TABLE IF NOT EXISTS ebill.bill_payment (
    bill_id           bigint        NOT NULL,
    ivc_date_time     timestamp     NOT NULL,
    pay_channel       varchar(4)    NOT NULL,
    pay_amt           numeric(16,2) NOT NULL,
    PRIMARY KEY (bill_id, pay_channel, ivc_date_time)
) PARTITION BY RANGE (ivc_date_time);

-- Every call across a system boundary, as the platform logs it.
-- interface: signature | his_issue | finance_upload | delivery.
CREATE TABLE IF NOT EXISTS ebill.interface_call_log (
    call_id           bigint        NOT NULL PRIMARY KEY,
    interface         varchar(20)   NOT NULL,
    service_name      varchar(60)   NOT NULL,
    place_code        varchar(20),
    bus_no            varchar(64),
    bill_id           bigint,
    call_time         timestamp     NOT NULL,             -- start of the call
    duration_ms       integer       NOT NULL,
    success           boolean       NOT NULL,
    result_code       varchar(16),                        -- S0000 or E.... or a transport error
    error_msg         varchar(400)
);

-- Layout files (版式文件, PDF/OFD) of issued bills on the file server.
CREATE TABLE IF NOT EXISTS ebill.layout_file (
    bill_id           bigint        NOT NULL PRIMARY KEY,
    bill_batch_code   varchar(8)    NOT NULL,
    bill_no           varchar(10)   NOT NULL,
    ivc_date          date          NOT NULL,
    file_type         varchar(4)    NOT NULL,             -- PDF | OFD
    file_path         varchar(400)  NOT NULL,             -- path on the file server (or inside archive)
    size_bytes        bigint,
    sha256            varchar(64),
    archive_path      varchar(400),                       -- set when moved into a compressed archive
    archived_time     timestamp
);
