#!/usr/bin/env bash
# The production topology on one machine (issue 13): nginx terminating TLS
# in front of two `tabletapi serve` instances that share one PostgreSQL
# database, driven by `tabletsim --chaos --verify` through https://.
#
#   deploy/topology.sh          the CI test (about a minute): a rolling
#                               restart of both instances and a cut of one
#                               instance's database link mid-run
#   deploy/topology.sh bench    the same load against one instance direct,
#                               one behind nginx and two behind nginx; prints
#                               requests/s and p95 per operation
#
# Needs PostgreSQL (TABLETAPI_TEST_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable, a user that
# may create databases), Go, openssl, curl, and nginx and jq (installed with
# apt-get when missing). Runs from anywhere in the repository; everything
# it starts runs from a temporary directory and is stopped on exit. Nothing
# needs systemd or a privileged port.
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-test}"
case "$mode" in test | bench) ;; *)
  echo "usage: deploy/topology.sh [test|bench]" >&2
  exit 2
  ;;
esac

export PATH="$PATH:/usr/local/go/bin:$(go env GOPATH 2>/dev/null || echo "$HOME/go")/bin:/usr/sbin"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
PG_URL="${TABLETAPI_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}"
export PGOPTIONS='-c client_min_messages=warning' # no NOTICE from DROP DATABASE IF EXISTS

say() { echo "topology: $*"; }
fail() {
  echo "topology: FAIL: $*" >&2
  exit 1
}

for tool in nginx jq; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    say "installing $tool"
    apt-get install -y -q "$tool" >/dev/null 2>&1 ||
      { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "$tool" >/dev/null 2>&1; } ||
      fail "could not install $tool"
  fi
done
psql "$PG_URL" -qAtc 'SELECT 1' >/dev/null 2>&1 || fail "PostgreSQL does not answer at $PG_URL"

work=$(mktemp -d /tmp/tabletapi-topology.XXXXXX)
chmod 755 "$work" # nginx workers (user nobody) write their temp files under it
db="tabletapi_topo_$$"
declare -A pid=() # name -> process id of what this script started

