#!/usr/bin/env bash
# Portico vs nginx as a reverse proxy, in one interleaved run on this machine.
#
#   bench/run.sh                  # about 4 minutes
#   BENCH_QUICK=1 bench/run.sh    # about 1 minute, for checking that the harness works
#
# Starts, all on 127.0.0.1: a fast upstream (nginx, one worker, a fixed 11-byte JSON answer),
# nginx as a reverse proxy in front of it, and Portico in front of it. Then, round after round,
# it loads each of the three with wrk (the target order rotates every round), and prints the
# median of the rounds, Portico's ratios to nginx, CPU time per request and memory.
# See docs/performance.md for the method and the numbers.
#
# Knobs (environment):
#   BENCH_QUICK=1             short rounds, fewer of them
#   BENCH_ROUNDS=5            rounds (each: every connection count, every target)
#   BENCH_DURATION=6          seconds per wrk run
#   BENCH_WARMUP=10           seconds of warm-up load per target before measuring
#   BENCH_CONNECTIONS="64 256"
#   BENCH_THREADS=2           wrk threads
#   BENCH_WORKERS=            nginx proxy workers (default: the number of cores, like Portico's event loops)
#   BENCH_NGINX_KEEPALIVE=64  nginx's idle upstream connections per worker
#   BENCH_JAVA_OPTS=          extra JVM flags for Portico, e.g. "-XX:+UseParallelGC -Xmx256m"
#   BENCH_JAR=                a prebuilt portico.jar (default: build target/portico.jar through ./portico)
#   BENCH_KEEP=1              keep the work folder (configs, logs, every wrk output)
# Only loopback traffic; everything started here is stopped on exit, Ctrl-C included.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

if [ "${BENCH_QUICK:-0}" = 1 ]; then
  ROUNDS=${BENCH_ROUNDS:-2} DURATION=${BENCH_DURATION:-3} WARMUP=${BENCH_WARMUP:-5}
else
  ROUNDS=${BENCH_ROUNDS:-5} DURATION=${BENCH_DURATION:-6} WARMUP=${BENCH_WARMUP:-10}
fi
CONNECTIONS=${BENCH_CONNECTIONS:-64 256}
THREADS=${BENCH_THREADS:-2}
CORES=$(nproc)
WORKERS=${BENCH_WORKERS:-$CORES}
KEEPALIVE=${BENCH_NGINX_KEEPALIVE:-64}
TARGETS=(direct nginx portico)

# --- what we need -------------------------------------------------------------------------------
ensure_packages wrk nginx
[ "$(id -u)" = 0 ] || die "run as root (nginx is started with its own prefix, but binds and rlimits need root)"

JDK=$(newest_jdk) || die "no JDK 17 or newer in /usr/lib/jvm"
JAVA_MAJOR=$(java_major "$JDK/bin/java")

WORK=$(mktemp -d /tmp/portico-bench.XXXXXX)
chmod 755 "$WORK"
mkdir -p "$WORK/tmp" "$WORK/wrk"
STARTED=()   # PIDs of the processes this script started; stopped in reverse order on exit
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

# --- the jar ------------------------------------------------------------------------------------
UPSTREAM_PORT=$(free_port)
PROXY_PORT=$(free_port "$UPSTREAM_PORT")
render "$HERE/portico.yaml.in" > "$WORK/portico.yaml"
if [ -n "${BENCH_JAR:-}" ]; then
  [ -f "$BENCH_JAR" ] || die "BENCH_JAR=$BENCH_JAR: no such file"
  cp "$BENCH_JAR" "$WORK/portico.jar"
else
  # The launcher builds target/portico.jar when it is missing or older than the sources, and
  # `check` validates the generated config on the way.
  echo "building the gateway if needed (./portico check) ..." >&2
  "$ROOT/portico" check -c "$WORK/portico.yaml" >/dev/null || die "./portico check failed on the generated config"
  cp "$ROOT/target/portico.jar" "$WORK/portico.jar"  # a rebuild by someone else must not swap classes under a running JVM
fi

# --- start the three servers --------------------------------------------------------------------
render "$HERE/upstream.conf.in" > "$WORK/upstream.conf"
render "$HERE/nginx-proxy.conf.in" > "$WORK/nginx-proxy.conf"

nginx -p "$WORK" -e "$WORK/upstream-error.log" -c "$WORK/upstream.conf" -g 'daemon off;' &
UPSTREAM_PID=$!; STARTED+=("$UPSTREAM_PID")
nginx -p "$WORK" -e "$WORK/proxy-error.log" -c "$WORK/nginx-proxy.conf" -g 'daemon off;' &
PROXY_PID=$!; STARTED+=("$PROXY_PID")

