#!/usr/bin/env bats
# netmgr: internal networks, isolation between projects, teardown that leaves nothing.
load helpers
load lib/net

setup() { net_setup; }
teardown() { net_teardown; }

@test "an internal network has no way out but its members reach each other" {
  run bn up --project "$PROJECT" --network back,internal --network front
  assert_success
  assert_line --regexp "^${PROJECT}_back .* internal$"
  ctr_new db; ctr_new app
  net_attach db back
  net_attach app back
  serve_http db "db-ok" 8080
  outside_new
  serve_http_outside() { ip netns exec "$OUT" busybox httpd -f -p 8090 -h "$BATS_TEST_TMPDIR" >/dev/null 2>&1 3>&- & NET_PIDS+=($!); }
  echo outside > "$BATS_TEST_TMPDIR/index.html"
  serve_http_outside
  for _ in $(seq 150); do ox ss -Htln "sport = :8090" | grep -q . && break; sleep 0.02; done
  run cx app curl -s --max-time 2 http://10.202.0.2:8080/
  assert_output "db-ok"
  # no default route, and even with one the forward chain drops it
  run cx db ip route show default
  assert_output ""
  cx db ip route add default via 10.202.0.1
  run cx db curl -s --max-time 2 http://10.202.250.2:8090/
  assert_failure
  # control: without berth's forward rules that route would work
  hx nft flush chain ip "berth_$PROJECT" forward
  run cx db curl -s --max-time 2 http://10.202.250.2:8090/
  assert_output "outside"
  bn up --project "$PROJECT" --network back,internal --network front
  # a non-internal network of the same project gets out (masquerade)
  ctr_new web
  net_attach web front
  run cx web curl -s --max-time 2 http://10.202.250.2:8090/
  assert_output "outside"
  # and internal containers cannot publish
  run bn publish --project "$PROJECT" --container db -p 18083:8080
  assert_failure
  assert_output --partial "internal"
}

@test "two projects side by side cannot reach each other" {
  bn up --project "$PROJECT" --network default
  NET_PROJECT=${PROJECT}b
  bn up --project "${PROJECT}b" --network default
  NET_PROJECT=$PROJECT
  ctr_new a1; ctr_new b1
  net_attach a1 default
  NET_PROJECT=${PROJECT}b net_attach b1 default
  serve_http a1 "a" 8080
  serve_http b1 "b" 8080
  # sanity: each container answers inside its own project (via H)
  run hx curl -s --max-time 2 http://10.202.0.2:8080/
  assert_output "a"
  run hx curl -s --max-time 2 http://10.202.1.2:8080/
  assert_output "b"
  run cx a1 curl -s --max-time 2 http://10.202.1.2:8080/
  assert_failure
  run cx b1 curl -s --max-time 2 http://10.202.0.2:8080/
  assert_failure
  # control: it is berth's forward chain that separates them
  hx nft flush chain ip "berth_${PROJECT}b" forward
  run cx a1 curl -s --max-time 2 http://10.202.1.2:8080/
  assert_output "b"
}

