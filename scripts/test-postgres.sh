#!/usr/bin/env bash
# Run the test suite again on PostgreSQL. In CI an unreachable server fails the run;
# on a developer's machine it is skipped, loudly.
set -euo pipefail
: "${PG_URL:?}" "${PY:?}"
if "$PY" - "$PG_URL" <<'PYEOF'
import sys
import dj_database_url
import psycopg2

cfg = dj_database_url.parse(sys.argv[1])
try:
    psycopg2.connect(
        dbname="postgres", user=cfg["USER"], host=cfg["HOST"], port=cfg["PORT"] or 5432,
        password=cfg.get("PASSWORD") or None, connect_timeout=5,
    ).close()
except psycopg2.OperationalError as exc:
    print(f"PostgreSQL unreachable: {exc}", file=sys.stderr)
    sys.exit(1)
PYEOF
then
  DATABASE_URL="$PG_URL" "$PY" -m pytest
elif [ "${CI:-}" = "true" ]; then
  echo "FAIL: PostgreSQL at $PG_URL is unreachable and CI=true." >&2
  exit 1
else
  echo "##################################################################" >&2
  echo "## SKIPPED: the PostgreSQL run (server at $PG_URL unreachable).  ##" >&2
  echo "## CI runs it and fails without it.                             ##" >&2
  echo "##################################################################" >&2
fi
