DELETE FROM transit_day_balance WHERE ivc_date = :ivc_date
