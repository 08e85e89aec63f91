#!/usr/bin/env bash
# Live streaming: Millrace vs nginx-rtmp, one publisher and N viewers, same machine, same load generator.
#
# Run from the repository root after `mvn -q -o install -DskipTests` (it needs bench/target/benchmarks.jar):
#
#   bash bench/scripts/live-vs-nginx.sh                          # N = 100 500 1000 2000, all servers, idle run
#   bash bench/scripts/live-vs-nginx.sh --viewers "100 1000" --servers nginx --idle 0
#   bash bench/scripts/live-vs-nginx.sh --help
#
# What it does:
#   1. installs Debian's nginx-light and libnginx-mod-rtmp if nginx or the RTMP module is missing (apt-get;
#      the only step that uses the network, and it is outside the time bound); raises ulimit -n (65536, or
#      the hard limit when that is lower: 10,000 idle connections need as many descriptors on each side);
#   2. for each N and each server in turn (one server at a time, started afresh for every run):
#        millrace:       java -cp bench/target/benchmarks.jar io.millrace.server.Main --rtmp-port P
#                        --config TMP/millrace.yaml (a separate JVM, default JVM options; the config sets
#                        rtmp.bind 127.0.0.1), CPU = utime+stime of the JVM from /proc/PID/stat, RSS = VmRSS;
#                        (the default live.writeMergeMillis, 10 ms);
#        millrace-merge: the same with live.writeMergeMillis 100 (a viewer's frames are written together,
#                        at most 100 ms late: fewer system calls, more delay);
#        millrace-nomerge: live.writeMergeMillis 0 (one write per viewer per publisher read; opt-in);
#        nginx:          nginx -p TMP -c TMP/nginx.conf, daemon off, master_process on, worker_processes 1,
#                        rtmp { server { listen 127.0.0.1:PORT; chunk_size 4096; application live { live on; } } },
#                        CPU and RSS summed over the master and the worker;
#      runs io.millrace.bench.live.LiveLoad against it: 1 publisher (synthetic H.264 + AAC, 2 Mbit/s, 30 fps,
#      keyframe every 2 s, paced in real time) and N viewers (SetBufferLength 100 ms, play start -2), all
#      in one JVM on Netty event loops; after the ramp and a 5 s lead-in, a 20 s window;
#   3. an idle run: 10,000 connections (connect + createStream, nothing played) to a fresh Millrace; the
#      server's heap after a full GC (jcmd PID GC.run, then GC.heap_info) and its RSS before and with them;
#   4. prints a table per N: delivered Gbit, server CPU s, CPU s per delivered Gbit, ratio to nginx,
#      end-to-end delay p50/p99, play -> first video frame p50, frames missing, server RSS, load generator CPU.
#
# Every server sends 4096-byte chunks. Millrace's event loops may use both cores, nginx's one worker only
# one; the load generator shares the same 2 cores (its own CPU is in the table: when it nears 100 % of a
# core per viewer loop, it, not the server, limits the run). When Millrace has no `live` application yet,
# its runs stop at once with NetConnection.Connect.InvalidApp (said plainly, no hang); when a build does not
# know live.writeMergeMillis, the merge runs are skipped with the server's configuration error.
# The whole run is bounded (--max-seconds) and every server is stopped and the temp dir removed on exit.
set -euo pipefail

