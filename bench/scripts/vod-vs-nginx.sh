#!/usr/bin/env bash
# Server CPU per delivered Gbit: Millrace vs nginx-rtmp, same file, same players, same machine.
#
# Run from the repository root after `mvn -q -o install -DskipTests` (it needs bench/target/benchmarks.jar):
#
#   bash bench/scripts/vod-vs-nginx.sh                    # 100 players, format auto (mp4 if Millrace plays it)
#   bash bench/scripts/vod-vs-nginx.sh --format flv       # both servers play test.flv (same streams, remuxed)
#   bash bench/scripts/vod-vs-nginx.sh --help
#
# What it does:
#   1. installs Debian's nginx-light and libnginx-mod-rtmp if nginx or the RTMP module is missing (apt-get;
#      the only step that uses the network, and it is outside the time bound);
#   2. makes one test file with ffmpeg: 30 s, 1280x720 25 fps H.264 (x264 veryfast, 2 Mbit/s, GOP 50,
#      B-frames) + AAC-LC 48 kHz stereo 128 kbit/s, -movflags +faststart, and the same streams remuxed to FLV;
#   3. for each server in turn (Millrace first, then nginx; only one runs at a time):
#        Millrace: java -cp bench/target/benchmarks.jar io.millrace.server.Main (a separate JVM, default JVM
#                  options, rtmp.bind 127.0.0.1), CPU = utime+stime of the JVM from /proc/PID/stat;
#        nginx:    nginx -p TMP -c TMP/nginx.conf, daemon off, master_process on, worker_processes 1,
#                  rtmp { server { listen 127.0.0.1:PORT; application vod { play TMP/media; } } },
#                  CPU = utime+stime of the master plus the worker;
#      runs io.millrace.bench.VodLoad in fixed-window mode with N players (default 100) playing the file over
#      and over (a new connection per play) in two modes:
#        burst: SetBufferLength 36,000,000 ms (as rtmpdump): both servers send as fast as the socket allows
#               (nginx-rtmp sends up to buflen + 1 s ahead of real time, Millrace buflen + 1 s too);
#               10 s lead-in (JIT warm-up, not measured), then a 20 s window;
#        paced: SetBufferLength 1000 ms: both servers stream in real time, 2 s ahead; 5 s lead-in (skips the
#               start-up burst), then a 20 s window;
#      and reads payload bytes delivered and server CPU over the window (every 5 s, for the spread);
#   4. prints a table: delivered Gbit, server CPU s, CPU s per delivered Gbit, play -> first media, failures.
#
# CPU per delivered Gbit over a fixed window, not per completed play: a server that paces (or is just
# slower) delivers less in the same time, and its cost is compared per bit actually delivered.
# The whole run is bounded (--max-seconds, default 290) and both servers are stopped and the temp dir
# removed on exit, whatever the exit path.
set -euo pipefail

PLAYERS=100
FORMAT=auto
MODES="burst paced"
BURST_LEAD=10
PACED_LEAD=5
WINDOW=20
SLICE=5
MAX_SECONDS=290
JAR=bench/target/benchmarks.jar

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
    cat <<EOF
Options:
  --players N        players per server and mode (default $PLAYERS)
  --format F         mp4, flv, or auto (default: mp4 when Millrace plays mp4:test.mp4, else flv)
  --modes "M ..."    burst and/or paced (default "$MODES")
  --window S         measured window in seconds (default $WINDOW), read every --slice S seconds (default $SLICE)
  --burst-lead S     unmeasured lead-in before the burst window (default $BURST_LEAD)
  --paced-lead S     ... before the paced window (default $PACED_LEAD)
  --max-seconds S    bound on the whole run after the install step (default $MAX_SECONDS)
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --players) PLAYERS="$2"; shift 2 ;;
        --format) FORMAT="$2"; shift 2 ;;
        --modes) MODES="$2"; shift 2 ;;
        --window) WINDOW="$2"; shift 2 ;;
        --slice) SLICE="$2"; shift 2 ;;
        --burst-lead) BURST_LEAD="$2"; shift 2 ;;
        --paced-lead) PACED_LEAD="$2"; shift 2 ;;
        --max-seconds) MAX_SECONDS="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "vod-vs-nginx: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$FORMAT" in mp4|flv|auto) ;; *) echo "vod-vs-nginx: --format must be mp4, flv or auto" >&2; exit 2 ;; esac

