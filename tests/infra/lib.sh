# shellcheck shell=bash
# SPDX-License-Identifier: MIT
# tests/infra/lib.sh: settings and helpers shared by berth's offline test images and local
# registries. Sourced by every script in tests/infra. Every setting can be overridden by env;
# run several environments side by side on one machine by giving each its own ports and
# BERTH_REG_RUN.

set -euo pipefail

IMG_TOOLS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Persistent cache (survives across CI runs on the same machine).
: "${BERTH_IMG_CACHE:=/var/cache/berth-test-images-v1}"
# Runtime state of the local registries (pids, configs, storage copy).
: "${BERTH_REG_RUN:=/tmp/berth-test-registry-v1}"
# Loopback ports: plain, htpasswd (basic), token-auth registry, token server, anonymous-token registry.
: "${BERTH_REG_PORT:=5000}"
: "${BERTH_REG_BASIC_PORT:=5001}"
: "${BERTH_REG_TOKEN_PORT:=5002}"
: "${BERTH_TOKEN_SRV_PORT:=5003}"
: "${BERTH_REG_ANON_PORT:=5004}"
# Test credentials (test-only, not secrets).
: "${BERTH_REG_USER:=berth}"
: "${BERTH_REG_PASS:=berth-test-pass}"
# Debian suite for the images; apt sources are taken from the host.
: "${BERTH_SUITE:=bookworm}"
: "${BERTH_APT_SOURCES:=/etc/apt/sources.list.d/debian.sources}"
# Fixed timestamp for layers/configs (keeps digests stable for identical input).
: "${SOURCE_DATE_EPOCH:=1700000000}"
export SOURCE_DATE_EPOCH
# Bump to force a rebuild of every image (e.g. to pick up archive updates).
: "${BERTH_IMG_EPOCH:=1}"

REPO_PREFIX=berth   # images are pushed as 127.0.0.1:PORT/berth/<name>:<tag>

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.2f", b-a}'; }

ts_rfc3339() { date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ; }

# Packages the tooling needs on the host (all from the Debian archive).
HOST_PKGS=(docker-registry skopeo umoci mmdebstrap nftables busybox-static
           apache2-utils jq rsync openssl curl iproute2 util-linux attr zstd python3)

# Tools are normally installed by `make deps` (Makefile DEB_TEST); this is the fallback for a
# direct call of the scripts.
ensure_host_pkgs() {
  local missing=() p
  for p in "${HOST_PKGS[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing: ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 \
      || { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
  fi
}

# sha256 of the given files' contents plus extra strings -> short cache key
hash_key() {
  { for f in "$@"; do if [ -f "$f" ]; then cat "$f"; else printf '%s\n' "$f"; fi; done; } | sha256sum | cut -c1-16
}

# Clamp mtimes of everything newer than SOURCE_DATE_EPOCH (for stable layer diffs).
clamp_mtimes() {
  find "$1" -xdev -newermt "@$SOURCE_DATE_EPOCH" -print0 | xargs -0r touch -h -d "@$SOURCE_DATE_EPOCH"
}

# Wait until a TCP port on 127.0.0.1 accepts connections (timeout in 1/20 s).
wait_port() {
  local port=$1 n=${2:-100}
  while ((n-- > 0)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