@test "down removes bridges, table and state; is idempotent; cleans a crashed run's leftovers" {
  bn up --project "$PROJECT" --network default --network other,bridge=bnt${NT}x,mtu=1400
  ctr_new a
  net_attach a default
  # no MTU given: the link gets loopback's 64 KiB, the way out the host's default-route MTU
  local up_mtu=1500 dev
  dev=$(hx ip -o route show default | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -1)
  [ -n "$dev" ] && up_mtu=$(hx cat "/sys/class/net/$dev/mtu")
  run cx a ip -o link show eth0
  assert_output --partial "mtu 65535"
  run cx a ip route show default
  assert_output --partial "mtu $up_mtu"
  run cx a ip route get 10.202.0.1
  refute_output --partial "mtu"
  # driver_opts: bridge name and MTU; attach by pid; a given MAC address
  ctr_new o
  ip netns exec "$(ctr_ns o)" sleep 60 3>&- &
  NET_PIDS+=($!)
  # wait until the process is inside its netns (ip netns exec setns()es, then execs)
  for _ in $(seq 100); do
    [ "$(stat -L -c %i "/proc/${NET_PIDS[-1]}/ns/net")" = "$(stat -L -c %i "/run/netns/$(ctr_ns o)")" ] && break
    sleep 0.02
  done
  run bn attach --project "$PROJECT" --network other --container o --pid "${NET_PIDS[-1]}" --mac 02:aa:bb:cc:dd:ee
  assert_success
  assert_output --partial "mtu=1400"
  run cx o ip -o link show eth0
  assert_output --partial "mtu 1400"
  assert_output --partial "link/ether 02:aa:bb:cc:dd:ee"
  run hx ip -o link show "bnt${NT}x"
  assert_output --partial "mtu 1400"
  run cx o ip route show
  refute_output --partial "mtu"
  bn publish --project "$PROJECT" --container a -p 18084:80
  run hx ip -o link show
  assert_output --partial "alias berth:$PROJECT"
  assert_output --partial "bnt${NT}x"
  run bn down --project "$PROJECT"
  assert_success
  run hx ip -o link show
  refute_output --partial "berth:"
  run hx nft list tables
  refute_output --partial "berth_"
  run jq -c '[.networks, .ports]' "$BERTH_ROOT/net/state.json"
  assert_output '[[],[]]'
  run bn down --project "$PROJECT"
  assert_success
  # a crash: kernel objects exist but the state is gone; down recognises them by their mark
  bn up --project "$PROJECT" --network default
  rm -f "$BERTH_ROOT/net/state.json"
  run bn down --project "$PROJECT"
  assert_success
  run hx ip -o link show
  refute_output --partial "berth:"
  run hx nft list tables
  refute_output --partial "berth_"
  # a crash between creating the bridge and setting its alias: the next up adopts it
  br=$(bn up --project "$PROJECT" --network default | grep -o 'bridge=[^ ]*' | cut -d= -f2)
  rm -f "$BERTH_ROOT/net/state.json"
  hx ip link set "$br" alias ""
  run bn up --project "$PROJECT" --network default
  assert_success
  assert_output --partial "bridge=$br "
  run hx ip -o link show "$br"
  assert_output --partial "alias berth:$PROJECT"
  bn down --project "$PROJECT"
  # ip_forward is on in this (throw-away) host namespace
  run hx sysctl -n net.ipv4.ip_forward
  assert_output 1
}

@test "an external network is shared: the owner's down removes it, the user's does not" {
  bn up --project "$PROJECT" --network default
  ctr_new a; ctr_new b
  net_attach a default --name a
  serve_http a "from-a" 8080
  NET_PROJECT=${PROJECT}b
  run bn up --project "${PROJECT}b" --network "${PROJECT}_default,external"
  assert_success
  assert_output --partial "${PROJECT}_default bridge=br-"
  run net_attach b "${PROJECT}_default"
  assert_success
  assert_output --partial "eth0 10.202.0.3/24"
  run cx b curl -s --max-time 2 http://10.202.0.2:8080/
  assert_output "from-a"
  bn down --project "${PROJECT}b"
  run hx ip -o link show
  assert_output --partial "alias berth:$PROJECT"
  run jq -r '.networks[].full_name' "$BERTH_ROOT/net/state.json"
  assert_output "${PROJECT}_default"
  # unknown external network
  run bn up --project "${PROJECT}b" --network nosuch,external
  assert_failure
  assert_output --partial "network nosuch declared as external, but could not be found"
}

@test "two racing ups never get the same subnet" {
  for i in 1 2 3 4 5 6; do
    ip netns exec "$HNS" "$BERTH" net up --project "${PROJECT}r$i" --network default > "$BATS_TEST_TMPDIR/up$i" 2>&1 3>&- &
  done
  wait
  cat "$BATS_TEST_TMPDIR"/up*
  run bash -c "cat '$BATS_TEST_TMPDIR'/up* | grep -o 'subnet=[^ ]*' | sort | uniq -d"
  assert_output ""
  [ "$(cat "$BATS_TEST_TMPDIR"/up* | grep -c 'subnet=10.202')" -eq 6 ]
  for i in 1 2 3 4 5 6; do bn down --project "${PROJECT}r$i"; done
  run hx ip -o link show
  refute_output --partial "berth:"
}
