#!/usr/bin/env bats
# netmgr: conflicts and bad input give one clear error and create nothing.
load helpers
load lib/net

setup() { net_setup; }
teardown() { net_teardown; }

nothing_made() { # no link, no table of the project
  [ -z "$(hx ip -o link show | grep "alias berth:$PROJECT\$")" ]
  [ -z "$(hx nft list tables | grep -x "table ip berth_$PROJECT")" ]
}

@test "bad, overlapping and exhausted subnets fail before anything is created" {
  run bn up --project "$PROJECT" --network default,subnet=10.202.7.0/33
  assert_failure
  assert_output --partial 'invalid subnet "10.202.7.0/33"'
  run bn up --project "$PROJECT" --network default,subnet=10.202.7.1/24
  assert_failure
  assert_output --partial 'host bits set'
  nothing_made
  # overlaps a host route (the outside link) -- the second network is bad, the first not made
  outside_new
  run bn up --project "$PROJECT" --network ok --network bad,subnet=10.202.250.0/25
  assert_failure
  assert_output --partial 'network bad: subnet 10.202.250.0/25 overlaps 10.202.250.0/24 (a host route or address)'
  nothing_made
  # overlaps another berth network
  NET_PROJECT=${PROJECT}b
  bn up --project "${PROJECT}b" --network default,subnet=10.202.9.0/24
  run bn up --project "$PROJECT" --network default,subnet=10.202.9.128/25
  assert_failure
  assert_output --partial "overlaps network ${PROJECT}b_default (10.202.9.0/24)"
  nothing_made
  # exhausted pool
  BERTH_SUBNET_POOL=10.202.9.0/24:24 run bn up --project "$PROJECT" --network default
  assert_failure
  assert_output --partial 'subnet pool exhausted'
  nothing_made
  # gateway outside the subnet
  run bn up --project "$PROJECT" --network default,subnet=10.202.20.0/24,gateway=10.202.21.1
  assert_failure
  assert_output --partial 'gateway 10.202.21.1 is not a host address of subnet 10.202.20.0/24'
  nothing_made
}

@test "ipv4_address outside the subnet, taken, or an unknown network: error, no interface" {
  bn up --project "$PROJECT" --network default
  ctr_new a; ctr_new b
  run net_attach a default --ip 10.202.99.5
  assert_failure
  assert_output --partial "a: networks.default.ipv4_address 10.202.99.5 is outside subnet 10.202.0.0/24"
  run cx a ip -o link show eth0
  assert_failure
  run net_attach a default --ip 10.202.0.50
  assert_success
  assert_output --partial "eth0 10.202.0.50/24"
  run net_attach b default --ip 10.202.0.50
  assert_failure
  assert_output --partial "ipv4_address 10.202.0.50 is used by a"
  # the host's own namespace is refused (berth runs in H here)
  run bn attach --project "$PROJECT" --network default --container b --netns "/run/netns/$HNS"
  assert_failure
  assert_output --partial "b: the container's network namespace is the host's"
  run net_attach b nosuchnet
  assert_failure
  assert_output --partial "b: network nosuchnet is not a network of project $PROJECT"
  run cx b ip -o link show eth0
  assert_failure
}

@test "port conflicts name the holder and change nothing" {
  bn up --project "$PROJECT" --network default
  ctr_new a; ctr_new b
  net_attach a default
  net_attach b default
  bn publish --project "$PROJECT" --container a -p 18085:80
  before=$(hx nft list table ip "berth_$PROJECT")
  # the same host port twice
  run bn publish --project "$PROJECT" --container b -p 18085:80
  assert_failure
  assert_output --partial "host port 18085/tcp is published twice (a and b)"
  # a listening host socket
  ip netns exec "$HNS" "$NET_PY" -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', 18086)); s.listen(); time.sleep(60)" >/dev/null 2>&1 3>&- &
  NET_PIDS+=($!)
  for _ in $(seq 50); do hx ss -Htln "sport = :18086" | grep -q . && break; sleep 0.05; done
  run bn publish --project "$PROJECT" --container b -p 18086:80
  assert_failure
  assert_output --regexp "b: host port 18086/tcp is in use by a listening socket 127\.0\.0\.1:18086 of pid [0-9]+ \(python3\)"
  # a dual-stack [::] listener takes IPv4 too
  ip netns exec "$HNS" "$NET_PY" -c "
import socket, time
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(('::', 18087)); s.listen(); time.sleep(60)" >/dev/null 2>&1 3>&- &
  NET_PIDS+=($!)
  for _ in $(seq 50); do hx ss -Htln "sport = :18087" | grep -q . && break; sleep 0.05; done
  run bn publish --project "$PROJECT" --container b -p 18087:80
  assert_failure
  assert_output --regexp "host port 18087/tcp is in use by a listening socket \[::\]:18087 of pid [0-9]+ \(python3\)"
  # another project
  NET_PROJECT=${PROJECT}b
  bn up --project "${PROJECT}b" --network default
  ctr_new c
  net_attach c default
  run bn publish --project "${PROJECT}b" --container c -p 18085:80
  assert_failure
  assert_output --partial "c: host port 18085/tcp is already published by berth project $PROJECT (table berth_$PROJECT)"
  # bad specs
  run bn publish --project "$PROJECT" --container b -p 70000:80
  assert_failure
  assert_output --partial '"70000" is not a port or range (1-65535)'
  run bn publish --project "$PROJECT" --container b -p 18087-18089:80-81
  assert_failure
  assert_output --partial 'ranges differ in length'
  # nothing changed
  [ "$(hx nft list table ip "berth_$PROJECT")" = "$before" ]
}
