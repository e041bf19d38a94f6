# shellcheck shell=bash
#
# What `bench/http` and `bench/syscalls` share, sourced by both so that the
# two measure the very same setups: the temporary directory and the cleanup
# on exit, installing the tools, the fixtures, the scenarios (request, the
# answer expected, the load's shape), and starting and checking lactoserv,
# nginx and h2o for a scenario. Not a script of its own.
#
# The sourcing script sets `set -euo pipefail` first, and may set
# `server_prefix` (an array) to run each server under a wrapper (strace).

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server_cpu=0
load_cpu=1
# Put between `taskset` and the server's command line by `launch`.
server_prefix=()

say() { echo "bench/${0##*/}: $*" >&2; }

as_root() {
    if [[ ${EUID} -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        return 1
    fi
}

tmp="$(mktemp -d)"
# h2o drops to `nobody` when started as root, and must still read its files.
chmod 755 "${tmp}"
server_pids=()
load_pid=""
policy_created=0

# The pid and its descendants, one a line.
process_tree() {
    local pid="$1" task child children
    echo "${pid}"
    for task in /proc/"${pid}"/task/*; do
        # A space-separated list of pids, on one line.
        children=()
        read -r -a children 2>/dev/null <"${task}/children" || true
        for child in "${children[@]}"; do
            process_tree "${child}"
        done
    done
}

# The start time (field 22 of /proc/<pid>/stat) identifies a process beyond
# its pid, which the system may reuse.
start_time() {
    sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'
}

# Stops a server and the processes it started (h2o's key process), by
# SIGTERM, then SIGKILL after 5 s.
stop_pid() {
    local pid="$1" helpers=() p t
    for p in $(process_tree "${pid}" | tail -n +2); do
        t="$(start_time "${p}")"
        [[ -z "${t}" ]] || helpers+=("${p}:${t}")
    done
    kill -TERM "${pid}" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "${pid}" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "${pid}" 2>/dev/null || true
    wait "${pid}" 2>/dev/null || true
    for p in "${helpers[@]}"; do
        for _ in $(seq 20); do
            [[ "$(start_time "${p%%:*}")" == "${p#*:}" ]] || break
            sleep 0.1
        done
        if [[ "$(start_time "${p%%:*}")" == "${p#*:}" ]]; then
            kill -KILL "${p%%:*}" 2>/dev/null || true
        fi
    done
    # Reaped, the pid may be reused: forget it, so cleanup cannot hit another
    # process.
    local kept=()
    for p in "${server_pids[@]}"; do
        [[ ${p} == "${pid}" ]] || kept+=("${p}")
    done
    server_pids=("${kept[@]}")
}

cleanup() {
    local pid
    [[ -z "${load_pid}" ]] || kill -TERM "${load_pid}" 2>/dev/null || true
    for pid in "${server_pids[@]}"; do
        stop_pid "${pid}"
    done
    if [[ ${policy_created} -eq 1 ]]; then
        as_root rm -f /usr/sbin/policy-rc.d || true
    fi
    rm -rf "${tmp}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- Tools ------------------------------------------------------------------

install_packages() {
    if [[ ${policy_created} -eq 0 && ! -e /usr/sbin/policy-rc.d ]]; then
        # Installing nginx or h2o would otherwise start the system service on
        # port 80; a policy denying every start keeps the packages inert.
        printf '#!/bin/sh\nexit 101\n' >"${tmp}/policy-rc.d"
        as_root install -m 755 "${tmp}/policy-rc.d" /usr/sbin/policy-rc.d
        policy_created=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq "$@" >"${tmp}/apt.log" 2>&1
}

apt_updated=0

# `apt-get update`, at most once a run.
apt_update() {
    [[ ${apt_updated} -eq 0 ]] || return 0
    as_root apt-get update -qq >/dev/null || return 1
    apt_updated=1
}

packaged() {
    [[ -n "$(apt-cache show "$1" 2>/dev/null)" ]]
}

# Installs what is missing of the tools every script needs and of those
# given as `command:package` (the script's own load generator, strace), and
# h2o if it can; sets `have_h2o`.
ensure_tools() {
    local need=() pkg tool
    for tool in h2load:nghttp2-client nginx:nginx taskset:util-linux \
        openssl:openssl curl:curl "$@"; do
        command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
    done
    if [[ ${#need[@]} -gt 0 ]]; then
        say "installing ${need[*]}"
        apt_update || {
            say "cannot run apt-get update (root or sudo needed); install ${need[*]}"
            exit 1
        }
        for pkg in "${need[@]}"; do
            packaged "${pkg}" || {
                say "package ${pkg} is not known to apt; install it by hand"
                exit 1
            }
        done
        install_packages "${need[@]}" || {
            cat "${tmp}/apt.log" >&2
            say "cannot install ${need[*]}"
            exit 1
        }
    fi
    # h2o is a comparison, not a must: without it, its rows are left out.
    have_h2o=0
    if command -v h2o >/dev/null; then
        have_h2o=1
    elif ! apt_update; then
        say "cannot run apt-get update to install h2o; its rows are skipped"
    elif ! packaged h2o; then
        say "h2o is not packaged here; its rows are skipped"
    else
        say "installing h2o"
        if install_packages h2o; then
            have_h2o=1
        else
            say "cannot install h2o; its rows are skipped"
        fi
    fi
    if [[ ${policy_created} -eq 1 ]]; then
        as_root rm -f /usr/sbin/policy-rc.d
        policy_created=0
    fi
}

# Sets `servers` from BENCH_SERVERS (h2o only if installed), and
# `lactoserv_bin`: LACTOSERV_BIN, or the release binary built now, or empty
# when the build fails (lactoserv's rows then say so).
choose_servers() {
    local server
    servers=()
    for server in ${BENCH_SERVERS:-lactoserv nginx h2o}; do
        case "${server}" in
        lactoserv | lactoserv-metrics | nginx) servers+=("${server}") ;;
        h2o) [[ ${have_h2o} -eq 0 ]] || servers+=(h2o) ;;
        *) say "unknown server ${server}; skipped" ;;
        esac
    done
    lactoserv_bin=""
    if [[ " ${servers[*]} " != *" lactoserv "* && " ${servers[*]} " != *" lactoserv-metrics "* ]]; then
        :
    elif [[ -n "${LACTOSERV_BIN:-}" ]]; then
        lactoserv_bin="${LACTOSERV_BIN}"
    elif cargo build --release --quiet -p lactoserv \
        --manifest-path "${root}/Cargo.toml"; then
        lactoserv_bin="${root}/target/release/lactoserv"
    else
        say "cargo build failed; lactoserv rows are skipped"
    fi
    # The HTTP/3 load generator (bench/h3load), when a scenario needs it.
    h3load_bin=""
    if [[ " ${BENCH_SCENARIOS:-${all_scenarios}} " == *" h3-"* ]]; then
        if cargo build --release --quiet --manifest-path "${root}/bench/h3load/Cargo.toml"; then
            h3load_bin="${root}/bench/h3load/target/release/h3load"
        else
            say "cargo build of bench/h3load failed; h3 scenarios will fail"
        fi
    fi
}

# A loopback port nothing listens on. Another program could take it between
# now and the server's bind; the server then fails to start, and says so.
free_port() {
    if command -v python3 >/dev/null; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
    else
        local port
        while :; do
            port=$((20000 + RANDOM % 40000))
            if ! ss -Htan "sport = :${port}" | grep -q .; then
                echo "${port}"
                return
            fi
        done
    fi
}

# Sets `port1` (plain) and `port2` (TLS): two different free ports.
pick_ports() {
    port1="$(free_port)"
    port2="$(free_port)"
    while [[ ${port2} == "${port1}" ]]; do port2="$(free_port)"; done
}

# --- Fixtures ---------------------------------------------------------------

make_fixtures() {
    mkdir -p "${tmp}/site" "${tmp}/errors"
    printf 'hello\n' >"${tmp}/hello.txt"
    # 1024 bytes of text: 16 lines of 63 characters and a newline.
    local i
    for i in $(seq 16); do
        printf '%063d\n' "${i}"
    done >"${tmp}/site/1k.txt"
    head -c 1048576 /dev/urandom >"${tmp}/site/1m.bin"
    # The 404 page of h1-404page, outside the site as a site's error pages
    # often are: 1024 bytes of HTML, lines of digits filling its paragraph.
    local page lines=""
    for i in $(seq 16); do
        lines+="$(printf '%063d' "${i}")"$'\n'
    done
    page='<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>Not found</h1>
<p>
'"${lines}"
    # Cut to leave room for the closing tags (20 bytes).
    printf '%s\n</p></body></html>\n' "${page:0:1004}" >"${tmp}/errors/404.html"
    # page.html of h1-html and h1-html-br: 20 KiB of HTML, the GPL's
    # prose in paragraphs (text that compresses as pages do, not a
    # repeated line).
    {
        printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>License</title></head>\n<body>\n'
        sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/^$/<\/p>\n<p>/' \
            /usr/share/common-licenses/GPL-3
    } >"${tmp}/page.full"
    # Cut to leave room for the closing tags (20 bytes): 20 KiB in all.
    head -c 20460 "${tmp}/page.full" >"${tmp}/site/page.html"
    printf '\n</p></body></html>\n' >>"${tmp}/site/page.html"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -days 2 -subj /CN=localhost \
        -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
        -keyout "${tmp}/key.pem" -out "${tmp}/cert.pem" 2>/dev/null
}

# --- Scenarios --------------------------------------------------------------

all_scenarios="h1-fixed h2-fixed h1-file tls-file h2-file h2-file-8x8 h3-file h1-1m tls-1m h2-1m h1-404 h1-404page h1-routed h1-logged h1-html h1-html-br"

known_scenario() {
    [[ " ${all_scenarios} " == *" $1 "* ]]
}

# Whether the scenario's answer is a 404 (not a failure, for the load
# generator's counts).
expects_404() {
    [[ $1 == h1-404 || $1 == h1-404page ]]
}

# Sets `url` and `expected` (the file whose bytes the answer's body must be;
# empty when any body will do) for the scenario and the ports picked.
scenario_target() {
    case "$1" in
    h1-fixed) url="http://127.0.0.1:${port1}/hello" expected="${tmp}/hello.txt" ;;
    h2-fixed) url="https://127.0.0.1:${port2}/hello" expected="${tmp}/hello.txt" ;;
    h1-file) url="http://127.0.0.1:${port1}/1k.txt" expected="${tmp}/site/1k.txt" ;;
    tls-file) url="https://127.0.0.1:${port2}/1k.txt" expected="${tmp}/site/1k.txt" ;;
    h2-file | h2-file-8x8 | h3-file) url="https://127.0.0.1:${port2}/1k.txt" expected="${tmp}/site/1k.txt" ;;
    h1-1m) url="http://127.0.0.1:${port1}/1m.bin" expected="${tmp}/site/1m.bin" ;;
    tls-1m) url="https://127.0.0.1:${port2}/1m.bin" expected="${tmp}/site/1m.bin" ;;
    h2-1m) url="https://127.0.0.1:${port2}/1m.bin" expected="${tmp}/site/1m.bin" ;;
    h1-404) url="http://127.0.0.1:${port1}/missing.txt" expected="" ;;
    h1-404page) url="http://127.0.0.1:${port1}/missing.txt" expected="${tmp}/errors/404.html" ;;
    h1-routed | h1-logged) url="http://127.0.0.1:${port1}/hello" expected="${tmp}/hello.txt" ;;
    h1-html | h1-html-br) url="http://127.0.0.1:${port1}/page.html" expected="${tmp}/site/page.html" ;;
    esac
}

# Sets `connections`, and `streams` (concurrent streams on each HTTP/2
# connection; 1 for HTTP/1, which does not pipeline here).
load_shape() {
    case "$1" in
    # Few connections, each carrying several streams: a browser's shape,
    # where HTTP/2 multiplexing (and its per-connection batching) matters.
    h2-file-8x8) connections=8 streams=8 ;;
    # 64 connections here; the older scenarios keep their 50, so that their
    # figures stay comparable with earlier runs (h1-404's CPU figure and
    # this one's differ by that too, if only slightly).
    h1-404page) connections=64 streams=1 ;;
    h2-*) connections=50 streams=10 ;;
    # 100 connections: the shape the HTTP/3 goal names for peak RSS.
    h3-*) connections=100 streams=10 ;;
    *) connections=50 streams=1 ;;
    esac
}

# The request headers of the scenario's load (one `-H` value a line).
load_headers() {
    case "$1" in
    # As a browser asks: every server may pick its best coding.
    h1-html-br) echo "Accept-Encoding: br, gzip" ;;
    esac
}

# --- Servers ----------------------------------------------------------------
#
# Each start_<server> takes a scenario and two fresh ports (plain, TLS),
# writes its configuration, starts the server pinned to the server core, and
# sets `pid`. It returns 2, with the reason in `why`, when the server cannot
# run the scenario at all.

launch() {
    local log="$1"
    shift
    taskset -c "${server_cpu}" "${server_prefix[@]}" "$@" >"${log}" 2>&1 &
    pid=$!
    server_pids+=("${pid}")
}

start_nginx() {
    local scenario="$1" port1="$2" port2="$3"
    local dir="${tmp}/nginx-${scenario}"
    if [[ ${scenario} == h3-* ]]; then
        why="no HTTP/3 in Debian's nginx (1.22)"
        return 2
    fi
    local error_page="" gzip=""
    mkdir -p "${dir}"
    if [[ ${scenario} == h1-html-br ]]; then
        # nginx has no Brotli of its own: gzip at its usual level.
        gzip="gzip on; gzip_comp_level 6;"
    fi
    if [[ ${scenario} == h1-404page ]]; then
        # The page is reachable only as the 404 answer, as sites set it up.
        error_page="error_page 404 /404.html;
        location = /404.html { root ${tmp}/errors; internal; }"
    fi
    cat >"${dir}/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 1024; }
http {
    $( [[ ${scenario} == h1-logged ]] && echo "access_log ${dir}/access.log combined buffer=64k flush=250ms;" || echo "access_log off;" )
    default_type application/octet-stream;
    types { text/plain txt; text/html html; }
    client_body_temp_path ${dir}/body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    keepalive_requests 1000000;
    ${gzip}
    server {
        listen 127.0.0.1:${port1};
        listen 127.0.0.1:${port2} ssl http2;
        ssl_certificate ${tmp}/cert.pem;
        ssl_certificate_key ${tmp}/key.pem;
        root ${tmp}/site;
        location = /hello {
            default_type text/plain;
            return 200 "hello\n";
        }
        ${error_page}
    }
}
EOF
    launch "${dir}/out.log" nginx -p "${dir}" -c "${dir}/nginx.conf" \
        -e "${dir}/error.log"
}

start_h2o() {
    local scenario="$1" port1="$2" port2="$3"
    local dir="${tmp}/h2o-${scenario}"
    if [[ ${scenario} == h3-* ]]; then
        why="no HTTP/3 in Debian's h2o (2.2)"
        return 2
    fi
    local page_path="" error_doc="" compress=""
    mkdir -p "${dir}"
    if [[ ${scenario} == h1-html-br ]]; then
        # Brotli where h2o was built with it, else gzip; on every request.
        compress="compress: ON"
    fi
    if [[ ${scenario} == h1-404page ]]; then
        # h2o fetches the page by an internal request for its URL; h2o has no
        # internal-only paths, so /404.html can also be asked for directly.
        page_path="      /404.html:
        file.file: ${tmp}/errors/404.html"
        error_doc="    error-doc:
      - status: 404
        url: /404.html"
    fi
    # h2o has no fixed-response directive outside mruby; `/hello` is served
    # from a file holding `hello\n`, which costs h2o an open file lookup
    # (cached) and so slightly overstates its CPU per request.
    cat >"${dir}/h2o.conf" <<EOF
num-threads: 1
${compress}
listen:
  host: 127.0.0.1
  port: ${port1}
listen:
  host: 127.0.0.1
  port: ${port2}
  ssl:
    certificate-file: ${tmp}/cert.pem
    key-file: ${tmp}/key.pem
hosts:
  default:
    paths:
      /hello:
        file.file: ${tmp}/hello.txt
${page_path}
      /:
        file.dir: ${tmp}/site
${error_doc}
EOF
    launch "${dir}/out.log" h2o -c "${dir}/h2o.conf"
}

# lactoserv with a Metrics application on an endpoint of its own, so that
# its endpoints count every request (for the cost of counting).
start_lactoserv-metrics() {
    with_metrics=1 start_lactoserv "$@"
}

start_lactoserv() {
    local scenario="$1" port1="$2" port2="$3"
    local name="lactoserv${with_metrics:+-metrics}"
    local dir="${tmp}/${name}-${scenario}"
    local app metrics_app="" metrics_endpoint=""
    if [[ -z "${lactoserv_bin}" ]]; then
        why="build failed"
        return 2
    fi
    mkdir -p "${dir}"
    local services="" access="" http3=""
    [[ ${scenario} != h3-* ]] || http3=", http3: true"
    if [[ ${scenario} == h1-logged ]]; then
        services="{ name: 'access', class: AccessLogToFile, path: '${dir}/access.txt', bufferPeriod: '250 msec' }"
        access=", services: { accessLog: 'access' }"
    fi
    if [[ ${scenario} == h1-routed ]]; then
        app="{ name: 'site', class: HostRouter, hosts: { '*': 'paths', 'example.com': 'paths' } },
    { name: 'paths', class: PathRouter, paths: { '/*': 'hello', '/x/*': 'hello', '/y': null } },
    { name: 'hello', class: SimpleResponse, contentType: 'text/plain', body: 'hello\\n' }"
    elif [[ ${scenario} == h1-404page ]]; then
        app="{ name: 'site', class: StaticFiles, siteDirectory: '${tmp}/site', notFoundPath: '${tmp}/errors/404.html' }"
    elif [[ ${scenario} == h1-html* ]]; then
        app="{ name: 'site', class: StaticFiles, siteDirectory: '${tmp}/site', compress: true }"
    elif [[ ${scenario} != *-fixed && ${scenario} != h1-logged ]]; then
        app="{ name: 'site', class: StaticFiles, siteDirectory: '${tmp}/site' }"
    else
        app="{ name: 'site', class: SimpleResponse, contentType: 'text/plain', body: 'hello\\n' }"
    fi
    if [[ -n ${with_metrics:-} ]]; then
        local port3
        port3="$(free_port)"
        while [[ ${port3} == "${port1}" || ${port3} == "${port2}" ]]; do port3="$(free_port)"; done
        metrics_app=",
    { name: 'metrics', class: Metrics }"
        metrics_endpoint=",
    { name: 'admin', protocol: 'http', interface: '127.0.0.1:${port3}', application: 'metrics' }"
    fi
    cat >"${dir}/config.mjs" <<EOF
import { AccessLogToFile, HostRouter, Metrics, PathRouter, SimpleResponse, StaticFiles } from '@lactoserv/webapp-builtins';

export default {
  hosts: [{ hostnames: ['*', 'localhost'], selfSigned: true }],
  services: [${services}],
  applications: [${app}${metrics_app}],
  endpoints: [
    { name: 'plain', protocol: 'http', interface: '127.0.0.1:${port1}', application: 'site'${access} },
    { name: 'tls', protocol: 'http2', interface: '127.0.0.1:${port2}', application: 'site'${http3} }${metrics_endpoint}
  ]
};
EOF
    if ! "${lactoserv_bin}" --config="${dir}/config.mjs" --dry-run \
        >"${dir}/check.log" 2>&1; then
        why="config check fails: $(sed -n 2p "${dir}/check.log")"
        return 2
    fi
    launch "${dir}/out.log" "${lactoserv_bin}" --config="${dir}/config.mjs"
}

# Waits (at most `ready_wait` tenths of a second, 100 unless set) until the
# server answers on the plain port. Returns 2, with `why`, when the server
# exited or never answered.
wait_ready() {
    local port="$1" log="$2" tenths="${ready_wait:-100}"
    for _ in $(seq "${tenths}"); do
        if ! kill -0 "${pid}" 2>/dev/null; then
            # The line that says why, rather than the exit report after it.
            if detail="$(grep -i -m 1 'cannot serve' "${log}")"; then
                why="does not serve yet"
            else
                detail="$(grep -v -e '^\s*$' -e '^Exiting with code' \
                    -e '^{ name:' "${log}" | tail -n 1)"
                why="exited at start: ${detail}"
            fi
            return 2
        fi
        if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:${port}/"; then
            return 0
        fi
        sleep 0.1
    done
    why="no answer on port ${port} within $((tenths / 10)) s"
    return 2
}

# Checks that `url` gives `expected_file`'s bytes (over HTTP/2 for h2-*),
# with a 404 status for the 404 scenarios (any body when `expected_file` is
# empty).
check_response() {
    local scenario="$1" url="$2" expected_file="$3" version status
    if expects_404 "${scenario}"; then
        status="$(curl -s --max-time 5 -o "${tmp}/body" -w '%{http_code}' "${url}")"
        [[ ${status} == 404 ]] || {
            why="expected a 404, got ${status}"
            return 2
        }
        [[ -n ${expected_file} ]] || return 0
    elif [[ ${scenario} == h3-* ]]; then
        # curl here has no HTTP/3: the load generator fetches it once.
        "${h3load_bin}" -n 1 -o "${tmp}/body" "${url}" >"${tmp}/check.log" 2>&1 &&
            grep -q '^status codes: 1 2xx' "${tmp}/check.log" || {
            why="no HTTP/3 response: $(tail -n 2 "${tmp}/check.log" | tr '\n' ' ')"
            return 2
        }
    elif [[ ${scenario} == h2-* ]]; then
        version="$(curl -sk --http2 --max-time 5 -o "${tmp}/body" \
            -w '%{http_version}' "${url}")" || version=none
        [[ ${version} == 2 ]] || {
            why="no HTTP/2 response (got ${version})"
            return 2
        }
    elif [[ ${scenario} == h1-html-br ]]; then
        # Decoded by curl; the coded size and coding go in the note.
        coded="$(curl -s --http1.1 --max-time 5 -o /dev/null \
            -H 'Accept-Encoding: br, gzip' \
            -w '%{size_download}-B-%header{content-encoding}' "${url}")" || coded=""
        curl -s --http1.1 --compressed --max-time 5 -o "${tmp}/body" \
            -H 'Accept-Encoding: br, gzip' "${url}" || {
            why="request failed"
            return 2
        }
    else
        curl -sk --http1.1 --max-time 5 -o "${tmp}/body" "${url}" || {
            why="request failed"
            return 2
        }
    fi
    cmp -s "${tmp}/body" "${expected_file}" || {
        why="wrong response body"
        return 2
    }
}
