#!/usr/bin/env bash
# `make stack`: the portal as in production on one machine: gunicorn, one Celery worker and
# exactly one beat, against PostgreSQL and Redis. Ctrl+C stops all three.
set -euo pipefail
BIN=${BIN:-.venv/bin}
VAR_DIR=$(realpath -m "${VAR_DIR:-var}")
export VAR_DIR

missing=()
[[ "${DATABASE_URL:-}${DATABASE_URL_FILE:-}" == "" || "${DATABASE_URL:-}" == sqlite* ]] && missing+=("DATABASE_URL=postgres://user@host:5432/db")
[[ "${CELERY_BROKER_URL:-}${CELERY_BROKER_URL_FILE:-}" == "" || "${CELERY_BROKER_URL:-}" == filesystem* ]] && missing+=("CELERY_BROKER_URL=redis://host:6379/0")
if (( ${#missing[@]} )); then
  echo "make stack runs the production set-up and needs PostgreSQL and Redis, not the SQLite/folder defaults." >&2
  echo "Set: ${missing[*]}  (EMAIL_URL=smtp://... for real e-mail; see docs/operations.md)" >&2
  exit 2
fi

export DEBUG=false
export ALLOWED_HOSTS=${ALLOWED_HOSTS:-127.0.0.1,localhost}
# Plain HTTP on this machine: no TLS redirect and no secure-only cookies would let you sign in.
export SECURE_SSL_REDIRECT=${SECURE_SSL_REDIRECT:-false}
export SECURE_COOKIES=${SECURE_COOKIES:-false}
export SECURE_HSTS_SECONDS=${SECURE_HSTS_SECONDS:-0}
export EMAIL_URL=${EMAIL_URL:-file://$VAR_DIR/mail}
if [[ -z "${SECRET_KEY:-}${SECRET_KEY_FILE:-}" ]]; then
  mkdir -p "$VAR_DIR"
  if [[ ! -s "$VAR_DIR/secret_key" ]]; then
    (umask 077; "$BIN/python" -c "import secrets; print(secrets.token_urlsafe(64))" > "$VAR_DIR/secret_key")
    echo "Generated a secret key in $VAR_DIR/secret_key"
  fi
  export SECRET_KEY_FILE="$VAR_DIR/secret_key"
fi

"$BIN/python" manage.py migrate --noinput
"$BIN/python" manage.py collectstatic --noinput --verbosity 0

pids=()
stop() { trap - EXIT INT TERM; kill "${pids[@]}" 2>/dev/null || true; wait "${pids[@]}" 2>/dev/null || true; }
trap stop EXIT INT TERM
GUNICORN_BIND=${GUNICORN_BIND:-${HOST:-127.0.0.1}:${PORT:-8000}} \
  "$BIN/gunicorn" -c deploy/gunicorn.conf.py portal.wsgi & pids+=($!)
"$BIN/celery" -A portal worker --loglevel=INFO --pool=threads --concurrency=4 & pids+=($!)
"$BIN/celery" -A portal beat --loglevel=INFO --schedule="$VAR_DIR/celerybeat-schedule" & pids+=($!)
echo "Kita-Portal (production mode): http://${GUNICORN_BIND:-${HOST:-127.0.0.1}:${PORT:-8000}}/  health: /health/  (Ctrl+C stops all three)"
wait -n "${pids[@]}"
