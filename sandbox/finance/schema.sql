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

-- Extensions by the simulator (idempotent; the generator's COPY leaves them at their defaults).
-- duplicate_count: uploads that found the bill already supervised (re-sends); a correct client
-- makes it 0. upload_count (above) counts every accepted receipt, the first one included.
ALTER TABLE finsim.bill ADD COLUMN IF NOT EXISTS duplicate_count integer NOT NULL DEFAULT 0;

-- Replay protection: every (appid, noise) of a correctly signed request, kept across restarts.
CREATE TABLE IF NOT EXISTS finsim.seen_noise (
    appid             varchar(60)   NOT NULL,
    noise             varchar(100)  NOT NULL,
    received_at       timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (appid, noise)
);

-- One row per bill in every uploadBill request: what happened to it. Lets a test prove that each
-- bill was received exactly once, and shows conflicts and rejected data that never reach finsim.bill.
CREATE TABLE IF NOT EXISTS finsim.upload_event (
    event_id          bigserial     PRIMARY KEY,
    request_id        bigint,                   -- finsim.request_log.request_id
    received_at       timestamptz   NOT NULL DEFAULT now(),
    bill_batch_code   varchar(40),              -- as sent (may be malformed)
    bill_no           varchar(40),
    outcome           varchar(12)   NOT NULL CHECK (outcome IN ('supervised', 'duplicate', 'conflict', 'invalid')),
    result            varchar(16)   NOT NULL
);
CREATE INDEX IF NOT EXISTS finsim_upload_event_key_idx ON finsim.upload_event (bill_batch_code, bill_no);

-- Any change of the fault row (HTTP admin, state helpers, a hand-written UPDATE) bumps updated_at,
-- which the simulator uses to restart its deterministic error schedule.
CREATE OR REPLACE FUNCTION finsim.touch_fault() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS fault_touch ON finsim.fault;
CREATE TRIGGER fault_touch BEFORE UPDATE ON finsim.fault FOR EACH ROW EXECUTE FUNCTION finsim.touch_fault();