# The same flags as ./portico run (minus its class-data archive, which only speeds up start-up).
JAVA_OPTS=(-XX:+UseG1GC -XX:+ExitOnOutOfMemoryError "-Dportico.home=$ROOT")
[ "$JAVA_MAJOR" -ge 22 ] && JAVA_OPTS+=(--enable-native-access=ALL-UNNAMED)
# shellcheck disable=SC2206
JAVA_OPTS+=(${BENCH_JAVA_OPTS:-})
"$JDK/bin/java" "${JAVA_OPTS[@]}" -jar "$WORK/portico.jar" run -c "$WORK/portico.yaml" > "$WORK/portico.log" 2>&1 &
PORTICO_PID=$!; STARTED+=("$PORTICO_PID")

wait_http "http://127.0.0.1:$UPSTREAM_PORT/" 10 || die "the upstream nginx did not start: $(tail -5 "$WORK/upstream-error.log")"
wait_http "http://127.0.0.1:$PROXY_PORT/" 10 || die "the proxy nginx did not start: $(tail -5 "$WORK/proxy-error.log")"
LISTENING=$(wait_log "$WORK/portico.log" 'listening on' 60 "$PORTICO_PID") \
  || die "Portico did not start: $(tail -20 "$WORK/portico.log")"
PORTICO_PORT=$(sed -E 's/.*listening on [^ ]*:([0-9]+) .*/\1/' <<<"$LISTENING")
PORTICO_TRANSPORT=$(sed -E 's/.*listening on [^ ]* \(([a-z]+),.*/\1/' <<<"$LISTENING")

declare -A URL=(
  [direct]="http://127.0.0.1:$UPSTREAM_PORT/bench"
  [nginx]="http://127.0.0.1:$PROXY_PORT/bench"
  [portico]="http://127.0.0.1:$PORTICO_PORT/bench"
)
# The process whose CPU time counts as the target's cost (the proxy alone; the upstream is common).
declare -A OWNER=([direct]=$UPSTREAM_PID [nginx]=$PROXY_PID [portico]=$PORTICO_PID)

for t in "${TARGETS[@]}"; do
  body=$(curl -s --max-time 5 "${URL[$t]}") || die "$t: no answer from ${URL[$t]}"
  [ "$body" = '{"ok":true}' ] || die "$t: unexpected answer from ${URL[$t]}: $body"
done