VIEWERS="100 500 1000 2000"
SERVERS="millrace millrace-merge nginx"
IDLE=10000
IDLE_SERVERS="millrace"
WINDOW=20
LEAD=5
BITRATE=2000
BUFFER=100
VIEWER_LOOPS=1
MERGE_MILLIS=100
MAX_SECONDS=1200
JSON_DIR=""
JAR=bench/target/benchmarks.jar

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    cat <<EOF
Options:
  --viewers "N ..."      viewer counts (default "$VIEWERS")
  --servers "S ..."      millrace, millrace-merge, millrace-nomerge and/or nginx (default "$SERVERS")
  --idle N               idle connections for the idle run (default $IDLE; 0 skips it)
  --idle-servers "S ..." millrace and/or nginx for the idle run (default "$IDLE_SERVERS")
  --window S             measured window in seconds (default $WINDOW)
  --lead-in S            unmeasured time after all viewers play (default $LEAD)
  --bitrate KBPS         the publisher's payload bitrate (default $BITRATE)
  --buffer-millis MS     the viewers' SetBufferLength (default $BUFFER)
  --viewer-loops L       the load generator's event-loop threads for viewers (default $VIEWER_LOOPS)
  --merge-millis MS      live.writeMergeMillis of the millrace-merge runs (default $MERGE_MILLIS)
  --json-dir DIR         keep each run's JSON figures there (LiveLoad --json)
  --max-seconds S        bound on the whole run after the install step (default $MAX_SECONDS)
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --viewers) VIEWERS="$2"; shift 2 ;;
        --servers) SERVERS="$2"; shift 2 ;;
        --idle) IDLE="$2"; shift 2 ;;
        --idle-servers) IDLE_SERVERS="$2"; shift 2 ;;
        --window) WINDOW="$2"; shift 2 ;;
        --lead-in) LEAD="$2"; shift 2 ;;
        --bitrate) BITRATE="$2"; shift 2 ;;
        --buffer-millis) BUFFER="$2"; shift 2 ;;
        --viewer-loops) VIEWER_LOOPS="$2"; shift 2 ;;
        --merge-millis) MERGE_MILLIS="$2"; shift 2 ;;
        --json-dir) JSON_DIR="$2"; shift 2 ;;
        --max-seconds) MAX_SECONDS="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "live-vs-nginx: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
for s in $SERVERS; do
    case "$s" in millrace|millrace-merge|millrace-nomerge|nginx) ;; *) echo "live-vs-nginx: unknown server $s (millrace, millrace-merge, millrace-nomerge, nginx)" >&2; exit 2 ;; esac
done
for s in $IDLE_SERVERS; do
    case "$s" in millrace|nginx) ;; *) echo "live-vs-nginx: unknown idle server $s (millrace, nginx)" >&2; exit 2 ;; esac
done
for n in $VIEWERS $IDLE $WINDOW $LEAD $BITRATE $BUFFER $VIEWER_LOOPS $MERGE_MILLIS $MAX_SECONDS; do
    case "$n" in ''|*[!0-9]*) echo "live-vs-nginx: not a whole number: '$n'" >&2; exit 2 ;; esac
done

if [ ! -f "$JAR" ] || [ ! -f bench/pom.xml ]; then
    echo "live-vs-nginx: run from the repository root after 'mvn -q -o install -DskipTests' ($JAR is missing)" >&2
    exit 2
fi
if [ -n "$JSON_DIR" ]; then mkdir -p "$JSON_DIR"; JSON_DIR=$(cd "$JSON_DIR" && pwd); fi

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# ------------------------------------------------------------------------------------------------
# 1. nginx with the RTMP module (outside the time bound: apt may be slow), and descriptors

