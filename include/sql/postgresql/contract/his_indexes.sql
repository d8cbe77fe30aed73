CREATE INDEX IF NOT EXISTS settlement_bus_no_idx ON his.settlement (bus_no);
CREATE INDEX IF NOT EXISTS settlement_time_idx ON his.settlement (settle_time);
