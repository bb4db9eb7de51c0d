#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One entry point for berth's tests: test images + local registries, idempotent.
#
#   testenv.sh up      install tools (if missing), build images (cached), seed storage,
#                      start the registries; prints `export ...` lines for the tests
#   testenv.sh down    stop the registries (by pid file)
#   testenv.sh env     print the exports again
#
# Cold (empty cache, 2 cores): ~2.5 min. Warm (cache present): < 1 s if already up,
# ~1-2 s after a reboot/CI restart (copy of the seeded storage + registry start).
#   eval "$(tests/infra/testenv.sh up)"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
D=$IMG_TOOLS_DIR

up() {
  local t0
  t0=$(now)
  ensure_host_pkgs
  "$D/build-images.sh" >&2
  if ! "$D/seed-registry.sh" --is-current; then
    "$D/registry.sh" stop >&2          # storage is about to be replaced
    "$D/seed-registry.sh" >&2
  fi
  "$D/registry.sh" start all >&2
  "$D/registry.sh" env
  log "test environment up in $(elapsed "$t0")s"
}

case ${1:-up} in
  up) up ;;
  down) "$D/registry.sh" stop ;;
  env) "$D/registry.sh" env ;;
  *) die "usage: $0 up|down|env" ;;
esac
