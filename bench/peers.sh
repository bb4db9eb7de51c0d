#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/peers.sh: berth, docker compose and podman-compose on the same stacks, in one run, and one
# table of medians and ratios (berth against the faster peer). A benchmark, never part of make test.
#
#   bench/peers.sh [REPS]      (root; uses ../shared/bench: its busybox rootfs builder and stacks)
#   env: IDLE_N=50 (idle containers for the memory figure), R=3 DUR=5 (throughput rounds, seconds),
#        GAP=12 (seconds between restart kills: docker doubles its delay for a container that ran
#        under 10 s), PEERS="docker podman berth"
#
# Peers (Debian 12 packages, installed with apt if missing): docker-compose 1.29 + dockerd 20.10 +
# containerd 1.6 + runc; podman-compose 1.0.3 + podman 4.3 + conmon + netavark/aardvark-dns, with
# runc as its OCI runtime (crun 1.8 refuses this host's hybrid cgroup layout, and the shared
# harness's fix, a v1 hugetlb mount, would change the cgroups every other berth test sees).
#
# Nothing of the peers touches the host's network namespace or /etc: everything (containerd,
# dockerd, podman, conmon, the compose tools, berth, wrk, iperf3) runs in a network namespace made
# here ("peerbench") and a private mount namespace, with every daemon's data, state, sockets and
# pid files under one /tmp/peers-bench.* directory. The host's FORWARD chain, nft tables and links
# are compared before and after; every daemon is stopped by pid at the end and the netns deleted.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/.." && pwd)
SHARED=${BERTH_SHARED_BENCH:-$TOP/../shared/bench}
[ -d "$SHARED" ] || SHARED=$TOP/../../shared/bench   # a worktree under /work/wt
NS=${PEERS_NETNS:-peerbench}

