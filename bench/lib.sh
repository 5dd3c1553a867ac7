# Helpers for bench/run.sh: installing, starting and stopping, reading wrk and /proc.
# shellcheck shell=bash

die() { echo "bench: $*" >&2; exit 1; }

# Installs the Debian packages whose command is missing; `apt-get update` once, first.
ensure_packages() {
  local missing=() p
  for p in "$@"; do command -v "$p" >/dev/null || [ -x "/usr/sbin/$p" ] || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]}: run as root, or apt-get install ${missing[*]}"
  echo "installing ${missing[*]} from Debian's packages ..." >&2
  # Debian's nginx package starts a system nginx on port 80 unless policy-rc.d says no;
  # the benchmark starts its own instances and wants nothing else listening.
  local made_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && made_policy=1
  fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  local rc=$?
  [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
  [ $rc -eq 0 ] || die "could not install ${missing[*]}"
}

java_major() {  # the major version of the java binary $1, or 0 (as ./portico computes it)
  local v="" release
  release="$(dirname "$(dirname "$1")")/release"
  [ -r "$release" ] && v=$(awk -F'"' '/^JAVA_VERSION=/ {print $2; exit}' "$release")
  [ -n "$v" ] || v=$("$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}') || true
  v=${v#1.}
  echo "${v%%[.+-]*}" | grep -E '^[0-9]+$' || echo 0
}

newest_jdk() {  # the JDK ./portico would pick: PORTICO_JAVA_HOME, else the newest 17+ in /usr/lib/jvm
  if [ -n "${PORTICO_JAVA_HOME:-}" ]; then echo "$PORTICO_JAVA_HOME"; return; fi
  local best="" best_major=0 home major
  for home in /usr/lib/jvm/*; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    major=$(java_major "$home/bin/java")
    if [ "$major" -ge 17 ] && [ "$major" -gt "$best_major" ]; then best="$home"; best_major=$major; fi
  done
  [ -n "$best" ] && echo "$best"
}

# A loopback TCP port that no socket uses, other than the ports given. nginx cannot bind port 0
# and tell us which port it got, so the port is taken from below the kernel's ephemeral range
# (where no outgoing connection of wrk or a proxy can hold it); Portico itself binds port 0.
free_port() {
  local p i low
  low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 12000 ] || low=32768
  for i in $(seq 1 200); do
    p=$(( 10000 + RANDOM % (low - 10000) ))
    [[ " $* " == *" $p "* ]] && continue
    ss -Htan "( sport = :$p or dport = :$p )" 2>/dev/null | grep -q . && continue
    echo "$p"; return 0
  done
  die "no free port found"
}

render() {  # fills a *.in template with this run's folder, ports and nginx settings
  sed -e "s|@DIR@|$WORK|g" -e "s|@UPSTREAM_PORT@|$UPSTREAM_PORT|g" -e "s|@PROXY_PORT@|$PROXY_PORT|g" \
      -e "s|@WORKERS@|$WORKERS|g" -e "s|@KEEPALIVE@|$KEEPALIVE|g" "$1"
}

# Stops one process this script started: SIGTERM, up to 10 s to finish, then SIGKILL.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

wait_http() {  # waits up to $2 seconds for any HTTP answer from $1
  local i
  for i in $(seq 1 $(( $2 * 10 ))); do
    curl -s -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  return 1
}

wait_log() {  # waits up to $3 s for a line matching $2 in file $1 while process $4 lives; prints it
  local i line
  for i in $(seq 1 $(( $3 * 10 ))); do
    line=$(grep -m1 -- "$2" "$1" 2>/dev/null) && { echo "$line"; return 0; }
    kill -0 "$4" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

run_wrk() {  # run_wrk OUT THREADS CONNECTIONS SECONDS URL; bounded even if wrk hangs
  timeout --kill-after=5 $(( $4 + 20 )) wrk -t"$2" -c"$3" -d"$4"s --latency "$5" > "$1" 2>&1
}

# Prints "requests/s p50_ms p99_ms errors requests" from one wrk output; errors = socket errors + non-2xx.
parse_wrk() {
  awk '
    function ms(v) {
      if (v ~ /us$/) return v * 0.001
      if (v ~ /ms$/) return v + 0
      if (v ~ /m$/)  return v * 60000
      if (v ~ /s$/)  return v * 1000
      return v + 0
    }
    /Requests\/sec:/ { rps = $2 }
    / requests in / { n = $1 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
    /Non-2xx or 3xx responses:/ { err += $5 }
    END { printf "%s %.3f %.3f %d %d\n", rps + 0, p50, p99, err, n }' "$1"
}

cpu_ticks() {  # user + system clock ticks of process $1 and its children (nginx's workers)
  local pid=$1 p total=0 t
  for p in "$pid" $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    # Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
    t=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}') || t=0
    total=$(( total + ${t:-0} ))
  done
  echo "$total"
}

# The whole machine's clock ticks so far, every core: "busy all idle". busy is time some process ran
# (user, nice, system) plus steal (the hypervisor ran someone else: contention all the same);
# interrupt time is left out of busy because the kernel charges it to no process, and on this
# benchmark it is mostly the loopback traffic's own packet processing.
machine_ticks() {
  awk '/^cpu / { print $2 + $3 + $4 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $5 + $6 }' /proc/stat
}

# Clock ticks used by this shell's children that have ended (each wrk run ends up here), from the
# output of bash's `times` saved in file $1. `times` must run in the benchmark's own shell, not in
# a $(...) subshell, which has children of its own.
children_ticks() {
  awk -v hz="$(getconf CLK_TCK)" 'NR == 2 {
    t = 0
    for (i = 1; i <= 2; i++) { split($i, p, "m"); sub(/s$/, "", p[2]); t += p[1] * 60 + p[2] }
    printf "%d\n", t * hz }' "$1"
}

median_of() {  # median_of FILE CONNECTIONS TARGET COLUMN over the rounds in results.txt
  awk -v c="$2" -v t="$3" -v col="$4" '$1 == c && $2 == t { print $col }' "$1" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

mem_of() {  # "RSS MiB now / peak MiB" of process $1, plus its children when $2 = children
  local pid=$1 p rss=0 hwm=0 pids=("$1")
  [ "${2:-}" = children ] && pids+=($(cat /proc/"$pid"/task/*/children 2>/dev/null))
  for p in "${pids[@]}"; do
    rss=$(( rss + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0) ))
    hwm=$(( hwm + $(awk '/^VmHWM:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0) ))
  done
  echo "$(( rss / 1024 )) MiB / peak $(( hwm / 1024 )) MiB"
}