find_rtmp_module() {
    local f
    for f in /usr/lib/nginx/modules/ngx_rtmp_module.so /usr/share/nginx/modules/ngx_rtmp_module.so; do
        [ -f "$f" ] && { echo "$f"; return 0; }
    done
    # Debian's modules-available snippet names the .so
    f=$(sed -n 's/^ *load_module *\([^;]*rtmp[^;]*\);.*/\1/p' /usr/share/nginx/modules-available/mod-rtmp.conf 2>/dev/null | head -1)
    if [ -n "$f" ]; then
        case "$f" in /*) ;; *) f="/usr/share/nginx/$f" ;; esac
        [ -f "$f" ] && { echo "$f"; return 0; }
    fi
    return 1
}

needs_nginx=0
case " $SERVERS $IDLE_SERVERS " in *" nginx "*) needs_nginx=1 ;; esac
RTMP_SO=""
if [ "$needs_nginx" = 1 ]; then
    if ! command -v nginx >/dev/null 2>&1 || ! find_rtmp_module >/dev/null; then
        log "installing nginx-light and libnginx-mod-rtmp (apt-get)"
        export DEBIAN_FRONTEND=noninteractive
        if ! apt-get install -y -q nginx-light libnginx-mod-rtmp >/dev/null; then
            apt-get update -q >/dev/null
            apt-get install -y -q nginx-light libnginx-mod-rtmp >/dev/null
        fi
    fi
    RTMP_SO=$(find_rtmp_module) || { echo "live-vs-nginx: ngx_rtmp_module.so not found after install" >&2; exit 1; }
fi
command -v jcmd >/dev/null 2>&1 || log "warning: jcmd not found (JDK): the idle run reports RSS only, no heap"

# 10,000 idle connections need 10,000 descriptors in the load generator and as many in the server.
if ! ulimit -n 65536 2>/dev/null; then
    hard=$(ulimit -Hn)
    if [ "$hard" = unlimited ] || [ "$hard" -ge 65536 ]; then hard=65536; fi
    ulimit -n "$hard" 2>/dev/null || true
fi
NOFILE=$(ulimit -n)
if [ "$NOFILE" != unlimited ] && [ "$IDLE" -gt 0 ] && [ $((IDLE + 500)) -gt "$NOFILE" ]; then
    log "warning: ulimit -n is $NOFILE (hard limit $(ulimit -Hn)): the idle run is cut to $((NOFILE - 500)) connections"
    IDLE=$((NOFILE - 500))
fi
WORKER_NOFILE=$NOFILE
[ "$WORKER_NOFILE" = unlimited ] && WORKER_NOFILE=65536

# ------------------------------------------------------------------------------------------------
# Clean-up and the time bound

TMP=$(mktemp -d /tmp/millrace-live-vs-nginx.XXXXXX)
MILLRACE_PID=""
NGINX_PID=""
LOAD_PID=""
WATCHDOG_PID=""

stop_pid() { # pid, seconds to wait after SIGTERM before SIGKILL
    local pid="$1" wait="${2:-10}" i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < wait * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

stop_servers() {
    stop_pid "$MILLRACE_PID" 10; MILLRACE_PID=""
    stop_pid "$NGINX_PID" 10; NGINX_PID=""
}

cleanup() {
    local code=$?
    trap - EXIT INT TERM
    stop_pid "$LOAD_PID" 5
    stop_servers
    if [ -n "$WATCHDOG_PID" ]; then kill "$WATCHDOG_PID" 2>/dev/null || true; wait "$WATCHDOG_PID" 2>/dev/null || true; fi
    rm -rf "$TMP"
    exit "$code"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "time bound of ${MAX_SECONDS} s reached: stopping"; exit 124' TERM

( sleep "$MAX_SECONDS"; kill -TERM $$ 2>/dev/null ) >/dev/null 2>&1 &
WATCHDOG_PID=$!
START_EPOCH=$(date +%s)

free_port() { # first port from $1 up that nothing on 127.0.0.1 listens on
    local p="$1"
    while (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; do p=$((p + 1)); done
    echo "$p"
}

wait_port() { # port, pid, seconds
    local port="$1" pid="$2" i
    for ((i = 0; i < $3 * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || return 1
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

rss_mib() { # pids (comma-separated): VmRSS summed, MiB
    local sum=0 pid kb
    for pid in ${1//,/ }; do
        kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        sum=$((sum + ${kb:-0}))
    done
    awk -v k="$sum" 'BEGIN { printf "%.1f", k / 1024 }'
}

mkdir -p "$TMP/nginx" "$TMP/logs" "$TMP/data"

# ------------------------------------------------------------------------------------------------
# 2. The servers. Each start_* sets SERVER_PORT and SERVER_PIDS, or returns 1 with SERVER_ERROR set.

start_millrace() { # plain | merge | nomerge
    local variant="$1" port http
    port=$(free_port 19450)
    http=$(free_port $((port + 1)))
    # Every load client connects from 127.0.0.1, and the idle run holds 10,000 idle connections: the
    # connection limits and the idle timeout are off (the server's own tests exercise them).
    printf 'rtmp:\n  bind: 127.0.0.1\n  maxConnections: 0\n  maxConnectionsPerIp: 0\n  maxConnectionRatePerIp: 0\n  idleTimeoutMillis: 0\nhttp:\n  bind: 127.0.0.1\n' > "$TMP/millrace.yaml"
    if [ "$variant" = merge ]; then
        printf 'live:\n  writeMergeMillis: %s\n' "$MERGE_MILLIS" >> "$TMP/millrace.yaml"
    elif [ "$variant" = nomerge ]; then
        printf 'live:\n  writeMergeMillis: 0\n' >> "$TMP/millrace.yaml"
    fi
    java -Dmillrace.log.level=WARN -cp "$JAR" io.millrace.server.Main --rtmp-port "$port" --http-port "$http" \
        --data "$TMP/data" --config "$TMP/millrace.yaml" > "$TMP/logs/millrace.log" 2>&1 &
    MILLRACE_PID=$!
    if ! wait_port "$port" "$MILLRACE_PID" 30; then
        SERVER_ERROR=$(grep -m1 -i 'configuration error\|error\|exception' "$TMP/logs/millrace.log" || tail -1 "$TMP/logs/millrace.log")
        stop_pid "$MILLRACE_PID" 5; MILLRACE_PID=""
        return 1
    fi
    SERVER_PORT=$port
    SERVER_PIDS=$MILLRACE_PID
}

start_nginx() {
    local port i workers=""
    port=$(free_port 19460)
    cat > "$TMP/nginx/nginx.conf" <<EOF
load_module $RTMP_SO;
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile $WORKER_NOFILE;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections $((WORKER_NOFILE > 500 ? WORKER_NOFILE - 100 : WORKER_NOFILE)); }
rtmp {
    server {
        listen 127.0.0.1:$port;
        chunk_size 4096;
        application live {
            live on;
        }
    }
}
EOF
    nginx -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" > "$TMP/logs/nginx.out" 2>&1 &
    NGINX_PID=$!
    if ! wait_port "$port" "$NGINX_PID" 15; then
        SERVER_ERROR=$(cat "$TMP/logs/nginx.out" "$TMP/nginx/error.log" 2>/dev/null | tail -3 | tr '\n' ' ')
        stop_pid "$NGINX_PID" 5; NGINX_PID=""
        return 1
    fi
    for ((i = 0; i < 50; i++)); do
        workers=$(pgrep -P "$NGINX_PID" | tr '\n' ',' | sed 's/,$//') || true
        [ -n "$workers" ] && break
        sleep 0.1
    done
    [ -n "$workers" ] || { SERVER_ERROR="no nginx worker process"; stop_pid "$NGINX_PID" 5; NGINX_PID=""; return 1; }
    SERVER_PORT=$port
    SERVER_PIDS="$NGINX_PID,$workers"
}

start_server() { # millrace | millrace-merge | nginx
    SERVER_ERROR=""
    case "$1" in
        millrace) start_millrace plain ;;
        millrace-merge) start_millrace merge ;;
        millrace-nomerge) start_millrace nomerge ;;
        nginx) start_nginx ;;
    esac
}

# ------------------------------------------------------------------------------------------------
# 3. One live run: NAME N -> appends "NAME N key=value..." to $TMP/results

declare -A SKIP=()

run_live() {
    local name="$1" n="$2" out json="" code=0 result bound
    if [ -n "${SKIP[$name]:-}" ]; then
        echo "$name $n skipped=1" >> "$TMP/results"
        return 0
    fi
    if ! start_server "$name"; then
        log "$name: the server did not start: $SERVER_ERROR"
        if [ "$name" = millrace-merge ] && grep -q 'unknown key' <<<"$SERVER_ERROR"; then
            log "$name: this Millrace build does not know live.writeMergeMillis: skipping the $name runs"
        fi
        SKIP[$name]=1
        echo "$name $n skipped=1" >> "$TMP/results"
        return 0
    fi
    out="$TMP/logs/$name-$n.txt"
    [ -n "$JSON_DIR" ] && json="--json $JSON_DIR/live-$name-$n.json"
    bound=$((LEAD + WINDOW + 15 + n / 2000 + 5 + 40))
    log "$name, $n viewers: 1 publisher at $BITRATE kbit/s, lead-in $LEAD s, window $WINDOW s (server pids $SERVER_PIDS)"
    # shellcheck disable=SC2086
    java -cp "$JAR" io.millrace.bench.live.LiveLoad --host 127.0.0.1 --port "$SERVER_PORT" --server-pid "$SERVER_PIDS" \
        --label "$name" --viewers "$n" --bitrate-kbps "$BITRATE" --buffer-millis "$BUFFER" --viewer-loops "$VIEWER_LOOPS" \
        --lead-in-seconds "$LEAD" --window-seconds "$WINDOW" --timeout-seconds "$bound" $json > "$out" 2>&1 &
    LOAD_PID=$!
    wait "$LOAD_PID" || code=$?
    LOAD_PID=""
    stop_servers
    result=$(grep '^RESULT ' "$out" | tail -1 || true)
    if [ "$code" = 3 ] || grep -q '^RESULT .*refused=' <<<"$result"; then
        log "$name: the server refused the publisher: $(grep -m1 '^publisher ' "$out" | sed 's/^publisher [0-9]* ([^)]*): //')"
        if grep -q 'InvalidApp' "$out"; then
            log "$name: this Millrace build has no 'live' application (NetConnection.Connect.InvalidApp): skipping the $name runs"
        fi
        SKIP[$name]=1
        echo "$name $n refused=1" >> "$TMP/results"
        return 0
    fi
    sed -n '/== live load summary/,$p' "$out" | grep -v '^RESULT\|^json:' | sed 's/^/    /'
    if [ -z "$result" ]; then
        echo "    (no result, exit status $code; last lines of the load generator:)"; tail -15 "$out" | sed 's/^/    /'
        result="RESULT ok=0"
    fi
    echo "$name $n ${result#RESULT }" >> "$TMP/results"
}

# ------------------------------------------------------------------------------------------------
# 4. The idle run: NAME -> prints its figures

heap_used_kib() { # pid: heap used after a full GC, KiB (jcmd GC.run, then GC.heap_info); empty if unknown
    command -v jcmd >/dev/null 2>&1 || return 0
    timeout 30 jcmd "$1" GC.run >/dev/null 2>&1 || return 0
    timeout 30 jcmd "$1" GC.heap_info 2>/dev/null | grep -m1 -i 'heap.*used' | sed -n 's/.*used \([0-9]*\)K.*/\1/p'
}

