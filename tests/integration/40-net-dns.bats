#!/usr/bin/env bats
# netmgr: containers find each other by name through the embedded DNS server (berth net dns)
# on the gateway, over TCP and UDP; replicas, NXDOMAIN, forwarding, /etc/hosts + resolv.conf.
load helpers
load lib/net

setup() { net_setup; }
teardown() { net_teardown; }

start_dns() { # project [--resolv-conf FILE]; default: no upstream (never leave the namespaces)
  local p=$1; shift
  : > "$BATS_TEST_TMPDIR/empty.conf"
  [ $# -gt 0 ] || set -- --resolv-conf "$BATS_TEST_TMPDIR/empty.conf"
  ip netns exec "$HNS" "$BERTH" net dns --project "$p" "$@" > "$BATS_TEST_TMPDIR/dns-$p.log" 2>&1 3>&- &
  NET_PIDS+=($!)
  for _ in $(seq 100); do grep -q serving "$BATS_TEST_TMPDIR/dns-$p.log" && return 0; sleep 0.02; done
  cat "$BATS_TEST_TMPDIR/dns-$p.log"; return 1
}

@test "two containers talk by name over TCP and UDP via the DNS server" {
  run bn up --project "$PROJECT" --network default
  assert_success
  assert_output --regexp "^${PROJECT}_default bridge=br-[0-9a-f]{12} subnet=10\.202\.0\.0/24 gateway=10\.202\.0\.1 "
  ctr_new web; ctr_new cli
  run net_attach web default --name web --name "$PROJECT-web-1"
  assert_success
  assert_output --partial "eth0 10.202.0.2/24 gateway=10.202.0.1 mac=02:42:0a:ca:00:02"
  net_attach cli default --name cli --resolv "$BATS_TEST_TMPDIR/resolv" --hosts "$BATS_TEST_TMPDIR/hosts"
  start_dns "$PROJECT"
  serve_http web "hello from web" 8080
  serve_udp web web-udp 9090
  run with_files cli "$BATS_TEST_TMPDIR/resolv" "$BATS_TEST_TMPDIR/hosts" "$NET_PY" -c "$(py_resolve_cmd)" web
  assert_success
  assert_output "10.202.0.2"
  run with_files cli "$BATS_TEST_TMPDIR/resolv" "$BATS_TEST_TMPDIR/hosts" "$NET_PY" -c \
    "import urllib.request; print(urllib.request.urlopen('http://web:8080/', timeout=3).read().decode().strip())"
  assert_success
  assert_output "hello from web"
  run with_files cli "$BATS_TEST_TMPDIR/resolv" "$BATS_TEST_TMPDIR/hosts" "$NET_PY" -c "$(udp_ask_cmd)" "$PROJECT-web-1" 9090 ping
  assert_success
  assert_output "web-udp:ping"
}

@test "a scaled service resolves to all replicas; unknown names are NXDOMAIN; answers follow containers" {
  bn up --project "$PROJECT" --network default
  ctr_new a1; ctr_new a2; ctr_new a3; ctr_new cli
  for i in 1 2 3; do net_attach a$i default --name api --name "$PROJECT-api-$i"; done
  net_attach cli default --resolv "$BATS_TEST_TMPDIR/resolv" --hosts "$BATS_TEST_TMPDIR/hosts"
  start_dns "$PROJECT"
  run with_files cli "$BATS_TEST_TMPDIR/resolv" "$BATS_TEST_TMPDIR/hosts" "$NET_PY" -c "$(py_resolve_cmd)" api
  assert_success
  assert_output "10.202.0.2 10.202.0.3 10.202.0.4"
  run with_files cli "$BATS_TEST_TMPDIR/resolv" "$BATS_TEST_TMPDIR/hosts" "$NET_PY" -c "$(py_resolve_cmd)" "$PROJECT-api-2"
  assert_output "10.202.0.3"
  run cx cli busybox nslookup nosuchservice 10.202.0.1
  assert_output --partial "NXDOMAIN"
  # a replica goes away: the answer changes without restarting the server
  bn release --project "$PROJECT" --container a2
  run with_files cli "$BATS_TEST_TMPDIR/resolv" "$BATS_TEST_TMPDIR/hosts" "$NET_PY" -c "$(py_resolve_cmd)" api
  assert_output "10.202.0.2 10.202.0.4"
  run cx cli busybox nslookup "$PROJECT-api-2" 10.202.0.1
  assert_output --partial "NXDOMAIN"
  # a network added while the server runs is served within a second, with its own records
  bn up --project "$PROJECT" --network default --network second
  ctr_new s1
  net_attach s1 second --name api
  for _ in $(seq 40); do cx s1 busybox nslookup api 10.202.1.1 >/dev/null 2>&1 && break; sleep 0.1; done
  run cx s1 busybox nslookup api 10.202.1.1
  assert_success
  assert_output --partial "10.202.1.2"
  refute_output --partial "10.202.0.2"
}

@test "names outside the project are forwarded to the resolvers of resolv.conf" {
  # the upstream is another project's DNS server (all inside H): its alias svc.upstream.test
  NET_PROJECT=${PROJECT}u
  bn up --project "${PROJECT}u" --network default
  ctr_new up1
  net_attach up1 default --name svc.upstream.test
  start_dns "${PROJECT}u"
  printf 'nameserver 10.202.0.1\n' > "$BATS_TEST_TMPDIR/upstream.conf"
  NET_PROJECT=$PROJECT
  bn up --project "$PROJECT" --network default
  ctr_new cli
  net_attach cli default
  start_dns "$PROJECT" --resolv-conf "$BATS_TEST_TMPDIR/upstream.conf"
  run cx cli busybox nslookup svc.upstream.test 10.202.1.1
  assert_success
  assert_output --partial "10.202.0.2"
  # the upstream has no answer and no upstream of its own: the failure comes back, no hang
  run cx cli busybox nslookup nothing.upstream.test 10.202.1.1
  assert_failure
  assert_output --partial "SERVFAIL"
  # a single-label unknown name is never forwarded
  run cx cli busybox nslookup nothing 10.202.1.1
  assert_output --partial "NXDOMAIN"
}

@test "attach writes /etc/hosts (own name, extra_hosts, host-gateway) and resolv.conf (dns_search, dns_opt)" {
  bn up --project "$PROJECT" --network default
  ctr_new web
  run net_attach web default --name web --hostname webhost --extra-host db.local:10.1.2.3 \
    --extra-host gw:host-gateway --dns-search example.test --dns-opt ndots:2 \
    --hosts "$BATS_TEST_TMPDIR/hosts" --resolv "$BATS_TEST_TMPDIR/resolv"
  assert_success
  run cat "$BATS_TEST_TMPDIR/hosts"
  assert_line --regexp '^127\.0\.0\.1[[:space:]]+localhost$'
  assert_line --regexp '^10\.202\.0\.2[[:space:]]+webhost web$'
  assert_line --regexp '^10\.1\.2\.3[[:space:]]+db\.local$'
  assert_line --regexp '^10\.202\.0\.1[[:space:]]+gw$'
  run cat "$BATS_TEST_TMPDIR/resolv"
  assert_line "nameserver 10.202.0.1"
  assert_line "search example.test"
  assert_line "options ndots:2"
  # the container resolves its hosts entries through the files
  run with_files web "$BATS_TEST_TMPDIR/resolv" "$BATS_TEST_TMPDIR/hosts" "$NET_PY" -c "$(py_resolve_cmd)" db.local
  assert_output "10.1.2.3"
}