MAX_C=$(tr ' ' '\n' <<<"$CONNECTIONS" | sort -n | tail -1)
TOTAL=$(( ${#TARGETS[@]} * (WARMUP + ROUNDS * $(wc -w <<<"$CONNECTIONS") * DURATION) ))
cat <<EOF
Portico vs nginx, $(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -m), $CORES cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)
  NOTE: wrk, the upstream, nginx and Portico all share these $CORES cores, and other work on the
  machine competes with them too: numbers are relative, for comparing the proxies in this run.
  upstream : nginx $(nginx -v 2>&1 | sed 's|.*/||'), 1 worker, 127.0.0.1:$UPSTREAM_PORT
  nginx    : $WORKERS workers, upstream keepalive $KEEPALIVE, 127.0.0.1:$PROXY_PORT
  portico  : $(basename "$JDK") (Java $JAVA_MAJOR), $PORTICO_TRANSPORT, $CORES event loops, 127.0.0.1:$PORTICO_PORT
             JVM flags: ${JAVA_OPTS[*]}
  load     : wrk -t$THREADS -c{${CONNECTIONS// /,}} -d${DURATION}s --latency, $ROUNDS rounds, warm-up ${WARMUP}s at c$MAX_C, ~${TOTAL}s of load
  load average before: $(cut -d' ' -f1-3 /proc/loadavg)
EOF

# --- warm-up ------------------------------------------------------------------------------------
for t in "${TARGETS[@]}"; do
  run_wrk "$WORK/wrk/warmup-$t.txt" "$THREADS" "$MAX_C" "$WARMUP" "${URL[$t]}" || die "wrk failed warming up $t"
done

# --- measure ------------------------------------------------------------------------------------
# One line per wrk run: connections target round req/s p50_ms p99_ms cpu_us_per_req errors other% idle%
# other% is the share of the machine's CPU that processes outside this benchmark used during the
# run (other people's work on a shared machine); idle% the share nobody used.
RESULTS="$WORK/results.txt"
: > "$RESULTS"
ours_ticks() { echo $(( $(cpu_ticks "$UPSTREAM_PID") + $(cpu_ticks "$PROXY_PID") + $(cpu_ticks "$PORTICO_PID") )); }
for ((r = 1; r <= ROUNDS; r++)); do
  for c in $CONNECTIONS; do
    for ((i = 0; i < ${#TARGETS[@]}; i++)); do
      t=${TARGETS[(i + r - 1) % ${#TARGETS[@]}]}   # rotate so no target always runs right after another
      out="$WORK/wrk/c$c-$t-r$r.txt"
      before=$(cpu_ticks "${OWNER[$t]}")
      times > "$WORK/times0"; ours0=$(ours_ticks); read -r busy0 all0 idle0 < <(machine_ticks)
      run_wrk "$out" "$THREADS" "$c" "$DURATION" "${URL[$t]}" || die "wrk failed on $t (see $out)"
      read -r busy1 all1 idle1 < <(machine_ticks); times > "$WORK/times1"; ours1=$(ours_ticks)
      kids0=$(children_ticks "$WORK/times0"); kids1=$(children_ticks "$WORK/times1")
      after=$(cpu_ticks "${OWNER[$t]}")
      read -r rps p50 p99 errors requests < <(parse_wrk "$out")
      cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$requests" \
        'BEGIN { printf "%.1f", (n > 0 ? t / hz * 1e6 / n : 0) }')
      read -r other idle < <(awk -v busy=$((busy1 - busy0)) -v all=$((all1 - all0)) -v idle=$((idle1 - idle0)) \
        -v ours=$(( (ours1 - ours0) + (kids1 - kids0) )) 'BEGIN {
        o = all > 0 ? (busy - ours) * 100 / all : 0; if (o < 0) o = 0
        printf "%.0f %.0f\n", o, (all > 0 ? idle * 100 / all : 0) }')
      echo "$c $t $r $rps $p50 $p99 $cpu $errors $other $idle" >> "$RESULTS"
      printf '  round %d/%d  c%-4s %-8s %10.0f req/s  p50 %7.2f ms  p99 %7.2f ms  other load %3s%%  idle %3s%%%s\n' \
        "$r" "$ROUNDS" "$c" "$t" "$rps" "$p50" "$p99" "$other" "$idle" "$([ "$errors" = 0 ] || echo "  ERRORS: $errors")" >&2
    done
  done
done

# --- report -------------------------------------------------------------------------------------
echo
echo "Medians of $ROUNDS rounds (CPU = the proxy's own CPU time per request, upstream excluded;"
echo "other = CPU share used by processes outside the benchmark, idle = share nobody used):"
printf '%-6s %-8s %12s %9s %9s %12s %8s %7s %6s\n' conns target "req/s" "p50 ms" "p99 ms" "CPU us/req" errors "other" "idle"
for c in $CONNECTIONS; do
  for t in "${TARGETS[@]}"; do
    printf '%-6s %-8s %12.0f %9.2f %9.2f %12.1f %8s %6.0f%% %5.0f%%\n' "$c" "$t" \
      "$(median_of "$RESULTS" "$c" "$t" 4)" "$(median_of "$RESULTS" "$c" "$t" 5)" \
      "$(median_of "$RESULTS" "$c" "$t" 6)" "$(median_of "$RESULTS" "$c" "$t" 7)" \
      "$(awk -v c="$c" -v t="$t" '$1 == c && $2 == t { s += $8 } END { print s + 0 }' "$RESULTS")" \
      "$(median_of "$RESULTS" "$c" "$t" 9)" "$(median_of "$RESULTS" "$c" "$t" 10)"
  done
done
OTHER=$(awk '{ s += $9; n++ } END { printf "%.0f", (n ? s / n : 0) }' "$RESULTS")
if [ "$OTHER" -ge 10 ]; then
  echo "  LOADED: other processes used ${OTHER}% of the machine on average while this ran; compare the"
  echo "  ratios below, not the absolute numbers, and prefer a rerun on a quiet machine."
fi

echo
echo "Portico / nginx (targets: throughput >= 0.80, p99 <= 2.00):"
for c in $CONNECTIONS; do
  awk -v c="$c" \
      -v pr="$(median_of "$RESULTS" "$c" portico 4)" -v nr="$(median_of "$RESULTS" "$c" nginx 4)" \
      -v pp="$(median_of "$RESULTS" "$c" portico 6)" -v np="$(median_of "$RESULTS" "$c" nginx 6)" \
      -v pc="$(median_of "$RESULTS" "$c" portico 7)" -v nc="$(median_of "$RESULTS" "$c" nginx 7)" 'BEGIN {
    tr = nr > 0 ? pr / nr : 0; lr = np > 0 ? pp / np : 0; cr = nc > 0 ? pc / nc : 0
    printf "  c%-4s throughput %.2fx %-4s  p99 %.2fx %-4s  CPU per request %.2fx\n", c,
      tr, (tr >= 0.8 ? "ok" : "MISS"), lr, (lr <= 2.0 ? "ok" : "MISS"), cr }'
done

echo
echo "Memory after the run (VmRSS now / VmHWM peak):"
echo "  portico : $(mem_of "$PORTICO_PID")  (one JVM; heap sized by the JVM's defaults unless BENCH_JAVA_OPTS says)"
echo "  nginx   : $(mem_of "$PROXY_PID" children)  (master + $WORKERS workers)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