run_idle() {
    local name="$1" app=live out json="" code heap0="" heap1="" rss0 rss1 i pid bound
    if ! start_server "$name"; then
        log "idle $name: the server did not start: $SERVER_ERROR"
        return 0
    fi
    pid=${SERVER_PIDS%%,*}
    [ "$name" = millrace ] && heap0=$(heap_used_kib "$pid")
    rss0=$(rss_mib "$SERVER_PIDS")
    for attempt in 1 2; do
        out="$TMP/logs/idle-$name-$app.txt"
        [ -n "$JSON_DIR" ] && json="--json $JSON_DIR/idle-$name.json"
        bound=$((IDLE / 2000 + 15 + 20 + 40))
        log "idle $name: $IDLE connections to $app (connect + createStream), held 20 s (server pids $SERVER_PIDS)"
        # shellcheck disable=SC2086
        java -cp "$JAR" io.millrace.bench.live.LiveLoad --host 127.0.0.1 --port "$SERVER_PORT" --server-pid "$SERVER_PIDS" \
            --label "idle-$name" --app "$app" --idle "$IDLE" --window-seconds 20 --timeout-seconds "$bound" $json > "$out" 2>&1 &
        LOAD_PID=$!
        # When all are up: the server's heap after a full GC, while the connections are held.
        for ((i = 0; i < bound * 10; i++)); do
            grep -q '^IDLE READY' "$out" 2>/dev/null && break
            kill -0 "$LOAD_PID" 2>/dev/null || break
            sleep 0.1
        done
        if grep -q '^IDLE READY' "$out"; then
            rss1=$(rss_mib "$SERVER_PIDS") # before the full GC, which may shrink it
            [ "$name" = millrace ] && heap1=$(heap_used_kib "$pid")
        fi
        code=0
        wait "$LOAD_PID" || code=$?
        LOAD_PID=""
        if [ "$code" = 3 ] && [ "$app" = live ]; then
            log "idle $name: no 'live' application (InvalidApp): holding the idle connections on 'vod' instead"
            app=vod
            continue
        fi
        break
    done
    stop_servers
    sed -n '/== idle connections summary/,$p' "$out" | grep -v '^RESULT\|^json:' | sed 's/^/    /'
    local established
    established=$(grep '^RESULT ' "$out" | tail -1 | tr ' ' '\n' | sed -n 's/^established=//p')
    if [ -n "$heap0" ] && [ -n "$heap1" ] && [ -n "$established" ] && [ "$established" -gt 0 ]; then
        awk -v a="$heap0" -v b="$heap1" -v n="$established" -v name="$name" 'BEGIN {
            printf "    %s heap after a full GC (jcmd GC.run; GC.heap_info): %.1f MiB before, %.1f MiB with %d idle connections: %+.1f MiB, %.2f KiB per connection\n",
                name, a / 1024, b / 1024, n, (b - a) / 1024, (b - a) / n }'
    elif [ "$name" = millrace ]; then
        echo "    (no heap figure: jcmd missing or the connections were not established)"
    fi
    echo "idle $name app=$app established=${established:-0} heap0_kib=${heap0:-nan} heap1_kib=${heap1:-nan} rss0_mib=${rss0:-nan} rss1_mib=${rss1:-nan}" >> "$TMP/idle"
}

