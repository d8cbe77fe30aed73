CREATE INDEX settlement_bus_no_idx ON settlement (bus_no);
CREATE INDEX settlement_time_idx ON settlement (settle_time);
