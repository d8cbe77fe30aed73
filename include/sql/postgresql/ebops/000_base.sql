-- ebops: ebill-ops' own results. Every table is keyed by its data interval (a day, an hour, a
-- run) so that a re-run replaces rows instead of adding them.
CREATE SCHEMA IF NOT EXISTS ebops;

-- One open incident per alert key, so one ongoing problem sends one mail until it changes.
CREATE TABLE IF NOT EXISTS ebops.alert_incident (
    alert_key       varchar(200)  NOT NULL PRIMARY KEY,  -- e.g. interface:finance_upload
    state           varchar(10)   NOT NULL,              -- open | closed
    severity        varchar(10)   NOT NULL,
    summary         varchar(1000) NOT NULL,
    opened_at       timestamp     NOT NULL,
    last_seen_at    timestamp     NOT NULL,
    last_notified_at timestamp,
    closed_at       timestamp,
    notify_count    integer       NOT NULL DEFAULT 0
);