cleanup() {
  local rc=$?
  for name in "${!pid[@]}"; do
    kill "${pid[$name]}" 2>/dev/null || true
  done
  for name in "${!pid[@]}"; do
    wait "${pid[$name]}" 2>/dev/null || true
  done
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  if [ "$rc" -ne 0 ] && [ -z "${TOPOLOGY_KEEP:-}" ]; then
    for f in "$work"/*.log "$work"/nginx/*.log; do
      [ -s "$f" ] || continue
      echo "--- last lines of ${f#"$work"/}" >&2
      tail -n 15 "$f" >&2
    done
  fi
  if [ -n "${TOPOLOGY_KEEP:-}" ]; then
    say "kept $work"
  else
    rm -rf "$work"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port prints a loopback TCP port nothing listens on.
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 20000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  fail "no free port"
}

# with_db URL NAME: URL with its database replaced by NAME.
with_db() { echo "$1" | sed -E "s#/[^/?]*(\?|$)#/$2\1#"; }

say "building into $work"
go build -o "$work/tabletapi" ./cmd/tabletapi
go build -o "$work/tabletsim" ./testclient/cmd/tabletsim
go build -o "$work/tcpgate" ./deploy/tcpgate

# A throwaway CA and a server certificate for 127.0.0.1 and localhost.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -subj '/CN=tabletapi topology test CA' -keyout "$work/ca.key" -out "$work/ca.pem" \
  -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj '/CN=localhost' \
  -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >"$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" -CAcreateserial \
  -days 1 -extfile "$work/server.ext" -out "$work/server.pem" 2>/dev/null

# fresh_db creates the database with the group, user and ID type the
# simulator needs, and sets DB_URL.
fresh_db() {
  psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  DB_URL=$(with_db "$PG_URL" "$db")
  "$work/tabletapi" group add topo --upload-policy 'sex AND anyidnum' --finalize-policy 'sex AND anyidnum' \
    --database "$DB_URL" >/dev/null 2>>"$work/admin.log"
  echo 'topo-password' | "$work/tabletapi" user add alice --group topo --may-upload --may-register-devices \
    --bcrypt-cost 4 --database "$DB_URL" >/dev/null 2>>"$work/admin.log"
  "$work/tabletapi" idnum add 1 --description 'NHS number' --short-description NHS --validation uk_nhs_number \
    --database "$DB_URL" >/dev/null 2>>"$work/admin.log"
}

declare -A port=() url=() # instance name -> listen port, database URL

# start NAME: starts instance NAME, logging JSON to NAME.log, and waits
# until it is ready.
start() {
  local n=$1
  "$work/tabletapi" serve --listen "127.0.0.1:${port[$n]}" --database "${url[$n]}" \
    --trusted-proxies 127.0.0.1/32 --bcrypt-cost 4 --log-format json 2>>"$work/$n.log" &
  pid[$n]=$!
  wait_ready "$n" || fail "instance $n not ready within 10 s"
}

# wait_ready NAME: waits up to 10 s for NAME's /readyz to answer 200.
wait_ready() {
  for _ in $(seq 1 100); do
    curl -fs -o /dev/null "http://127.0.0.1:${port[$1]}/readyz" && return 0
    sleep 0.1
  done
  return 1
}

# stop NAME: SIGTERM, then waits for the graceful drain to end.
stop() {
  local n=$1 rc=0
  kill -TERM "${pid[$n]}"
  wait "${pid[$n]}" || rc=$?
  unset "pid[$n]"
  [ "$rc" -eq 0 ] || fail "instance $n exited $rc after SIGTERM"
}

# restart NAME: a rolling restart of one instance.
restart() {
  local t0=$SECONDS
  stop "$1"
  start "$1"
  say "rolling restart of $1: stopped and ready again in $((SECONDS - t0)) s"
}

# start_nginx NAME...: nginx on TLS in front of the instances named.
start_nginx() {
  local servers="" n
  for n in "$@"; do
    servers+="    server 127.0.0.1:${port[$n]} max_fails=2 fail_timeout=3s;"$'\n'
  done
  mkdir -p "$work/nginx/tmp"
  nginx_port=$(free_port)
  cat >"$work/nginx/nginx.conf" <<EOF
# Generated by deploy/topology.sh; README "Running several instances".
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log error; # not the warning of each body buffered to disk
events { worker_connections 512; }
http {
  log_format topo '\$remote_addr "\$request" \$status \$request_time '
                  'upstream=\$upstream_addr ustatus=\$upstream_status rid=\$request_id';
  access_log $work/nginx/access.log topo;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;

  upstream tabletapi {
    # Round-robin. Passive health: a failure as defined by
    # proxy_next_upstream (a refused connection, a 502 or a 503 such as
    # "Database unavailable") takes the instance out for fail_timeout.
$servers  }

  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate     $work/server.pem;
    ssl_certificate_key $work/server.key;
    client_max_body_size 64m;

    location / {
      proxy_pass http://tabletapi;
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Request-ID \$request_id;
      proxy_read_timeout 300s;
      # A tablet POST that failed on one instance goes to the other once.
      # non_idempotent: re-sending a POST is what the tablet does anyway
      # (PROTOCOL 8.8, retries are idempotent), and it spares the tablet a
      # 503 from an instance that lost its database.
      proxy_next_upstream error timeout http_502 http_503 non_idempotent;
      proxy_next_upstream_tries 2;
    }
  }
}
EOF
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
  pid[nginx]=$!
  for _ in $(seq 1 50); do
    curl -fs --cacert "$work/ca.pem" -o /dev/null "https://127.0.0.1:$nginx_port/healthz" && return 0
    sleep 0.1
  done
  fail "nginx did not answer on https://127.0.0.1:$nginx_port"
}

stop_all() {
  for name in "${!pid[@]}"; do kill "${pid[$name]}" 2>/dev/null || true; done
  for name in "${!pid[@]}"; do wait "${pid[$name]}" 2>/dev/null || true; done
  pid=()
}

# uploads LOG: upload requests an instance answered 200 (its request log
# lines), whatever else the line carries.
upload_ops='"operation":"(start_upload|upload_table|upload_record|upload_empty_tables|delete_where_key_not|which_keys_to_send|start_preservation|end_upload|upload_entire_database)"'
uploads() { grep '"msg":"request"' "$1" | grep -E "$upload_ops" | grep -c '"status":200' || true; }

# login_params: a password login (get_allowed_tables) as curl arguments.
login_params=(--data-urlencode operation=get_allowed_tables --data-urlencode camcops_version=2.4.24
  --data-urlencode 'device={6b1c0f6e-2d55-4f0e-9a51-1f3c2b7d9e10}' --data-urlencode user=alice
  --data-urlencode password=topo-password)

sim_flags=(--user alice --password topo-password --progress none)

if [ "$mode" = bench ]; then
  # The same load three ways; no chaos, so the figures are comparable.
  load=(--tablets "${BENCH_TABLETS:-8}" --records "${BENCH_RECORDS:-30}" --duration "${BENCH_DURATION:-30s}" --seed 1)
  say "load: ${load[*]} (bcrypt cost 4)"
  for setup in direct-1 nginx-1 nginx-2; do
    fresh_db
    port[a]=$(free_port) url[a]=$DB_URL
    port[b]=$(free_port) url[b]=$DB_URL
    start a
    case $setup in
    direct-1) target="http://127.0.0.1:${port[a]}/api" ;;
    nginx-1) start_nginx a && target="https://127.0.0.1:$nginx_port/api" ;;
    nginx-2) start b && start_nginx a b && target="https://127.0.0.1:$nginx_port/api" ;;
    esac
    "$work/tabletsim" --url "$target" --ca-file "$work/ca.pem" "${sim_flags[@]}" "${load[@]}" \
      --json "$work/$setup.json" >"$work/$setup.txt" || fail "$setup: tabletsim failed: $(tail -n 5 "$work/$setup.txt")"
    stop_all
  done
  echo
  echo "| operation | $(printf '%s p95 ms | ' direct-1 nginx-1 nginx-2)"
  echo "|---|---|---|---|"
  for op in $(jq -r '.latency_ms[].operation' "$work/nginx-2.json"); do
    row="| $op |"
    for setup in direct-1 nginx-1 nginx-2; do
      row+=" $(jq -r --arg op "$op" '.latency_ms[] | select(.operation == $op) | .p95 * 10 | round / 10' "$work/$setup.json") |"
    done
    echo "$row"
  done
  row="| requests/s |"
  for setup in direct-1 nginx-1 nginx-2; do row+=" $(jq -r '.requests_per_second | floor' "$work/$setup.json") |"; done
  echo "$row"
  row="| uploads |"
  for setup in direct-1 nginx-1 nginx-2; do row+=" $(jq -r '.uploads' "$work/$setup.json") |"; done
  echo "$row"
  exit 0
fi

# The test. Instance b reaches PostgreSQL through tcpgate, which can cut
# the link.
fresh_db
pg_hostport=$(echo "$PG_URL" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]*).*#\2#')
case "$pg_hostport" in *:*) ;; *) pg_hostport="$pg_hostport:5432" ;; esac
gate_port=$(free_port)
"$work/tcpgate" -listen "127.0.0.1:$gate_port" -to "$pg_hostport" 2>"$work/tcpgate.log" &
pid[gate]=$!
port[a]=$(free_port) url[a]=$DB_URL
port[b]=$(free_port)
url[b]=$(echo "$DB_URL" | sed -E "s#^([a-z]+://([^@/]*@)?)[^/?]*#\1127.0.0.1:$gate_port#")
start a
start b
start_nginx a b
say "nginx https://127.0.0.1:$nginx_port -> a :${port[a]}, b :${port[b]} (b's database through tcpgate :$gate_port)"

t0=$SECONDS
"$work/tabletsim" --url "https://127.0.0.1:$nginx_port/api" --ca-file "$work/ca.pem" "${sim_flags[@]}" \
  --tablets 12 --records 30 --duration "${TOPOLOGY_DURATION:-40s}" --chaos --verify --database "$DB_URL" \
  --json "$work/sim.json" >"$work/sim.txt" 2>&1 &
pid[sim]=$!

sleep 6
restart a

# nginx marked a down while it was away (refused connections) and tries it
# again only after fail_timeout (3 s): touch b only once that has passed.
sleep 5
say "cutting b's database link"
kill -USR1 "${pid[gate]}"
sleep 1
ready_b=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${port[b]}/readyz" || true)
direct_b=$(curl -s -w '\n%{http_code}' "http://127.0.0.1:${port[b]}/api" "${login_params[@]}" || true)
via_nginx=$(curl -s --cacert "$work/ca.pem" -w '\n%{http_code}' "https://127.0.0.1:$nginx_port/api" "${login_params[@]}" || true)
say "during the cut: b /readyz $ready_b; b /api $(echo "$direct_b" | tail -n 1) $(echo "$direct_b" | grep '^error:' || true); nginx /api $(echo "$via_nginx" | tail -n 1) $(echo "$via_nginx" | grep '^success:' || true)"
[ "$ready_b" = 503 ] || fail "b's /readyz answered $ready_b without its database, want 503"
[ "$(echo "$direct_b" | tail -n 1)" = 503 ] || fail "b's /api answered $(echo "$direct_b" | tail -n 1) without its database, want 503"
echo "$direct_b" | grep -qx 'error:Database unavailable' || fail "b's 503 body lacks error:Database unavailable: $direct_b"
[ "$(echo "$via_nginx" | tail -n 1)" = 200 ] && echo "$via_nginx" | grep -qx 'success:1' ||
  fail "a login through nginx failed while b had no database: $via_nginx"
sleep 6
kill -USR2 "${pid[gate]}"
wait_ready b || fail "b not ready within 10 s of its database coming back"
say "b's database link restored; b ready again"

sleep 4
restart b

sim_rc=0
wait "${pid[sim]}" || sim_rc=$?
unset "pid[sim]"
elapsed=$((SECONDS - t0))
cat "$work/sim.txt"
[ "$sim_rc" -eq 0 ] || fail "tabletsim exited $sim_rc"
jq -e '.sequences_failed == 0 and .verify != null' "$work/sim.json" >/dev/null || fail "tabletsim summary not OK"

up_a=$(uploads "$work/a.log")
up_b=$(uploads "$work/b.log")
b503=$(grep '"msg":"request"' "$work/b.log" | grep -c '"outcome":"Database unavailable"' || true)
retried=$(grep -c 'upstream=[^ ]*, ' "$work/nginx/access.log" || true)
proxied=$(grep -c '"POST /api' "$work/nginx/access.log" || true)
nginx5xx=$(grep '"POST /api' "$work/nginx/access.log" | grep -c '" 50[0-9] ' || true)
say "figures: tabletsim $(jq -r '"\(.requests) requests, \(.requests_per_second | floor)/s, \(.uploads) uploads, \(.retries) sequences retried, \(.dropped_by_chaos) dropped by chaos"' "$work/sim.json")"
say "figures: upload requests answered 200: a $up_a, b $up_b; b answered 503 Database unavailable $b503 times; nginx proxied $proxied POSTs, passed $retried to the other instance, answered $nginx5xx with a 5xx"
[ "$up_a" -gt 0 ] || fail "instance a served no uploads"
[ "$up_b" -gt 0 ] || fail "instance b served no uploads"
# Routing around: one instance was always up, so nginx never had to give a
# tablet a 5xx of its own or pass one on.
[ "$nginx5xx" -eq 0 ] || fail "nginx answered $nginx5xx POSTs with a 5xx although one instance was always up"
say "OK in $elapsed s of load"
