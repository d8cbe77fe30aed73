CREATE INDEX bill_bus_no_idx ON bill (bus_no) LOCAL;
CREATE INDEX bill_code_no_idx ON bill (bill_batch_code, bill_no) LOCAL;
CREATE INDEX bill_ivc_idx ON bill (ivc_date_time) LOCAL;
CREATE INDEX bill_bus_date_idx ON bill (bus_date_time) LOCAL;
CREATE INDEX call_log_time_idx ON interface_call_log (call_time);
CREATE INDEX layout_file_date_idx ON layout_file (ivc_date);