if [ ! -f "$JAR" ] || [ ! -f bench/pom.xml ]; then
    echo "vod-vs-nginx: run from the repository root after 'mvn -q -o install -DskipTests' ($JAR is missing)" >&2
    exit 2
fi

log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*"; }

# ------------------------------------------------------------------------------------------------
# 1. nginx with the RTMP module (outside the time bound: apt may be slow)

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

if ! command -v nginx >/dev/null 2>&1 || ! find_rtmp_module >/dev/null; then
    log "installing nginx-light and libnginx-mod-rtmp (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q nginx-light libnginx-mod-rtmp >/dev/null; then
        apt-get update -q >/dev/null
        apt-get install -y -q nginx-light libnginx-mod-rtmp >/dev/null
    fi
fi
RTMP_SO=$(find_rtmp_module) || { echo "vod-vs-nginx: ngx_rtmp_module.so not found after install" >&2; exit 1; }
command -v ffmpeg >/dev/null 2>&1 || {
    log "installing ffmpeg (apt-get)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q ffmpeg >/dev/null
}

# ------------------------------------------------------------------------------------------------
# Clean-up and the time bound

TMP=$(mktemp -d /tmp/millrace-vs-nginx.XXXXXX)
MILLRACE_PID=""
NGINX_PID=""
LOAD_PID=""
WATCHDOG_PID=""

