#!/usr/bin/env bash
# Load / scan benchmark: generates data with `trailwatch generate`, then times trailwatch (and,
# where installed, jq and DuckDB) on the same files, alternating, and prints medians.
#
#   bash benches/run.sh [EVENTS] [RUNS] [CLOUDS]      e.g. bash benches/run.sh 1000000 3 gcp
#
# CLOUDS is gcp (JSON Lines LogEntries) or aws (hourly CloudTrail `{"Records":[…]}` files);
# BENCH_GZIP=1 writes and reads `.json.gz` / `.jsonl.gz` files instead of plain ones.
#
# Needs /usr/bin/time (GNU time) for peak RSS. DuckDB is used when `python3 -c 'import duckdb'`
# works (pip install duckdb; it is not a test dependency). Data goes to $BENCH_DIR
# (default: target/bench-data), reused when it already holds the same EVENTS/CLOUDS.
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-1000000}
RUNS=${2:-3}
CLOUDS=${3:-gcp}
GZ=""; GZ_FLAG=""; [ -n "${BENCH_GZIP:-}" ] && GZ="-gz" && GZ_FLAG="--gzip"
DIR=${BENCH_DIR:-target/bench-data}/$CLOUDS$GZ-$EVENTS
BIN=target/release/trailwatch

cargo build --release --quiet
if [ ! -f "$DIR.done" ]; then
  rm -rf "$DIR"
  echo "generating $EVENTS events ($CLOUDS) into $DIR" >&2
  /usr/bin/time -f "generate: %e s, peak RSS %M KB" "$BIN" generate --out "$DIR" --events "$EVENTS" --clouds "$CLOUDS" --days 30 --principals 200 --seed 7 $GZ_FLAG >/dev/null
  touch "$DIR.done"
fi
BYTES=$(find "$DIR" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
FILES=$(find "$DIR" -type f | wc -l)
echo "data: $FILES files, $((BYTES / 1000000)) MB, $EVENTS events, $(nproc) cores" >&2

# measure NAME CMD... : appends "seconds rss_kb" to /tmp/bench-NAME
measure() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "/tmp/bench-$name.one" "$@" >/dev/null 2>/tmp/bench-$name.err || { cat "/tmp/bench-$name.err" >&2; return 1; }
  cat "/tmp/bench-$name.one" >> "/tmp/bench-$name"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

NAMES=(scan scan-1t events-jsonl)
HAVE_JQ=0; [ -z "${BENCH_SKIP_JQ:-}" ] && command -v jq >/dev/null && HAVE_JQ=1
HAVE_DUCK=0; python3 -c 'import duckdb' 2>/dev/null && HAVE_DUCK=1
[ $HAVE_JQ = 1 ] && NAMES+=(jq)
[ $HAVE_DUCK = 1 ] && NAMES+=(duckdb)
for n in "${NAMES[@]}"; do rm -f "/tmp/bench-$n"; done

# DuckDB computes first-seen (principal, service, method) with just the columns it needs declared.
if [ "$CLOUDS" = aws ]; then
  DUCK_SQL="SELECT count(*) FROM (SELECT r.userIdentity.arn AS principal, r.eventSource AS service, r.eventName AS method, min(r.eventTime) AS first_seen FROM (SELECT unnest(Records) AS r FROM read_json('$DIR/**/*.json*', columns={Records:'STRUCT(eventTime VARCHAR, eventSource VARCHAR, eventName VARCHAR, userIdentity STRUCT(arn VARCHAR))[]'})) GROUP BY ALL)"
else
  DUCK_SQL="SELECT count(*) FROM (SELECT p.authenticationInfo.principalEmail AS principal, p.serviceName AS service, p.methodName AS method, min(ts) AS first_seen FROM read_json('$DIR/**/*.json*', format='newline_delimited', columns={timestamp:'VARCHAR', protoPayload:'STRUCT(serviceName VARCHAR, methodName VARCHAR, authenticationInfo STRUCT(principalEmail VARCHAR))'}) t(ts, p) GROUP BY ALL)"
fi

# Warm the page cache so the first tool timed does not pay for reading the disk.
find "$DIR" -type f -exec cat {} + > /dev/null

for r in $(seq "$RUNS"); do
  echo "run $r/$RUNS" >&2
  measure scan "$BIN" scan "$DIR" -q --format jsonl
  measure scan-1t env RAYON_NUM_THREADS=1 "$BIN" scan "$DIR" -q --format jsonl
  measure events-jsonl "$BIN" events "$DIR" -q --format jsonl
  if [ $HAVE_JQ = 1 ] && [ "$CLOUDS" = gcp ] && [ -z "$GZ" ]; then
    measure jq sh -c "find '$DIR' -type f -name '*.json*' ! -name '*.gz' -exec cat {} + | jq -c '[.timestamp, .protoPayload.authenticationInfo.principalEmail, .protoPayload.serviceName, .protoPayload.methodName]'"
  fi
  if [ $HAVE_DUCK = 1 ]; then
    measure duckdb python3 -c "import duckdb; c=duckdb.connect(); c.execute('SET threads=2'); c.execute('SET enable_progress_bar=false'); print(c.execute(\"$DUCK_SQL\").fetchall())"
  fi
done

printf '\n| command | median wall s | MB/s | events/s | peak RSS MB | RSS / input |\n|---|---|---|---|---|---|\n'
for n in "${NAMES[@]}"; do
  [ -f "/tmp/bench-$n" ] || continue
  s=$(cut -d' ' -f1 "/tmp/bench-$n" | median)
  rss=$(cut -d' ' -f2 "/tmp/bench-$n" | median)
  awk -v n="$n" -v s="$s" -v rss="$rss" -v b="$BYTES" -v e="$EVENTS" 'BEGIN {
    printf "| %s | %.2f | %.0f | %.0f | %.0f | %.2f |\n", n, s, b/1e6/s, e/s, rss/1024, rss*1024/b }'
done
