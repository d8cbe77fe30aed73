-- Indexes of the sandbox bill platform, built after the bulk load (faster than during it).
CREATE INDEX IF NOT EXISTS bill_bus_no_idx ON ebill.bill (bus_no);
CREATE INDEX IF NOT EXISTS bill_code_no_idx ON ebill.bill (bill_batch_code, bill_no);
CREATE INDEX IF NOT EXISTS bill_ivc_idx ON ebill.bill (ivc_date_time);
CREATE INDEX IF NOT EXISTS bill_bus_date_idx ON ebill.bill (bus_date_time);
CREATE INDEX IF NOT EXISTS call_log_time_idx ON ebill.interface_call_log (call_time);
CREATE INDEX IF NOT EXISTS layout_file_date_idx ON ebill.layout_file (ivc_date);
