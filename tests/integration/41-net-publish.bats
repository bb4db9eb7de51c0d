#!/usr/bin/env bats
# netmgr: published ports are kernel DNAT (nft table berth_<project>), reachable from 127.0.0.1,
# the host's own address, an outside host, another container and the container itself.
load helpers
load lib/net

setup() { net_setup; }
teardown() { net_teardown; }

@test "a published port answers from 127.0.0.1, the host's address, outside, another container and itself" {
  bn up --project "$PROJECT" --network default
  ctr_new web; ctr_new cli
  net_attach web default --name web
  net_attach cli default --name cli
  serve_http web "hello-published" 8080
  outside_new
  run bn publish --project "$PROJECT" --container web -p 18080:8080
  assert_success
  assert_output "web 8080/tcp -> 0.0.0.0:18080 10.202.0.2:8080"
  run hx nft list table ip "berth_$PROJECT"
  assert_output --partial 'fib daddr type local tcp dport 18080 dnat to 10.202.0.2:8080'
  run hx curl -s --max-time 2 http://127.0.0.1:18080/
  assert_output "hello-published"
  run hx curl -s --max-time 2 http://10.202.250.1:18080/
  assert_output "hello-published"
  run ox curl -s --max-time 2 http://10.202.250.1:18080/
  assert_output "hello-published"
  run cx cli curl -s --max-time 2 http://10.202.0.1:18080/
  assert_output "hello-published"
  run cx web curl -s --max-time 2 http://10.202.0.1:18080/
  assert_output "hello-published"
  # no user-space proxy: nothing listens on the host port
  run hx ss -Htln "sport = :18080"
  assert_output ""
  # the outside host cannot reach the container's own address, only the published port
  run ox curl -s --max-time 2 http://10.202.0.2:8080/
  assert_failure
}

@test "a port bound to 127.0.0.1 is reachable from the host only" {
  bn up --project "$PROJECT" --network default
  ctr_new web
  net_attach web default
  serve_http web "local-only" 8080
  outside_new
  run bn publish --project "$PROJECT" --container web -p 127.0.0.1:18081:8080
  assert_success
  assert_output "web 8080/tcp -> 127.0.0.1:18081 10.202.0.2:8080"
  run hx curl -s --max-time 2 http://127.0.0.1:18081/
  assert_output "local-only"
  run ox curl -s --max-time 2 http://10.202.250.1:18081/
  assert_failure
  run hx curl -s --max-time 2 http://10.202.250.1:18081/
  assert_failure
}

@test "udp, port ranges and a random host port (reported and kept across re-applies)" {
  bn up --project "$PROJECT" --network default
  ctr_new web
  net_attach web default
  serve_udp web u 9090
  serve_http web r1 8081
  serve_http web r2 8082
  outside_new
  run bn publish --project "$PROJECT" --container web -p 18090:9090/udp -p 18181-18182:8081-8082 -p 8081
  assert_success
  assert_line "web 9090/udp -> 0.0.0.0:18090 10.202.0.2:9090"
  assert_line "web 8081/tcp -> 0.0.0.0:18181 10.202.0.2:8081"
  assert_line "web 8082/tcp -> 0.0.0.0:18182 10.202.0.2:8082"
  assert_line --regexp '^web 8081/tcp -> 0\.0\.0\.0:189[0-9][0-9] 10\.202\.0\.2:8081$'
  random=$(grep -o '0.0.0.0:189[0-9][0-9]' <<< "$output" | cut -d: -f2)
  run ox "$NET_PY" -c "$(udp_ask_cmd)" 10.202.250.1 18090 hi
  assert_output "u:hi"
  run ox curl -s --max-time 2 http://10.202.250.1:18182/
  assert_output "r2"
  run ox curl -s --max-time 2 "http://10.202.250.1:$random/"
  assert_output "r1"
  # re-applying keeps the random port
  run bn ports --project "$PROJECT"
  assert_success
  assert_line "web 8081/tcp -> 0.0.0.0:$random 10.202.0.2:8081"
}

@test "a restarted container keeps its address; ports follow it" {
  bn up --project "$PROJECT" --network default
  ctr_new a; ctr_new web
  net_attach a default
  run net_attach web default
  assert_output --partial "eth0 10.202.0.3/24"
  bn publish --project "$PROJECT" --container web -p 18082:8080
  # the container dies (its netns goes, the kernel deletes the veth pair) and comes back
  ip netns del "$(ctr_ns web)"
  for _ in $(seq 100); do [ "$(hx ip -o link show type veth | wc -l)" -eq 1 ] && break; sleep 0.02; done
  [ "$(hx ip -o link show type veth | wc -l)" -eq 1 ]
  ctr_new web
  run net_attach web default
  assert_success
  assert_output --partial "eth0 10.202.0.3/24"
  serve_http web "back" 8080
  run hx curl -s --max-time 2 http://127.0.0.1:18082/
  assert_output "back"
}
