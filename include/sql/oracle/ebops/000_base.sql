-- ebops: ebill-ops' own results (Oracle dialect, for sites that keep them on Oracle).
CREATE TABLE alert_incident (
    alert_key        VARCHAR2(200)  NOT NULL PRIMARY KEY,
    state            VARCHAR2(10)   NOT NULL,
    severity         VARCHAR2(10)   NOT NULL,
    summary          VARCHAR2(1000) NOT NULL,
    opened_at        DATE           NOT NULL,
    last_seen_at     DATE           NOT NULL,
    last_notified_at DATE,
    closed_at        DATE,
    notify_count     NUMBER(10)     DEFAULT 0 NOT NULL
);
