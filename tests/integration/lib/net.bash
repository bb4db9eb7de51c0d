# SPDX-License-Identifier: MIT
# Helpers for the netmgr tests (4*-net-*.bats). Every test runs berth inside its own throw-away
# "host" network namespace (H), so the real host's sysctls, tables and links are never touched
# and tests cannot collide. "Containers" are further namespaces (until the runtime lands) running
# real servers; an "outside host" is a namespace joined to H by a veth the test made.
# Traffic stays on loopback and inside these namespaces (10.202.0.0/16).

NET_PY=${NET_PY:-/usr/bin/python3}

net_setup() {
  berth_test_setup
  NT=$(printf '%s' "$BATS_TEST_FILENAME:$BATS_TEST_NUMBER:$$" | sha256sum | cut -c1-6)
  HNS=berthnt${NT}h
  export BERTH_SUBNET_POOL=10.202.0.0/16:24
  export BERTH_PORT_RANGE=18900-18999
  NET_PIDS=()
  NET_NS=("$HNS")
  ip netns add "$HNS"
  ip -n "$HNS" link set lo up
}

net_teardown() {
  local p ns
  for p in "${NET_PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${NET_PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.02; done
    kill -9 "$p" 2>/dev/null
  done
  # every project this test used; down is idempotent
  for p in "$PROJECT" "${PROJECT}b" "${PROJECT}u"; do hx "$BERTH" net down --project "$p" >/dev/null 2>&1 || true; done
  for ns in "${NET_NS[@]}"; do ip netns del "$ns" 2>/dev/null; done
  return 0
}

# Run a command inside the test's host namespace.
hx() { ip netns exec "$HNS" "$@"; }

# berth net SUB ... inside H (the subcommand first, as berth net expects)
bn() {
  local sub=$1; shift
  (cd "$WORK" && ip netns exec "$HNS" "$BERTH" net "$sub" "$@")
}

# A "container": a fresh netns; prints nothing, sets up the name in NET_NS.
ctr_new() {
  local ns=berthnt${NT}$1
  ip netns add "$ns"
  NET_NS+=("$ns")
}
ctr_ns() { echo "berthnt${NT}$1"; }
cx() { local c=$1; shift; ip netns exec "$(ctr_ns "$c")" "$@"; }

# Attach container C (netns) to project network: net_attach C NETWORK [berth flags...]
net_attach() {
  local c=$1 net=$2; shift 2
  bn attach --project "${NET_PROJECT:-$PROJECT}" --network "$net" --container "$c" \
    --netns "/run/netns/$(ctr_ns "$c")" "$@"
}

# Start a background server inside container C, remembered for teardown.
bg_in() {
  local c=$1; shift
  # ip execs the command: $! is the server itself; fd 3 (bats) closed so bats never waits on it
  ip netns exec "$(ctr_ns "$c")" "$@" >/dev/null 2>&1 3>&- &
  NET_PIDS+=($!)
}

# busybox httpd serving "$2" on port $3 in container $1
serve_http() {
  local c=$1 text=$2 port=$3 dir=$BATS_TEST_TMPDIR/www-$1-$3
  mkdir -p "$dir"
  echo "$text" > "$dir/index.html"
  bg_in "$c" busybox httpd -f -p "$port" -h "$dir"
  wait_tcp "$c" 127.0.0.1 "$port"
}

# UDP echo server answering "<prefix>:<payload>" on port $3 in container $1
serve_udp() {
  local c=$1 prefix=$2 port=$3
  bg_in "$c" "$NET_PY" -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('0.0.0.0', $port))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(b'$prefix:' + d, a)
"
  for _ in $(seq 150); do cx "$c" ss -Hlun "sport = :$port" | grep -q . && return 0; sleep 0.02; done
  return 1
}

wait_tcp() {
  local c=$1 ip=$2 port=$3
  for _ in $(seq 100); do
    cx "$c" bash -c "exec 3<>/dev/tcp/$ip/$port" 2>/dev/null && return 0
    sleep 0.03
  done
  return 1
}

# Run a command in container C with the given resolv.conf and hosts file bound over /etc.
with_files() {
  local c=$1 resolv=$2 hosts=$3; shift 3
  cx "$c" unshare -m --propagation private sh -c \
    'mount --bind "$0" /etc/resolv.conf && mount --bind "$1" /etc/hosts && shift && exec "$@"' \
    "$resolv" "$hosts" "$@"
}

# HTTP GET through the resolver: http_get C RESOLV HOSTS URL
py_http() {
  "$NET_PY" -c "
import sys, urllib.request
print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode().strip())
" "$@"
}

# Resolve a name the way a program does (getaddrinfo): prints every address, sorted
py_resolve_cmd() {
  echo "import socket,sys
try:
    r = sorted({a[4][0] for a in socket.getaddrinfo(sys.argv[1], 80, socket.AF_INET, socket.SOCK_STREAM)})
    print(' '.join(r))
except socket.gaierror as e:
    print('ERR', e.errno); sys.exit(1)"
}

# One UDP exchange: udp_ask HOST PORT PAYLOAD -> reply
udp_ask_cmd() {
  echo "import socket,sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
print(s.recvfrom(2048)[0].decode())"
}

# An "outside host": netns O joined to H by a veth, H=10.202.250.1 O=10.202.250.2
outside_new() {
  OUT=berthnt${NT}o
  ip netns add "$OUT"
  NET_NS+=("$OUT")
  ip -n "$HNS" link add hout type veth peer name eth0 netns "$OUT"
  ip -n "$HNS" addr add 10.202.250.1/24 dev hout
  ip -n "$HNS" link set hout up
  ip -n "$OUT" addr add 10.202.250.2/24 dev eth0
  ip -n "$OUT" link set eth0 up
  ip -n "$OUT" link set lo up
  ip -n "$OUT" route add default via 10.202.250.1
}
ox() { ip netns exec "$OUT" "$@"; }

# curl with a short timeout; prints the body
get() { curl -s --max-time 2 "$@"; }
