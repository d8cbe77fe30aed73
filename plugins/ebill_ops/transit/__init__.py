"""Finance sync (在途票据补传): find bills stuck in transit, re-upload and archive them exactly once.

``settings`` (config), ``model`` (the pure state machine of one bill), ``ratelimit``,
``ledger`` (our ebops tables), ``find`` (the platform query), ``engine`` (the concurrent,
rate-limited calls to finance), ``platform`` (recording the repair on ebill.bill), ``balance``
(platform vs finance per day), ``report`` (mails) and ``run`` (what each DAG task calls).
"""
