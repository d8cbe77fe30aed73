"""Backup and verification (备份与校验) of the bill platform's core data.

Take the backup the way the site configures it (PostgreSQL ``pg_dump`` custom format, or Oracle
RMAN / Data Pump over SSH), record it with its checksum in ``ebops.backup_catalog``, then prove
it: the file is there, of the expected size order, unchanged since it was written, and a test
restore into a scratch database holds the same rows, amounts and content as the source did.
"""