# ------------------------------------------------------------------------------------------------
# 5. Run

echo "== live streaming: Millrace vs nginx-rtmp, 1 publisher, N viewers =="
echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine:  $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "java:     $(java -version 2>&1 | head -1)"
if [ -n "$RTMP_SO" ]; then
    echo "nginx:    $(nginx -v 2>&1 | sed 's/^nginx version: //'), RTMP module $(dpkg-query -W -f='${Package} ${Version}' libnginx-mod-rtmp 2>/dev/null || echo '(not from a Debian package)'), worker_processes 1"
fi
echo "load:     viewers \"$VIEWERS\", servers \"$SERVERS\"; synthetic $BITRATE kbit/s, 30 fps, GOP 2 s; SetBufferLength $BUFFER ms; lead-in $LEAD s, window $WINDOW s; $VIEWER_LOOPS viewer loop(s); ulimit -n $NOFILE"
echo

: > "$TMP/results"
: > "$TMP/idle"
for n in $VIEWERS; do
    for s in $SERVERS; do run_live "$s" "$n"; done
done
if [ "$IDLE" -gt 0 ]; then
    for s in $IDLE_SERVERS; do run_idle "$s"; done
fi

# ------------------------------------------------------------------------------------------------
# 6. The tables

field() { # line key
    echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1
}

