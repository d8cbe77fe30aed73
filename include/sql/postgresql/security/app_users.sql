-- Application users of the bill platform with their stored password hashes (tested offline in
-- memory, never logged or stored). Security audit (安全审计).
SELECT u.user_id, u.login_name, u.display_name, u.place_code, u.password_algo, u.password_salt,
       u.password_hash, u.locked, u.failed_logins, u.last_login_time, u.password_changed, u.expires_at
FROM ebill.app_user u
ORDER BY u.login_name
