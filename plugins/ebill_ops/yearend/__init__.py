"""Year-end work (年末工作): next year's tablespace and partitions, compression of old data,
archiving of old layout files, and a business-readiness checklist — planned, reviewed, approved,
applied and verified.

Modules, each with one job:

- ``settings``: the ``yearend`` section of the settings file;
- ``catalog``: the database dictionary (Oracle ``DBA_*`` views or ``pg_catalog``) as plain objects;
- ``ddl``: the exact statements, per dialect, with identifiers checked before they are written;
- ``plan``: what must change for a target year, and what is skipped and why (pure, idempotent);
- ``apply``: run a reviewed plan statement by statement, then verify the result;
- ``readiness``: next year's bill codes, stock and audit deadlines as a pass/fail checklist;
- ``fileserver`` and ``layout``: archive old layout files (PDF/OFD) with a manifest, verify by
  reading back, only then remove the originals and update the layout-file index;
- ``report``: the review report (HTML file and mail, text for the log, Markdown for the approver);
- ``ledger``: our record in ``ebops`` (statements and approver, checklist, archive states);
- ``run``: what the DAG's tasks call (connections, artifacts, mail).
"""