# ---------------------------------------------------------------- outer: host side
if [ "${1:-}" != --inner ]; then
  [ "$(id -u)" = 0 ] || { echo "bench/peers.sh: run as root" >&2; exit 1; }
  [ -x "$SHARED/build-images.sh" ] || { echo "bench/peers.sh: needs the peers' harness at $SHARED" >&2; exit 1; }
  [ -x "$TOP/berth" ] || { echo "bench/peers.sh: build berth first (make)" >&2; exit 1; }
  ip netns list | grep -qw "^$NS" && { echo "bench/peers.sh: netns $NS exists (another run?)" >&2; exit 1; }
  need=
  for c in dockerd:docker.io containerd:containerd runc:runc docker-compose:docker-compose \
    podman:podman conmon:conmon podman-compose:podman-compose wrk:wrk iperf3:iperf3 \
    skopeo:skopeo umoci:umoci /usr/lib/podman/netavark:netavark \
    /usr/lib/podman/aardvark-dns:aardvark-dns /bin/busybox:busybox-static; do
    command -v "${c%%:*}" >/dev/null || need="$need ${c#*:}"
  done
  # policy-rc.d keeps the packages' init scripts from starting dockerd/containerd on the host
  if [ -n "$need" ]; then
    [ -x /usr/sbin/policy-rc.d ] || { echo "bench/peers.sh: install$need with a policy-rc.d that denies starts" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get install -y -o DPkg::Lock::Timeout=600 \
      --no-install-recommends $need >&2
  fi
  W=$(mktemp -d /tmp/peers-bench.XXXXXX)
  export W
  snap() { # host network state that dockerd/podman would change
    {
      echo "## FORWARD"; iptables -S FORWARD 2>&1
      echo "## nft tables"; nft list tables 2>&1 | grep -Ei 'docker|podman|netavark|nat|filter' || true
      # links of docker/podman (berth's own carry the alias berth:<project>; other helpers' tests
      # come and go, so only names the peers use are listed)
      echo "## links"; ip -o link | grep -v 'alias berth' | awk -F': ' '{print $2}' |
        grep -E '^(docker|podman|cni|br-|veth[0-9a-f]{7}@)' | sort || true
      echo "## bridge-nf-call-iptables $(cat /proc/sys/net/bridge/bridge-nf-call-iptables 2>/dev/null)"
      echo "## ip_forward $(cat /proc/sys/net/ipv4/ip_forward)"
      echo "## peers' paths"; ls -d /run/containerd /run/docker /run/runc /run/containers /run/libpod \
        /var/lib/docker /etc/docker/key.json 2>/dev/null || true
    }
  }
  snap >"$W/host.before"
  key_before=false
  [ -e /etc/docker/key.json ] && key_before=true
  peer_cgroups() { local d; for d in /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/*/peerbench-docker; do [ -d "$d" ] && echo "$d"; done; true; }
  cgroups_before=$(peer_cgroups)
  ip netns add "$NS"
  cleanup() {
    set +e
    trap '' PIPE   # a reader of our output that went away must not cut the clean-up short
    # the inner side stops its daemons; anything still listed (it died early) is stopped here
    for f in "$W"/pids/*; do
      [ -f "$f" ] || continue
      p=$(cat "$f"); kill "$p" 2>/dev/null
      for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$p" 2>/dev/null
    done
    left=$(ip netns pids "$NS" 2>/dev/null)
    [ -n "$left" ] && echo "bench/peers.sh: processes left in $NS: $left (stopping them)" >&2 &&
      kill -9 $left 2>/dev/null
    ip netns del "$NS" 2>/dev/null
    # cgroup parents the peers made (docker: --cgroup-parent, podman: libpod_parent), if new
    for d in $(peer_cgroups); do
      case " $cgroups_before " in *" $d "*) continue ;; esac
      find "$d" -mindepth 1 -depth -type d -exec rmdir {} \; 2>/dev/null; rmdir "$d" 2>/dev/null
    done
    $key_before || rm -f /etc/docker/key.json
    snap >"$W/host.after"
    if ! diff -u "$W/host.before" "$W/host.after" >&2; then
      echo "bench/peers.sh: WARNING: the host's network state changed (above)" >&2
    else
      echo "host network state unchanged (FORWARD policy, nft tables, links, sysctls)" >&2
    fi
    mkdir -p "$TOP/bench/results"
    cp "$W/results.tsv" "$TOP/bench/results/peers.tsv" 2>/dev/null
    cp "$W/table.txt" "$TOP/bench/results/peers.txt" 2>/dev/null
    [ -n "${PEERS_KEEP:-}" ] || rm -rf "$W"
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  mkdir -p "$W/pids"
  nsenter --net="/run/netns/$NS" unshare --mount --propagation slave -- "$0" --inner "$@"
  exit $?
fi
shift

# ---------------------------------------------------------------- inner: in the netns
REPS=${1:-5}
IDLE_N=${IDLE_N:-50}
R=${R:-3}
DUR=${DUR:-5}
GAP=${GAP:-12}
PEERS=${PEERS:-"docker podman berth"}
export PATH=/usr/sbin:/usr/bin:/sbin:/bin   # Debian's docker client, not /usr/local/bin's
BERTH=$TOP/berth

# A sysfs for this netns (the bridges' /sys/class/net entries) with the host's cgroups kept.
mkdir -p "$W/cg"
mount --rbind /sys/fs/cgroup "$W/cg"
umount -l /sys
mount -t sysfs sysfs /sys
mount --move "$W/cg" /sys/fs/cgroup
# The peers' fixed run-time paths (/run/containerd/s, /run/docker/plugins, /run/runc,
# /run/containers/networks, /run/libpod, /run/netns for podman's container netns) and podman's
# blob cache (/var/lib/containers/cache) stay in this mount namespace.
mount -t tmpfs -o mode=755 peerbench-run /run
mount -t tmpfs -o mode=700 peerbench-varlib /var/lib/containers 2>/dev/null || true
ip link set lo up

OUT=$W/results.tsv
: >"$OUT"
log() { echo "[$(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)] $*" >&2; }
now_ns() { date +%s%N; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", (b-a)/1e6}'; }
median() { sort -g | awk '{a[NR]=$1} END{if(NR==0){print "NA"; exit} print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }
rec() { # peer metric value
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(cut -d' ' -f1 /proc/loadavg)" >>"$OUT"
}
med_of() { awk -F'\t' -v p="$1" -v m="$2" '$1==p && $2==m {print $3}' "$OUT" | median; }

# ---- daemons (pids under $W/pids for the outer cleanup as well)
export BERTH_ROOT=/tmp/berth-peers-root.$$ BERTH_RUN=/tmp/berth-peers-run.$$
export BERTH_SUBNET_POOL=10.215.0.0/16:24
export DOCKER_HOST=unix://$W/docker/docker.sock
D=$W/docker C=$W/containerd P=$W/podman
mkdir -p "$D" "$C" "$P"/{networks,tmp,run,root,volumes}
start_docker() {
  cat >"$C/config.toml" <<EOF
version = 2
root = "$C/root"
state = "$C/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$C/containerd.sock"
[ttrpc]
  address = "$C/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$C/opt"
EOF
  setsid containerd --config "$C/config.toml" >"$C/log" 2>&1 </dev/null &
  echo $! >"$W/pids/containerd"
  for _ in $(seq 100); do [ -S "$C/containerd.sock" ] && break; sleep 0.1; done
  echo '{}' >"$D/daemon.json"
  setsid dockerd --config-file "$D/daemon.json" -H "$DOCKER_HOST" --containerd "$C/containerd.sock" \
    --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/dockerd.pid" \
    --cgroup-parent /peerbench-docker >"$D/log" 2>&1 </dev/null &
  echo $! >"$W/pids/dockerd"
  for _ in $(seq 300); do docker version >/dev/null 2>&1 && break; sleep 0.1; done
  docker info --format 'dockerd {{.ServerVersion}} storage={{.Driver}} cgroup={{.CgroupDriver}}' >&2 ||
    { tail -20 "$D/log" >&2; exit 1; }
}
stop_docker() {
  local d p
  for d in dockerd containerd; do
    [ -f "$W/pids/$d" ] || continue
    p=$(cat "$W/pids/$d"); kill "$p" 2>/dev/null
    for _ in $(seq 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null; rm -f "$W/pids/$d"
  done
}
export CONTAINERS_CONF=$P/containers.conf CONTAINERS_STORAGE_CONF=$P/storage.conf
cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[network]
network_backend = "netavark"
network_config_dir = "$P/networks"
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$P/events.log"
tmp_dir = "$P/tmp"
volume_path = "$P/volumes"
# conmon runs the podman cleanup command (restart policies) with only these variables
conmon_env_vars = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "CONTAINERS_CONF=$P/containers.conf", "CONTAINERS_STORAGE_CONF=$P/storage.conf"]
EOF
cat >"$CONTAINERS_STORAGE_CONF" <<EOF
[storage]
driver = "overlay"
runroot = "$P/run"
graphroot = "$P/root"
EOF

# ---- images: the shared busybox rootfs, imported into each engine and loaded into berth
IMG=localhost/berth-busybox:latest
WORK=$W/img "$SHARED/build-images.sh" >&2
import_images() {
  local L=$W/img/berth-oci
  case " $PEERS " in *" docker "*) docker import --change 'CMD ["/bin/sh"]' "$W/img/busybox-rootfs.tar" "$IMG" >/dev/null ;; esac
  case " $PEERS " in *" podman "*) podman import --change 'CMD ["/bin/sh"]' "$W/img/busybox-rootfs.tar" "$IMG" >/dev/null ;; esac
  case " $PEERS " in *" berth "*)
    umoci init --layout "$L"; umoci new --image "$L:latest"
    umoci unpack --image "$L:latest" "$W/img/berth-bundle" >/dev/null
    cp -a "$W/img/rootfs/." "$W/img/berth-bundle/rootfs/"
    umoci repack --image "$L:latest" "$W/img/berth-bundle"
    umoci config --image "$L:latest" --config.cmd /bin/sh --config.env PATH=/bin:/sbin:/usr/bin:/usr/sbin
    skopeo copy --quiet "oci:$L:latest" "oci-archive:$W/img/berth-busybox.tar:$IMG"
    "$BERTH" load -i "$W/img/berth-busybox.tar" >/dev/null ;;
  esac
}

# ---- the compose tools, one project and one stack folder per peer
declare -A PROJ=([docker]=peerdk [podman]=peerpm [berth]=peerbt)
declare -A WEBPORT=([docker]=19510 [podman]=19511 [berth]=19512)
declare -A TPORT=([docker]=19520 [podman]=19521 [berth]=19522)
declare -A IPORT=([docker]=19530 [podman]=19531 [berth]=19532)
HOST_HTTP=19540 HOST_IPERF=19541
comp() { # peer dir project args...
  local peer=$1 dir=$2 proj=$3; shift 3
  case $peer in
    docker) (cd "$dir" && docker-compose -p "$proj" "$@") ;;
    podman) (cd "$dir" && podman-compose -p "$proj" "$@") ;;
    berth) (cd "$dir" && "$BERTH" -p "$proj" "$@") ;;
  esac
}
clean() { # peer project: back to "never started" (podman-compose down keeps the network)
  [ "$1" = podman ] && podman network rm -f "${2}_default" >/dev/null 2>&1; true
}
# Each peer's copy of a shared stack gets a marker in every main command, so that the processes
# found by pgrep are this run's and this peer's only.
mkstack() { # peer template-dir
  local d
  d=$W/stack-$1-$(basename "$2")
  mkdir -p "$d"
  sed "s/& wait\"\]/\& wait; : peerb-$1\"]/" "$2/compose.yml" >"$d/compose.yml"
  echo "$d"
}
web_pid() { { pgrep -f -- "httpd -f -p 80 -h /www & wait; : peerb-$1\$" || true; } | head -1; }
n_up() { pgrep -fc -- "; : peerb-$1\$" || true; }
http_ok() { curl -s -o /dev/null --max-time 1 -w '%{http_code}' "http://127.0.0.1:$1/" 2>/dev/null | grep -q '^200$'; }

# ---- helper processes of a peer: every process in this netns but the benchmark's own
netns_self=$(readlink /proc/self/ns/net)
helpers() { # peer -> "class name pid" lines
  local d pid comm
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [ "$(readlink "$d/ns/net" 2>/dev/null)" = "$netns_self" ] || continue
    comm=$(cat "$d/comm" 2>/dev/null) || continue
    case $1:$comm in
      docker:containerd-shim*) echo "percontainer $comm $pid" ;;
      docker:docker-proxy) echo "perport $comm $pid" ;;
      docker:dockerd | docker:containerd) echo "daemon $comm $pid" ;;
      podman:conmon) echo "percontainer $comm $pid" ;;
      podman:aardvark-dns | podman:catatonit) echo "daemon $comm $pid" ;;
      berth:berth*) echo "daemon $comm $pid" ;;   # the supervisor is berth-super
    esac
  done
}
rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
pss_kb() { awk '/^Pss:/{print $2}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }

finish() {
  set +e
  for p in $PEERS; do
    for s in "$W"/stack-$p-*; do [ -d "$s" ] && comp "$p" "$s" "${PROJ[$p]}" down >/dev/null 2>&1; done
    [ -d "$W/idle-$p" ] && comp "$p" "$W/idle-$p" "${PROJ[$p]}i" down >/dev/null 2>&1
  done
  [ -n "${HTTPD_PID:-}" ] && kill "$HTTPD_PID" "$IPERF_PID" 2>/dev/null
  case " $PEERS " in *" podman "*) podman rm -af -t 1 >/dev/null 2>&1; podman network prune -f >/dev/null 2>&1
    podman system prune -af >/dev/null 2>&1 ;; esac
  case " $PEERS " in *" docker "*) docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1; stop_docker ;; esac
  rm -rf "$BERTH_ROOT" "$BERTH_RUN"
}
trap finish EXIT
trap '' PIPE   # output cut off (| head): writes fail, set -e ends the run, finish cleans up
trap 'log "bench/peers.sh: failed at line $LINENO"' ERR

log "peers: $PEERS; reps $REPS; idle $IDLE_N; throughput R=$R DUR=${DUR}s"
case " $PEERS " in *" docker "*) start_docker ;; esac
case " $PEERS " in *" podman "*) podman --version >&2 ;; esac
import_images
declare -A STK TPUT
for p in $PEERS; do
  STK[$p]=$(mkstack "$p" "$SHARED/stack")
  TPUT[$p]=$(mkstack "$p" "$SHARED/stack-tput")
done

# ---- 1. compose lifecycle, the peers interleaved in every repetition
for i in $(seq "$REPS"); do
  for p in $PEERS; do
    s=${STK[$p]} pr=${PROJ[$p]} port=${WEBPORT[$p]}
    comp "$p" "$s" "$pr" down >/dev/null 2>&1; clean "$p" "$pr"
    t0=$(now_ns)
    HOST_PORT=$port comp "$p" "$s" "$pr" up -d >"$W/up.log" 2>&1 &
    upid=$! t_run='' t_port='' t_exit=''
    while :; do
      [ -z "$t_run" ] && [ "$(n_up "$p")" -ge 3 ] && t_run=$(now_ns)
      [ -z "$t_port" ] && http_ok "$port" && t_port=$(now_ns)
      if [ -z "$t_exit" ] && ! kill -0 $upid 2>/dev/null; then
        t_exit=$(now_ns); wait $upid || { log "$p up failed"; tail "$W/up.log" >&2; exit 1; }
      fi
      [ -n "$t_run" ] && [ -n "$t_port" ] && [ -n "$t_exit" ] && break
      [ $(( ($(now_ns) - t0) / 1000000000 )) -gt 120 ] && { log "$p: stack not up in 120 s"; tail "$W/up.log" >&2; exit 1; }
      sleep 0.005
    done
    rec "$p" up_port_ms "$(ms "$t0" "$t_port")"
    rec "$p" up_exit_ms "$(ms "$t0" "$t_exit")"
    rec "$p" up_running_ms "$(ms "$t0" "$t_run")"
    sleep 1
    t0=$(now_ns); HOST_PORT=$port comp "$p" "$s" "$pr" ps >/dev/null 2>&1; rec "$p" ps_ms "$(ms "$t0" "$(now_ns)")"
    t0=$(now_ns); HOST_PORT=$port comp "$p" "$s" "$pr" logs >/dev/null 2>&1; rec "$p" logs_ms "$(ms "$t0" "$(now_ns)")"
    t0=$(now_ns); HOST_PORT=$port comp "$p" "$s" "$pr" down >"$W/down.log" 2>&1 ||
      { log "$p down failed"; tail "$W/down.log" >&2; exit 1; }
    rec "$p" down_ms "$(ms "$t0" "$(now_ns)")"
    [ "$(n_up "$p")" -eq 0 ] || log "warning: $p processes still there after down"
    clean "$p" "$pr"
    log "rep $i $p: $(awk -F'\t' -v p="$p" '$1==p{v[$2]=$3} END{printf "up(port)=%s up(exit)=%s ps=%s logs=%s down=%s ms", v["up_port_ms"], v["up_exit_ms"], v["ps_ms"], v["logs_ms"], v["down_ms"]}' "$OUT")"
  done
done

# ---- 2. restart of a SIGKILLed restart:always service (all three stacks up; one GAP per round)
for p in $PEERS; do
  HOST_PORT=${WEBPORT[$p]} comp "$p" "${STK[$p]}" "${PROJ[$p]}" up -d >"$W/up.log" 2>&1 ||
    { tail "$W/up.log" >&2; exit 1; }
  for _ in $(seq 400); do http_ok "${WEBPORT[$p]}" && break; sleep 0.05; done
done
for i in $(seq "$REPS"); do
  sleep "$GAP"
  for p in $PEERS; do
    old=$(web_pid "$p"); [ -n "$old" ] || { log "$p: web not running"; exit 1; }
    t0=$(now_ns); kill -9 "$old"; t_proc='' t_port=''
    while :; do
      if [ -z "$t_proc" ]; then new=$(web_pid "$p"); [ -n "$new" ] && [ "$new" != "$old" ] && t_proc=$(now_ns); fi
      [ -n "$t_proc" ] && http_ok "${WEBPORT[$p]}" && t_port=$(now_ns) && break
      [ $(( ($(now_ns) - t0) / 1000000000 )) -gt 60 ] && { log "$p: no restart within 60 s"; break; }
      sleep 0.005
    done
    [ -n "$t_proc" ] && rec "$p" restart_proc_ms "$(ms "$t0" "$t_proc")"
    [ -n "$t_port" ] && rec "$p" restart_port_ms "$(ms "$t0" "$t_port")"
  done
  log "restart round $i done"
done
for p in $PEERS; do
  HOST_PORT=${WEBPORT[$p]} comp "$p" "${STK[$p]}" "${PROJ[$p]}" down >/dev/null 2>&1; clean "$p" "${PROJ[$p]}"
done

# ---- 3. helper memory with IDLE_N idle containers, one peer at a time
for p in $PEERS; do
  d=$W/idle-$p; mkdir -p "$d"
  { echo 'version: "3"'; echo 'services:'
    for i in $(seq "$IDLE_N"); do
      echo "  idle$i:"; echo "    image: $IMG"
      echo "    command: [\"sh\", \"-c\", \"trap 'exit 0' TERM; sleep 1000000 & wait; : peerb-$p\"]"
    done; } >"$d/compose.yml"
  t0=$(now_ns)
  comp "$p" "$d" "${PROJ[$p]}i" up -d >"$W/idle-up.log" 2>&1 || { log "$p idle up failed"; tail "$W/idle-up.log" >&2; exit 1; }
  for _ in $(seq 1200); do [ "$(n_up "$p")" -ge "$IDLE_N" ] && break; sleep 0.2; done
  rec "$p" idle_up_s "$(ms "$t0" "$(now_ns)" | awk '{printf "%.1f", $1/1000}')"
  sleep 5
  helpers "$p" >"$W/helpers.$p"
  pc=0 hr=0 hp=0 dr=0 dp=0
  while read -r cls _ pid; do
    r=$(rss_kb "$pid") s=$(pss_kb "$pid")
    case $cls in
      percontainer | perport) pc=$((pc + 1)) hr=$((hr + r)) hp=$((hp + s)) ;;
      daemon) dr=$((dr + r)) dp=$((dp + s)) ;;
    esac
  done <"$W/helpers.$p"
  rec "$p" idle_running "$(n_up "$p")"
  rec "$p" idle_percontainer_helpers "$pc"
  rec "$p" idle_helpers_rss_mb "$(awk -v k=$((hr + dr)) 'BEGIN{printf "%.1f", k/1024}')"
  rec "$p" idle_helpers_pss_mb "$(awk -v k=$((hp + dp)) 'BEGIN{printf "%.1f", k/1024}')"
  rec "$p" idle_percontainer_rss_mb "$(awk -v k=$hr 'BEGIN{printf "%.1f", k/1024}')"
  rec "$p" idle_daemons_rss_mb "$(awk -v k=$dr 'BEGIN{printf "%.1f", k/1024}')"
  log "idle $p: $(awk '{print $2}' "$W/helpers.$p" | sort | uniq -c | tr '\n' ' ') rss $((hr + dr)) kB pss $((hp + dp)) kB"
  t0=$(now_ns)
  comp "$p" "$d" "${PROJ[$p]}i" down >/dev/null 2>&1; clean "$p" "${PROJ[$p]}i"
  rec "$p" idle_down_s "$(ms "$t0" "$(now_ns)" | awk '{printf "%.1f", $1/1000}')"
  for _ in $(seq 300); do [ "$(n_up "$p")" -eq 0 ] && break; sleep 0.2; done
done

# ---- 4. throughput through a published port vs the same server on this netns's loopback
busybox httpd -f -p "127.0.0.1:$HOST_HTTP" -h "$W/img/rootfs/www" & HTTPD_PID=$!
iperf3 -s -B 127.0.0.1 -p "$HOST_IPERF" >/dev/null 2>&1 & IPERF_PID=$!
for p in $PEERS; do
  HOST_PORT=${TPORT[$p]} IPERF_PORT=${IPORT[$p]} comp "$p" "${TPUT[$p]}" "${PROJ[$p]}t" up -d >"$W/up.log" 2>&1 ||
    { tail "$W/up.log" >&2; exit 1; }
  for _ in $(seq 400); do http_ok "${TPORT[$p]}" && break; sleep 0.05; done
done
sleep 1
wrk_rps() { wrk -t1 -c4 -d"${DUR}s" "$1" | awk '/^Requests\/sec/{print $2}'; }
wrk_mbps() { wrk -t1 -c4 -d"${DUR}s" "$1" | awk '/^Transfer\/sec/{v=$2; if(v~/GB$/){v*=1024} else if(v~/KB$/){v/=1024} else {v+=0}; print v}'; }
iperf_gbps() { iperf3 -c 127.0.0.1 -p "$1" -t "$DUR" -J | python3 -c 'import json,sys; print("%.2f" % (json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/1e9))'; }
for i in $(seq "$R"); do
  rec host tput_small_rps "$(wrk_rps "http://127.0.0.1:$HOST_HTTP/index.html")"
  for p in $PEERS; do rec "$p" tput_small_rps "$(wrk_rps "http://127.0.0.1:${TPORT[$p]}/index.html")"; done
  rec host tput_big_MBps "$(wrk_mbps "http://127.0.0.1:$HOST_HTTP/big.bin")"
  for p in $PEERS; do rec "$p" tput_big_MBps "$(wrk_mbps "http://127.0.0.1:${TPORT[$p]}/big.bin")"; done
  rec host tput_iperf_Gbps "$(iperf_gbps "$HOST_IPERF")"
  for p in $PEERS; do rec "$p" tput_iperf_Gbps "$(iperf_gbps "${IPORT[$p]}")"; done
  log "throughput round $i done"
done
for p in $PEERS; do
  ss -Htlnp "sport = :${TPORT[$p]}" | sed "s/^/$p listener: /" >&2
  comp "$p" "${TPUT[$p]}" "${PROJ[$p]}t" down >/dev/null 2>&1; clean "$p" "${PROJ[$p]}t"
done

# ---- the table: medians; ratio = the faster peer against berth
set +e +o pipefail
{
  echo "date $(date -u +%FT%TZ); load average during the run (1 min) min/median/max: $(cut -f4 "$OUT" | sort -g | awk '{a[NR]=$1} END{print a[1] "/" a[int((NR+1)/2)] "/" a[NR]}')"
  echo "reps $REPS; idle containers $IDLE_N; throughput $R rounds of ${DUR}s"
  printf '%-38s %10s %10s %10s %10s %s\n' metric berth docker podman host "faster peer vs berth"
  row() { # metric label better(lower|higher|pct)
    local b d q h best ratio
    b=$(med_of berth "$1") d=$(med_of docker "$1") q=$(med_of podman "$1") h=$(med_of host "$1")
    case $3 in
      lower) best=$(printf '%s\n%s\n' "$d" "$q" | grep -v NA | sort -g | head -1)
        ratio=$(awk -v b="$b" -v x="$best" 'BEGIN{ if (b+0>0 && x+0>0) printf "%.1fx faster", x/b; else print "NA"}') ;;
      mem) best=$(printf '%s\n%s\n' "$d" "$q" | grep -v NA | sort -g | head -1)
        ratio=$(awk -v b="$b" -v x="$best" 'BEGIN{ if (b+0>0 && x+0>0) printf "berth = %.1f%%", 100*b/x; else print "NA"}') ;;
      higher) best=$(printf '%s\n%s\n' "$d" "$q" | grep -v NA | sort -g | tail -1)
        ratio=$(awk -v b="$b" -v x="$best" -v h="$h" 'BEGIN{ if (b+0>0 && x+0>0 && h+0>0) printf "berth %.0f%% of host, best peer %.0f%%", 100*b/h, 100*x/h; else print "NA"}') ;;
      *) ratio= ;;
    esac
    printf '%-38s %10s %10s %10s %10s %s\n' "$2" "$b" "$d" "$q" "${h/NA/-}" "$ratio"
  }
  row up_port_ms "up -d until port answers (ms)" lower
  row up_exit_ms "up -d returns (ms)" lower
  row up_running_ms "up -d until 3 main procs run (ms)" lower
  row down_ms "down (ms)" lower
  row ps_ms "ps (ms)" lower
  row logs_ms "logs (ms)" lower
  row restart_proc_ms "killed restart:always: new proc (ms)" lower
  row restart_port_ms "killed restart:always: port (ms)" lower
  row idle_up_s "up -d of $IDLE_N idle services (s)" lower
  row idle_down_s "down of $IDLE_N idle services (s)" lower
  row idle_helpers_rss_mb "helpers RSS, $IDLE_N idle (MB)" mem
  row idle_helpers_pss_mb "helpers PSS, $IDLE_N idle (MB)" mem
  row idle_percontainer_helpers "  per-container helper processes" none
  row idle_percontainer_rss_mb "  of which per-container RSS (MB)" none
  row idle_daemons_rss_mb "  of which daemons RSS (MB)" none
  row tput_small_rps "wrk 1 KiB via published port (req/s)" higher
  row tput_big_MBps "wrk 1 MiB via published port (MiB/s)" higher
  row tput_iperf_Gbps "iperf3 via published port (Gbit/s)" higher
} | tee "$W/table.txt"
