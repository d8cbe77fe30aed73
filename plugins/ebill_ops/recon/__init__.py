"""Reconciliation (对账): HIS ↔ bill platform record by record, bill platform ↔ finance by totals.

- ``settings``  the ``recon`` section of the settings file;
- ``model``     rows, differences, data errors and their Chinese/English labels;
- ``classify``  pure rules: a group of rows sharing a busNo → differences (no I/O);
- ``buckets``   the scalable detail comparison (hash buckets in SQL, fetch only what differs);
- ``detail``    one window end to end: buckets, classification, cross-day lookups;
- ``totals``    totals per day and dimension on both sides, side by side;
- ``finance``   the platform's issue-day totals against the finance platform's, with the
                in-transit bills that explain the gap;
- ``store``     results in ``ebops`` (a re-run replaces a day, human statuses are kept);
- ``status``    people mark differences open / explained / resolved (who, when, why);
- ``report``    the Excel workbook per day and the alert mail;
- ``run``       what the DAG's tasks call.
"""
