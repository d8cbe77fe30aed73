#!/usr/bin/env bash
# One-shot initialisation of the ebill-ops Airflow stack (the compose `airflow-init` service).
# Runs as root (to own the shared directories), then:
#   1. shared directories owned by AIRFLOW_UID:0 (logs bind mount, artifacts and auth volumes);
#   2. the SimpleAuthManager password file with the admin password from .env;
#   3. `airflow db migrate`;
#   4. the pools that protect the production databases (EBILL_OPS_POOLS_FILE, JSON).
# Idempotent: safe on every `docker compose up`.
set -euo pipefail

: "${AIRFLOW_UID:=50000}"
: "${AIRFLOW_ADMIN_USERNAME:=admin}"
: "${AIRFLOW_ADMIN_PASSWORD:?set AIRFLOW_ADMIN_PASSWORD in .env}"
: "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:?the compose file sets it}"
: "${EBILL_OPS_POOLS_FILE:=/opt/ebill-ops/pools.json}"
home="${AIRFLOW_HOME:-/opt/airflow}"

echo "== shared directories"
mkdir -p "${home}/logs" "${home}/artifacts" "${home}/auth"
chown -R "${AIRFLOW_UID}:0" "${home}/logs" "${home}/artifacts" "${home}/auth"
chmod -R g+rwX "${home}/logs" "${home}/artifacts"
chmod 0770 "${home}/auth"

echo "== SimpleAuthManager password of user '${AIRFLOW_ADMIN_USERNAME}'"
passwords_file="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE}"
python - "${passwords_file}" <<'PY'
import json
import os
import sys
from pathlib import Path

path = Path(sys.argv[1])
text = path.read_text() if path.exists() else ""
passwords = json.loads(text) if text.strip() else {}
passwords[os.environ["AIRFLOW_ADMIN_USERNAME"]] = os.environ["AIRFLOW_ADMIN_PASSWORD"]
path.write_text(json.dumps(passwords) + "\n")
PY
chown "${AIRFLOW_UID}:0" "${passwords_file}"
chmod 0640 "${passwords_file}"
unset AIRFLOW_ADMIN_PASSWORD

echo "== airflow version"
/entrypoint airflow version

echo "== airflow db migrate"
/entrypoint airflow db migrate

if [[ -r "${EBILL_OPS_POOLS_FILE}" ]]; then
    echo "== pools from ${EBILL_OPS_POOLS_FILE}"
    /entrypoint airflow pools import "${EBILL_OPS_POOLS_FILE}"
else
    echo "== no pools file at ${EBILL_OPS_POOLS_FILE}; pools left as they are"
fi

# Anything Airflow created in AIRFLOW_HOME as root (e.g. airflow.cfg) must stay readable by the services.
find "${home}" -maxdepth 1 -type f -user 0 -exec chown "${AIRFLOW_UID}:0" {} +
echo "== airflow-init done"
