# SPDX-License-Identifier: MIT
# Helpers for the `berth config` tests: the malformed-file corpus (exact stderr) and the
# compatibility corpus (projection of `config --format json` against expected.json).
FIXTURES=${BERTH_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}/tests/fixtures

# The fields compared with docker compose: image, command, entrypoint, environment,
# depends_on, published and target ports, volume types, sources and targets.
COMPAT_JQ='{services: (.services | map_values(
  {image, command, entrypoint, environment, depends_on,
   ports: ((.ports // []) | map({target, published, host_ip, protocol}
            | with_entries(select(.value != null))) | sort_by(.target, .protocol, .host_ip)),
   volumes: ((.volumes // []) | map({type, source, target}
            | with_entries(select(.value != null))) | sort_by(.target))}
  | with_entries(select(.value != null and .value != []))))}'

# Run berth config in a clean environment (only PATH and HOME), from directory $1.
config_clean() {
  local dir=$1; shift
  (cd "$dir" && env -i PATH=/usr/bin:/bin HOME=/nonexistent "$BERTH" "$@")
}

# Compare one compat case; prints a diff and fails when they differ.
compat_check() {
  local dir=$1 got want parent
  parent=$(dirname "$dir")
  got=$(config_clean "$dir" config --format json | jq -S "$COMPAT_JQ") || return 1
  want=$(sed -e "s|\${DIR}|$dir|g" -e "s|\${PARENT}|$parent|g" "$dir/expected.json" |
         jq -S "$COMPAT_JQ") || return 1
  if [ "$got" != "$want" ]; then
    diff <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -40
    return 1
  fi
}
