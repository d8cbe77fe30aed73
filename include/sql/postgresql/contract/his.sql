-- Data contract: the hospital business system (HIS), read-only. PostgreSQL dialect.
-- One row per settlement (payment or refund) that should have exactly one bill.
-- amount_text is text on purpose: many HIS views expose money as strings, and the package
-- validates it (malformed values become data errors, never crashes).
CREATE SCHEMA IF NOT EXISTS his;

CREATE TABLE IF NOT EXISTS his.settlement (
    settle_id         bigint       NOT NULL PRIMARY KEY,
    bus_no            varchar(64),                 -- busNo sent to the bill platform
    bus_type          varchar(2),
    place_code        varchar(20),
    settle_time       timestamp    NOT NULL,       -- business time (busDateTime)
    direction         smallint     NOT NULL,       -- 1 charge, -1 refund
    state             smallint     NOT NULL,       -- 1 normal, 3 refunded (a refund settled against it)
    amount_text       varchar(32),                 -- total amount, positive, as text
    pay_channel       varchar(4),                  -- channel of the personal cash part
    voucher_type      smallint     NOT NULL,       -- 1 e-bill, 2 paper
    relate_bus_no     varchar(64),                 -- refund -> the charge it refunds
    bill_batch_code   varchar(8),                  -- the bill HIS received back
    bill_no           varchar(10),
    check_code        varchar(6),
    patient_no        varchar(40),
    hospital_no       varchar(40),
    payer             varchar(200)
);
