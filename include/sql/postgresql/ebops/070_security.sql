-- Security audit (安全审计, ebill_security_audit): findings per ISO week and source. A re-run in
-- the same week replaces the source's rows. Never a password or a hash: only the rule that matched.
CREATE TABLE IF NOT EXISTS ebops.security_finding (
    audit_week   date          NOT NULL,      -- Monday of the ISO week of the audit
    source       varchar(100)  NOT NULL,      -- app:<conn_id> (application users) | db:<conn_id>
    rule         varchar(40)   NOT NULL,      -- weak_password, locked, expired, default_password, ...
    target       varchar(200)  NOT NULL,      -- login name, role, <profile>:<resource>, pg_hba.conf:<line>
    category     varchar(20)   NOT NULL,      -- password | account | policy | coverage
    severity     varchar(10)   NOT NULL,      -- critical | warning | info
    detail       varchar(1000) NOT NULL,
    advice       varchar(1000) NOT NULL,
    accepted     varchar(400),                -- reason, when the site accepted the risk (security.accepted)
    run_id       varchar(250)  NOT NULL,
    audited_at   timestamp     NOT NULL,
    PRIMARY KEY (audit_week, source, rule, target)
);

-- What each source's audit covered that week (accounts, hashes tested, candidates).
CREATE TABLE IF NOT EXISTS ebops.security_audit_source (
    audit_week       date          NOT NULL,
    source           varchar(100)  NOT NULL,
    run_id           varchar(250)  NOT NULL,
    as_of            timestamp     NOT NULL,
    audited_at       timestamp     NOT NULL,
    accounts         integer       NOT NULL,
    hashes_tested    integer       NOT NULL,
    hashes_computed  bigint        NOT NULL,
    limited          integer       NOT NULL,  -- slow hashes tried against the head of the list only
    untestable       integer       NOT NULL,
    candidates       integer       NOT NULL,  -- shared candidates (list + site patterns)
    seconds          numeric(12,3) NOT NULL,
    PRIMARY KEY (audit_week, source)
);
