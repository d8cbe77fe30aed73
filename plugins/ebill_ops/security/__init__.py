"""Security audit (安全审计): weak and default passwords, password policy, locked and expiring accounts.

Passwords are tested offline against hashes the platform already stores; no plaintext password
and no hash ever leaves this package (not in a log, a report, a mail, XCom or ebops).
"""
