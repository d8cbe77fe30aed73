-- State of the finance-platform simulator (财政电子票据公共平台), kept in its own database so it
-- survives restarts. The generator seeds it with what finance already holds; the simulator's
-- HTTP services change it.
CREATE SCHEMA IF NOT EXISTS finsim;

-- One row per bill finance has received. upload_count proves exactly-once supervision.
CREATE TABLE IF NOT EXISTS finsim.bill (
    bill_batch_code   varchar(8)    NOT NULL,
    bill_no           varchar(10)   NOT NULL,
    check_code        varchar(6),
    bus_no            varchar(64),
    place_code        varchar(20),
    ivc_date          date          NOT NULL,   -- issue date: the day totals count it under
    ivc_date_time     timestamp     NOT NULL,
    total_amt         numeric(16,2) NOT NULL,
    direction         smallint      NOT NULL,   -- 1 blue, -1 red
    upload_count      integer       NOT NULL DEFAULT 0,
    first_upload_time timestamp,
    last_upload_time  timestamp,
    supervise_time    timestamp,                -- 监制
    archive_count     integer       NOT NULL DEFAULT 0,
    archive_time      timestamp,                -- 归档
    PRIMARY KEY (bill_batch_code, bill_no)
);
CREATE INDEX IF NOT EXISTS finsim_bill_date_idx ON finsim.bill (ivc_date);

-- Every request received, with its outcome (what the simulator "saw").
CREATE TABLE IF NOT EXISTS finsim.request_log (
    request_id        bigserial     PRIMARY KEY,
    received_at       timestamptz   NOT NULL DEFAULT now(),
    service_name      varchar(60)   NOT NULL,
    appid             varchar(60),
    noise             varchar(100),
    result            varchar(16)   NOT NULL,
    message           varchar(400),
    bill_count        integer       NOT NULL DEFAULT 0,
    duration_ms       integer
);

-- Fault injection, switchable at run time (one row).
CREATE TABLE IF NOT EXISTS finsim.fault (
    id                smallint      PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    outage_start      timestamptz,              -- connection refused / 503 while now() in [start, end)
    outage_end        timestamptz,
    error_rate        double precision NOT NULL DEFAULT 0,  -- share of requests answered with error_code
    error_code        varchar(16)   NOT NULL DEFAULT 'E0500',
    added_latency_ms  integer       NOT NULL DEFAULT 0,
    updated_at        timestamptz   NOT NULL DEFAULT now()
);
INSERT INTO finsim.fault (id) VALUES (1) ON CONFLICT (id) DO NOTHING;
