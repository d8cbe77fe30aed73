#!/usr/bin/env bash
# Entrypoint of the ebill-ops image: optionally load the sandbox's connections, then run the
# official Airflow entrypoint (/entrypoint), which waits for the metadata DB and runs the command.
#
# EBILL_SANDBOX_CONNECTIONS: path of the `export AIRFLOW_CONN_...=...` file the compose `sandbox`
# service writes into the shared sandbox-state volume. Set it (docker/env.example does) to point
# Airflow at the sandbox; leave it empty at a real site. Its values override AIRFLOW_CONN_* of .env.
set -euo pipefail

if [[ -n "${EBILL_SANDBOX_CONNECTIONS:-}" ]]; then
    if [[ -r "${EBILL_SANDBOX_CONNECTIONS}" ]]; then
        set -a
        # shellcheck disable=SC1090
        . "${EBILL_SANDBOX_CONNECTIONS}"
        set +a
        echo "ebill-ops: connections loaded from ${EBILL_SANDBOX_CONNECTIONS}" >&2
    else
        echo "ebill-ops: ${EBILL_SANDBOX_CONNECTIONS} not readable; using the AIRFLOW_CONN_* of the environment" >&2
    fi
fi

exec /entrypoint "$@"
