# Sourced by .ci/run: start PostgreSQL on 127.0.0.1 and export NARRATIVES_TEST_PG_URL for the store tests.
# Never fails the CI run: when PostgreSQL is absent or will not start, it says so and returns, and the
# PostgreSQL cases of tests/store skip with that reason.
_narratives_pg() {
  local db=narratives_test user=narratives pass=narratives port="${NARRATIVES_TEST_PG_PORT:-5432}"
  if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! command -v pg_ctl >/dev/null 2>&1; then
    echo "postgres.sh: PostgreSQL is not installed; PostgreSQL store tests will skip"
    return 0
  fi
  local as_pg=(su postgres -s /bin/sh -c)
  if [ "$(id -u)" != "0" ]; then
    as_pg=(sh -c)  # a non-root user can only use a cluster it owns
  fi
  if command -v pg_lsclusters >/dev/null 2>&1; then
    local ver cluster
    read -r ver cluster _ < <(pg_lsclusters --no-header 2>/dev/null | head -n1) || true
    if [ -z "${ver:-}" ]; then
      ver=$(ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -n1) || true
      cluster=main
      [ -n "$ver" ] && pg_createcluster "$ver" "$cluster" >/dev/null 2>&1 || true
    fi
    if [ -n "${ver:-}" ]; then
      pg_ctlcluster "$ver" "$cluster" start >/dev/null 2>&1 || true
      port=$(pg_lsclusters --no-header 2>/dev/null | awk -v v="$ver" -v c="$cluster" '$1==v && $2==c {print $3}') || true
      port=${port:-5432}
    fi
  fi
  local i
  for i in $(seq 1 30); do
    "${as_pg[@]}" "psql -h 127.0.0.1 -p $port -d postgres -Atc 'select 1'" >/dev/null 2>&1 && break
    "${as_pg[@]}" "psql -p $port -d postgres -Atc 'select 1'" >/dev/null 2>&1 && break
    sleep 1
  done
  # Role and database; identifiers are constants here, never user input.
  "${as_pg[@]}" "psql -p $port -d postgres -v ON_ERROR_STOP=1 -qc \"DO \\\$\\\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='$user') THEN CREATE ROLE $user LOGIN PASSWORD '$pass'; END IF; END\\\$\\\$;\"" >/dev/null 2>&1 || {
    echo "postgres.sh: PostgreSQL did not start; PostgreSQL store tests will skip"
    return 0
  }
  "${as_pg[@]}" "psql -p $port -d postgres -Atc \"SELECT 1 FROM pg_database WHERE datname='$db'\"" 2>/dev/null | grep -q 1 \
    || "${as_pg[@]}" "createdb -p $port -O $user $db" >/dev/null 2>&1 || true
  if PGPASSWORD=$pass psql -h 127.0.0.1 -p "$port" -U "$user" -d "$db" -Atc 'select 1' >/dev/null 2>&1; then
    export NARRATIVES_TEST_PG_URL="postgresql+psycopg://$user:$pass@127.0.0.1:$port/$db"
    echo "postgres.sh: NARRATIVES_TEST_PG_URL=$NARRATIVES_TEST_PG_URL"
  else
    echo "postgres.sh: cannot connect to PostgreSQL on 127.0.0.1:$port; PostgreSQL store tests will skip"
  fi
  return 0
}
_narratives_pg
unset -f _narratives_pg
