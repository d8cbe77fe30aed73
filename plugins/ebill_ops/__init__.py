"""ebill-ops: operations automation for hospital fiscal e-bill platforms (财政电子票据).

Plain, typed functions used by the DAGs in ``dags/``. Nothing here touches a database or the
network at import time, so DAG parsing stays fast and safe.
"""

__version__ = "0.1.0"
