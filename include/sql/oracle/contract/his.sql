-- Data contract: the hospital business system (HIS), read-only. Oracle dialect.
CREATE TABLE settlement (
    settle_id         NUMBER(19)     NOT NULL PRIMARY KEY,
    bus_no            VARCHAR2(64),
    bus_type          VARCHAR2(2),
    place_code        VARCHAR2(20),
    settle_time       DATE           NOT NULL,
    direction         NUMBER(2)      NOT NULL,
    state             NUMBER(2)      NOT NULL,
    amount_text       VARCHAR2(32),
    pay_channel       VARCHAR2(4),
    voucher_type      NUMBER(2)      NOT NULL,
    relate_bus_no     VARCHAR2(64),
    bill_batch_code   VARCHAR2(8),
    bill_no           VARCHAR2(10),
    check_code        VARCHAR2(6),
    patient_no        VARCHAR2(40),
    hospital_no       VARCHAR2(40),
    payer             VARCHAR2(200)
);
