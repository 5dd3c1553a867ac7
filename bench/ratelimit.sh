#!/usr/bin/env bash
# The cost of rate_limit: Portico's throughput with a limit on, as a ratio to the same Portico
# without one, for the local store and for Redis (with its automatic lease, and without leasing).
#
#   bench/ratelimit.sh                  # about 3 minutes
#   BENCH_QUICK=1 bench/ratelimit.sh    # about 1 minute
#
# Starts, on 127.0.0.1: the upstream nginx of bench/run.sh, a redis-server (no persistence) and one
# Portico with four routes (bench/ratelimit.yaml.in) that differ only in their rate_limit. Round
# after round it loads each route with wrk (the order rotates every round) and prints the medians
# and the ratios. Targets (issue 5): local >= 0.90x, redis with leasing >= 0.70x.
# Knobs as in bench/run.sh: BENCH_QUICK, BENCH_ROUNDS, BENCH_DURATION, BENCH_WARMUP,
# BENCH_CONNECTIONS (default 64), BENCH_THREADS, BENCH_JAVA_OPTS, BENCH_JAR, BENCH_KEEP.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  ROUNDS=${BENCH_ROUNDS:-2} DURATION=${BENCH_DURATION:-3} WARMUP=${BENCH_WARMUP:-5}
else
  ROUNDS=${BENCH_ROUNDS:-5} DURATION=${BENCH_DURATION:-6} WARMUP=${BENCH_WARMUP:-8}
fi
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
CORES=$(nproc)
WORKERS=1 KEEPALIVE=64   # render() fills these into upstream.conf.in
TARGETS=(plain local redis redis-no-lease)

ensure_packages wrk nginx redis-server
[ "$(id -u)" = 0 ] || die "run as root (as bench/run.sh)"
JDK=$(newest_jdk) || die "no JDK 17 or newer in /usr/lib/jvm"
JAVA_MAJOR=$(java_major "$JDK/bin/java")