echo
echo "== summary: ${WINDOW} s window per run; payload Gbit delivered to all viewers; CPU = utime+stime of the server's processes =="
for n in $VIEWERS; do
    echo
    echo "-- $n viewers --"
    printf '%-15s %4s %8s %8s %9s %8s %10s %10s %10s %9s %14s %9s %8s %7s\n' server ok "Gbit" "CPU s" "CPU s/Gb" "vs nginx" \
        "e2e p50 ms" "e2e p99 ms" "start p50" "missing" "all frames" "RSS MiB" "loadgen%" failed
    nc=$(awk -v n="$n" '$1 == "nginx" && $2 == n' "$TMP/results" | tr ' ' '\n' | sed -n 's/^cpu_s_per_gbit=//p' | head -1)
    while read -r name count rest; do
        [ "$count" = "$n" ] || continue
        line="$rest"
        if [ -n "$(field "$line" skipped)" ]; then
            printf '%-15s %s\n' "$name" "(skipped: the server did not start with this configuration)"; continue
        fi
        if [ -n "$(field "$line" refused)" ]; then
            printf '%-15s %s\n' "$name" "(refused the publisher: no live application in this build?)"; continue
        fi
        mc=$(field "$line" cpu_s_per_gbit)
        ratio=$(awk -v m="$mc" -v n="$nc" 'BEGIN { if (m != "" && n != "" && m != "nan" && n != "nan" && n > 0) printf "%.2fx", m / n; else print "-" }')
        printf '%-15s %4s %8s %8s %9s %8s %10s %10s %10s %9s %14s %9s %8s %7s\n' "$name" "$(field "$line" ok)" \
            "$(field "$line" gbit)" "$(field "$line" server_cpu_s)" "$mc" "$ratio" \
            "$(field "$line" e2e_p50_ms)" "$(field "$line" e2e_p99_ms)" "$(field "$line" startup_p50_ms)" \
            "$(field "$line" frames_missing)" "$(field "$line" viewers_all_frames)/$(field "$line" playing)" \
            "$(field "$line" server_rss_mib)" "$(field "$line" loadgen_cpu_pct)" "$(field "$line" failed)"
    done < "$TMP/results"