stop_pid() { # pid, seconds to wait after SIGTERM before SIGKILL
    local pid="$1" wait="${2:-10}" i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < wait * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local code=$?
    trap - EXIT INT TERM
    stop_pid "$LOAD_PID" 5
    stop_pid "$MILLRACE_PID" 10
    stop_pid "$NGINX_PID" 10
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

# ------------------------------------------------------------------------------------------------
# 2. The test file

mkdir -p "$TMP/media" "$TMP/data" "$TMP/nginx" "$TMP/logs"
log "ffmpeg: 30 s 1280x720 H.264 2 Mbit/s + AAC 128 kbit/s -> test.mp4 (+faststart), test.flv (remux)"
timeout 120 ffmpeg -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=1280x720:rate=25" -f lavfi -i "sine=frequency=440:sample_rate=48000" -t 30 \
    -c:v libx264 -preset veryfast -b:v 2M -maxrate 2M -bufsize 4M -g 50 -pix_fmt yuv420p \
    -c:a aac -b:a 128k -ac 2 -movflags +faststart "$TMP/media/test.mp4"
timeout 60 ffmpeg -hide_banner -loglevel error -y -i "$TMP/media/test.mp4" -c copy -f flv "$TMP/media/test.flv"
chmod 755 "$TMP" && chmod -R a+rX "$TMP/media" # nginx workers run as nobody
FILE_INFO=$(ffprobe -v error -show_entries format=duration,bit_rate,size -of default=nw=1 "$TMP/media/test.mp4" | tr '\n' ' ')

# ------------------------------------------------------------------------------------------------
# 3. The servers

start_millrace() {
    local port http
    port=$(free_port 19350)
    http=$(free_port $((port + 1)))
    # Every load client connects from 127.0.0.1: the connection limits and the idle timeout are off
    # (the server's own tests exercise them).
    printf 'rtmp:\n  bind: 127.0.0.1\n  maxConnections: 0\n  maxConnectionsPerIp: 0\n  maxConnectionRatePerIp: 0\n  idleTimeoutMillis: 0\nhttp:\n  bind: 127.0.0.1\n' > "$TMP/millrace.yaml"
    java -Dmillrace.log.level=WARN -cp "$JAR" io.millrace.server.Main --rtmp-port "$port" --http-port "$http" \
        --media "$TMP/media" --data "$TMP/data" --config "$TMP/millrace.yaml" > "$TMP/logs/millrace.log" 2>&1 &
    MILLRACE_PID=$!
    if ! wait_port "$port" "$MILLRACE_PID" 30; then
        echo "vod-vs-nginx: Millrace did not start:" >&2; tail -20 "$TMP/logs/millrace.log" >&2; exit 1
    fi
    SERVER_PORT=$port
    SERVER_PIDS=$MILLRACE_PID
}

start_nginx() {
    local port i workers=""
    port=$(free_port 19360)
    cat > "$TMP/nginx/nginx.conf" <<EOF
load_module $RTMP_SO;
daemon off;
master_process on;
worker_processes 1;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
rtmp {
    server {
        listen 127.0.0.1:$port;
        chunk_size 4096;
        application vod {
            play $TMP/media;
        }
    }
}
EOF
    nginx -p "$TMP/nginx" -e "$TMP/nginx/error.log" -c "$TMP/nginx/nginx.conf" > "$TMP/logs/nginx.out" 2>&1 &
    NGINX_PID=$!
    if ! wait_port "$port" "$NGINX_PID" 15; then
        echo "vod-vs-nginx: nginx did not start:" >&2; cat "$TMP/logs/nginx.out" "$TMP/nginx/error.log" >&2; exit 1
    fi
    for ((i = 0; i < 50; i++)); do
        workers=$(pgrep -P "$NGINX_PID" | tr '\n' ',' | sed 's/,$//') || true
        [ -n "$workers" ] && break
        sleep 0.1
    done
    [ -n "$workers" ] || { echo "vod-vs-nginx: no nginx worker process" >&2; exit 1; }
    SERVER_PORT=$port
    SERVER_PIDS="$NGINX_PID,$workers"
}

# run_load NAME MODE STREAM -> appends "NAME MODE RESULT..." to $TMP/results
run_load() {
    local name="$1" mode="$2" stream="$3" buffer lead out
    case "$mode" in
        burst) buffer=36000000; lead=$BURST_LEAD ;;
        paced) buffer=1000; lead=$PACED_LEAD ;;
        *) echo "vod-vs-nginx: unknown mode $mode" >&2; exit 2 ;;
    esac
    out="$TMP/logs/$name-$mode.txt"
    log "$name, $mode: $PLAYERS players play $stream, SetBufferLength $buffer ms, lead-in $lead s, window $WINDOW s (server pids $SERVER_PIDS)"
    java -cp "$JAR" io.millrace.bench.VodLoad --host 127.0.0.1 --port "$SERVER_PORT" --server-pid "$SERVER_PIDS" \
        --players "$PLAYERS" --stream "$stream" --buffer-ms "$buffer" \
        --window-seconds "$WINDOW" --lead-in-seconds "$lead" --slice-seconds "$SLICE" \
        --timeout-seconds $((lead + WINDOW + 40)) > "$out" 2>&1 &
    LOAD_PID=$!
    wait "$LOAD_PID" || true
    LOAD_PID=""
    sed -n '/== window summary/,$p' "$out" | grep -v '^RESULT' | sed 's/^/    /'
    local result
    result=$(grep '^RESULT ' "$out" | tail -1 || true)
    if [ -z "$result" ]; then
        echo "    (no result; last lines of the load runner:)"; tail -15 "$out" | sed 's/^/    /'
        result="RESULT ok=0"
    fi
    echo "$name $mode ${result#RESULT }" >> "$TMP/results"
}

# The first play of STREAM against the running server: does it deliver media? (for --format auto)
plays_stream() {
    local out="$TMP/logs/probe.txt"
    java -cp "$JAR" io.millrace.bench.VodLoad --host 127.0.0.1 --port "$SERVER_PORT" --players 1 --stream "$1" \
        --window-seconds 1 --lead-in-seconds 0 --slice-seconds 1 --timeout-seconds 30 > "$out" 2>&1 || true
    grep -q '^RESULT ok=1 ' "$out" && ! grep -q '^RESULT .* gbit=0.0000 ' "$out"
}

# ------------------------------------------------------------------------------------------------
# 4. Run

echo "== Millrace vs nginx-rtmp: server CPU per delivered Gbit =="
echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine:  $(nproc) cores ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
echo "java:     $(java -version 2>&1 | head -1)"
echo "nginx:    $(nginx -v 2>&1 | sed 's/^nginx version: //'), RTMP module $(dpkg-query -W -f='${Package} ${Version}' libnginx-mod-rtmp 2>/dev/null || echo '(not from a Debian package)'), $RTMP_SO, worker_processes 1"
echo "file:     $FILE_INFO"
echo "players:  $PLAYERS; modes: $MODES; window $WINDOW s (slices of $SLICE s); lead-in burst $BURST_LEAD s, paced $PACED_LEAD s"
echo