WORK=$(mktemp -d /tmp/portico-ratelimit-bench.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK/tmp" "$WORK/wrk"
STARTED=()
cleanup() {
  local code=$? i
  trap - EXIT INT TERM
  for ((i = ${#STARTED[@]} - 1; i >= 0; i--)); do stop_pid "${STARTED[i]}"; done
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "work folder kept: $WORK" >&2; else rm -rf "$WORK"; fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

UPSTREAM_PORT=$(free_port)
PROXY_PORT=$(free_port "$UPSTREAM_PORT")   # unused here; render() expects it
REDIS_PORT=$(free_port "$UPSTREAM_PORT" "$PROXY_PORT")
render "$HERE/ratelimit.yaml.in" | sed -e "s|@REDIS_PORT@|$REDIS_PORT|g" > "$WORK/portico.yaml"
render "$HERE/upstream.conf.in" > "$WORK/upstream.conf"

if [ -n "${BENCH_JAR:-}" ]; then
  cp "$BENCH_JAR" "$WORK/portico.jar"
else
  echo "building the gateway if needed (./portico check) ..." >&2
  "$ROOT/portico" check -c "$WORK/portico.yaml" >/dev/null || die "./portico check failed on the generated config"
  cp "$ROOT/target/portico.jar" "$WORK/portico.jar"
fi

nginx -p "$WORK" -e "$WORK/upstream-error.log" -c "$WORK/upstream.conf" -g 'daemon off;' &
UPSTREAM_PID=$!; STARTED+=("$UPSTREAM_PID")
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$WORK" > "$WORK/redis.log" 2>&1 &
REDIS_PID=$!; STARTED+=("$REDIS_PID")
JAVA_OPTS=(-XX:+UseG1GC -XX:+ExitOnOutOfMemoryError "-Dportico.home=$ROOT")
[ "$JAVA_MAJOR" -ge 22 ] && JAVA_OPTS+=(--enable-native-access=ALL-UNNAMED)
# shellcheck disable=SC2206
JAVA_OPTS+=(${BENCH_JAVA_OPTS:-})
wait_http "http://127.0.0.1:$UPSTREAM_PORT/" 10 || die "the upstream nginx did not start"
for i in $(seq 1 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
"$JDK/bin/java" "${JAVA_OPTS[@]}" -jar "$WORK/portico.jar" run -c "$WORK/portico.yaml" > "$WORK/portico.log" 2>&1 &
PORTICO_PID=$!; STARTED+=("$PORTICO_PID")
LISTENING=$(wait_log "$WORK/portico.log" 'listening on' 60 "$PORTICO_PID") || die "Portico did not start: $(tail -20 "$WORK/portico.log")"
PORT=$(sed -E 's/.*listening on [^ ]*:([0-9]+) .*/\1/' <<<"$LISTENING")

for t in "${TARGETS[@]}"; do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/$t") || die "$t: no answer"
  [ "$code" = 200 ] || die "$t: answered $code"
  # The first requests may pass uncounted while the Redis connection is made (on_store_error: allow).
  [ "$t" = plain ] || for i in $(seq 1 50); do curl -sI "http://127.0.0.1:$PORT/$t" | grep -qi '^ratelimit:' && break
    [ "$i" = 50 ] && die "$t: no RateLimit header"; sleep 0.1; done
done

cat <<EOF2
rate_limit cost, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $CORES cores (wrk, nginx, redis and Portico share them)
  portico : $(basename "$JDK") (Java $JAVA_MAJOR), one process, routes ${TARGETS[*]}
  redis   : $(redis-server --version | awk '{print $3}'), 127.0.0.1:$REDIS_PORT
  load    : wrk -t$THREADS -c{${CONNECTIONS// /,}} -d${DURATION}s, $ROUNDS rounds, warm-up ${WARMUP}s per route
  load average before: $(cut -d' ' -f1-3 /proc/loadavg)
EOF2

for t in "${TARGETS[@]}"; do
  run_wrk "$WORK/wrk/warmup-$t.txt" "$THREADS" "$(tr ' ' '\n' <<<"$CONNECTIONS" | sort -n | tail -1)" "$WARMUP" \
    "http://127.0.0.1:$PORT/$t" || die "wrk failed warming up $t"
done

RESULTS="$WORK/results.txt"
: > "$RESULTS"
declare -A REQUESTS=()
for ((r = 1; r <= ROUNDS; r++)); do
  for c in $CONNECTIONS; do
    for ((i = 0; i < ${#TARGETS[@]}; i++)); do
      t=${TARGETS[(i + r - 1) % ${#TARGETS[@]}]}
      out="$WORK/wrk/c$c-$t-r$r.txt"
      calls0=$(redis-cli -p "$REDIS_PORT" info commandstats | awk -F'[=,:]' '/cmdstat_evalsha/ {print $3}')
      run_wrk "$out" "$THREADS" "$c" "$DURATION" "http://127.0.0.1:$PORT/$t" || die "wrk failed on $t (see $out)"
      calls1=$(redis-cli -p "$REDIS_PORT" info commandstats | awk -F'[=,:]' '/cmdstat_evalsha/ {print $3}')
      read -r rps p50 p99 errors requests < <(parse_wrk "$out")
      echo "$c $t $r $rps $p50 $p99 $(( ${calls1:-0} - ${calls0:-0} )) $requests $errors" >> "$RESULTS"
      printf '  round %d/%d  c%-4s %-15s %10.0f req/s  p99 %7.2f ms%s\n' "$r" "$ROUNDS" "$c" "$t" "$rps" "$p99" \
        "$([ "$errors" = 0 ] || echo "  ERRORS: $errors")" >&2
    done
  done
done

echo
echo "Medians of $ROUNDS rounds (Redis calls per request: EVALSHA calls during the runs / requests):"
printf '%-6s %-15s %12s %9s %9s %14s %8s\n' conns route "req/s" "p50 ms" "p99 ms" "redis/request" errors
for c in $CONNECTIONS; do
  for t in "${TARGETS[@]}"; do
    per=$(awk -v c="$c" -v t="$t" '$1 == c && $2 == t { k += $7; n += $8 } END { printf "%.3f", (n > 0 ? k / n : 0) }' "$RESULTS")
    printf '%-6s %-15s %12.0f %9.2f %9.2f %14s %8s\n' "$c" "$t" \
      "$(median_of "$RESULTS" "$c" "$t" 4)" "$(median_of "$RESULTS" "$c" "$t" 5)" "$(median_of "$RESULTS" "$c" "$t" 6)" \
      "$per" "$(awk -v c="$c" -v t="$t" '$1 == c && $2 == t { s += $9 } END { print s + 0 }' "$RESULTS")"
  done
done

echo
echo "Throughput as a ratio to the plain route (targets: local >= 0.90, redis >= 0.70):"
for c in $CONNECTIONS; do
  plain=$(median_of "$RESULTS" "$c" plain 4)
  for t in local redis redis-no-lease; do
    awk -v c="$c" -v t="$t" -v p="$plain" -v r="$(median_of "$RESULTS" "$c" "$t" 4)" 'BEGIN {
      x = p > 0 ? r / p : 0; goal = (t == "local" ? 0.9 : (t == "redis" ? 0.7 : 0))
      printf "  c%-4s %-15s %.2fx %s\n", c, t, x, (goal == 0 ? "(for comparison)" : (x >= goal ? "ok" : "MISS")) }'
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