done
echo
echo "columns: Gbit = payload delivered in the window; CPU s/Gb = server CPU s per delivered Gbit; vs nginx = that ratio"
echo "to nginx-rtmp's at the same N; e2e = publisher's write -> viewer's read of each frame; start p50 = play -> first"
echo "video frame (ms); missing = frames published in the window that viewers did not get (all viewers summed);"
echo "all frames = viewers that got every one / viewers playing; RSS at the window end; loadgen% = the load"
echo "generator's CPU in % of one core (near 100 % per viewer loop: it limited the run)."
if [ -s "$TMP/idle" ]; then
    echo
    echo "-- idle connections ($IDLE: connect + createStream, nothing played) --"
    while read -r _ name rest; do
        awk -v name="$name" -v line="$rest" 'BEGIN {
            n = split(line, kv, " "); for (i = 1; i <= n; i++) { split(kv[i], p, "="); f[p[1]] = p[2] }
            printf "%-9s app %-5s established %6s; RSS %s -> %s MiB", name, f["app"], f["established"], f["rss0_mib"], f["rss1_mib"]
            if (f["heap0_kib"] != "nan" && f["heap1_kib"] != "nan" && f["established"] > 0)
                printf "; heap after full GC %.1f -> %.1f MiB (%.2f KiB per connection)", f["heap0_kib"] / 1024, f["heap1_kib"] / 1024,
                    (f["heap1_kib"] - f["heap0_kib"]) / f["established"]
            if (f["rss0_mib"] != "nan" && f["rss1_mib"] != "nan" && f["established"] > 0)
                printf "; RSS %.2f KiB per connection", (f["rss1_mib"] - f["rss0_mib"]) * 1024 / f["established"]
            printf "\n"
        }'
    done < "$TMP/idle"
fi
echo "elapsed: $(( $(date +%s) - START_EPOCH )) s (after the install step)"
if grep -q ' ok=0' "$TMP/results"; then exit 1; fi
