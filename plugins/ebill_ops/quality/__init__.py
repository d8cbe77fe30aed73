"""Invoice quality (票据质量): the invoice-spec rules as Great Expectations suites, with Data Docs,
failing bills kept in ebops, and an Excel fix list for the vendor.

``rules`` is the catalogue (ids, severities, sources, what each checks), ``settings`` the per-site
switches and tolerances, ``suite`` turns rules into expectations, ``engines`` validates a day in
the database (PostgreSQL) or as DataFrame chunks (Oracle), ``store`` keeps the results, ``fixlist``
writes the workbook and ``report`` the mail. ``run`` is what the DAG's tasks call.
"""