: > "$TMP/results"
start_millrace
if [ "$FORMAT" = auto ]; then
    if plays_stream mp4:test.mp4; then FORMAT=mp4; else
        FORMAT=flv
        log "Millrace does not play mp4:test.mp4 yet ($(grep -o 'failed x.*' "$TMP/logs/probe.txt" | head -1)): using test.flv for both servers"
    fi
fi
if [ "$FORMAT" = mp4 ]; then STREAM=mp4:test.mp4; else STREAM=test; fi
log "format $FORMAT: stream $STREAM"
for mode in $MODES; do run_load millrace "$mode" "$STREAM"; done
stop_pid "$MILLRACE_PID" 10; MILLRACE_PID=""

start_nginx
for mode in $MODES; do run_load nginx "$mode" "$STREAM"; done
stop_pid "$NGINX_PID" 10; NGINX_PID=""
# nginx-rtmp logs "flv: could not read flv tag header" (or the mp4 equivalent) at every end of file: count
# those apart from anything else it logged.
if [ -s "$TMP/nginx/error.log" ]; then
    eof=$(grep -c 'could not read flv tag header' "$TMP/nginx/error.log" || true)
    other=$(grep -v '\[notice\]' "$TMP/nginx/error.log" | grep -vc 'could not read flv tag header' || true)
    echo "nginx error.log: $eof 'could not read flv tag header' lines (end of file), $other other warnings or errors"
    if [ "$other" -gt 0 ]; then
        grep -v '\[notice\]' "$TMP/nginx/error.log" | grep -v 'could not read flv tag header' | tail -5 | sed 's/^/    /'
    fi
fi

# ------------------------------------------------------------------------------------------------
# 5. The table

field() { # line key
    echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

echo
echo "== summary: $STREAM, $PLAYERS players, ${WINDOW} s window per server and mode; CPU = utime+stime of the server's processes =="
printf '%-9s %-6s %9s %16s %9s %8s %22s %9s %22s %14s %7s\n' server mode "Gbit" "Mbit/s (sd)" "CPU s" "% core" "CPU s/Gbit (sd)" plays "first media p50/p95 ms" "later p50/p95" failed
while read -r name mode rest; do
    line="$rest"
    printf '%-9s %-6s %9s %16s %9s %8s %22s %9s %22s %14s %7s\n' "$name" "$mode" \
        "$(field "$line" gbit)" "$(field "$line" mbit_s) ($(field "$line" mbit_s_sd))" "$(field "$line" cpu_s)" \
        "$(field "$line" cpu_pct)" "$(field "$line" cpu_s_per_gbit) ($(field "$line" cpu_s_per_gbit_sd))" \
        "$(field "$line" plays_started)" "$(field "$line" first_media_p50_ms)/$(field "$line" first_media_p95_ms)" \
        "$(field "$line" later_first_media_p50_ms)/$(field "$line" later_first_media_p95_ms)" "$(field "$line" plays_failed)"
done < "$TMP/results"
echo
for mode in $MODES; do
    m=$(awk -v m="$mode" '$1 == "millrace" && $2 == m' "$TMP/results")
    n=$(awk -v m="$mode" '$1 == "nginx" && $2 == m' "$TMP/results")
    mc=$(field "$m" cpu_s_per_gbit); nc=$(field "$n" cpu_s_per_gbit)
    if [ -n "$mc" ] && [ -n "$nc" ]; then
        awk -v m="$mc" -v n="$nc" -v mode="$mode" 'BEGIN {
            if (n > 0) printf "%s: Millrace uses %.2fx the CPU per delivered Gbit of nginx-rtmp (%s vs %s CPU s/Gbit): %s\n",
                mode, m / n, m, n, (m <= n ? "target met (not above nginx-rtmp)" : sprintf("target missed by %.0f%%", 100 * (m / n - 1)))
        }'
    fi
done
echo "elapsed: $(( $(date +%s) - START_EPOCH )) s (after the install step)"
if grep -q ' ok=0' "$TMP/results"; then exit 1; fi
