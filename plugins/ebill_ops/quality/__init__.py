"""Invoice quality (票据质量): the invoice-spec rules as Great Expectations suites, with Data Docs,
failing bills kept in ebops, and an Excel fix list for the vendor.

``rules`` is the catalogue (ids, severities, sources, what each checks) and the site's settings,
``gxrun`` turns rules into a GX suite and keeps Data Docs, ``engines`` validates a day in the
database (PostgreSQL, with ``extract`` listing the failing bills) or as DataFrame chunks (Oracle),
``outcome`` and ``records`` are what a validation found, ``fixlist`` writes the workbook and
``report`` the mail. ``run`` is what the DAG's tasks call.
"""
