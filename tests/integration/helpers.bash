# SPDX-License-Identifier: MIT
# Shared set-up for the bats integration tests. Every test gets its own BERTH_ROOT, BERTH_RUN,
# project name and working directory under $BATS_TEST_TMPDIR, and teardown brings its project
# down and checks that nothing carrying its mark is left.
bats_load_library bats-support
bats_load_library bats-assert

BERTH_TOP=${BERTH_TOP:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
BERTH=${BERTH:-$BERTH_TOP/berth}

# Per-test isolation. A short project name keeps interface and socket names within limits.
berth_test_setup() {
  export BERTH_ROOT=$BATS_TEST_TMPDIR/root
  export BERTH_RUN=$BATS_TEST_TMPDIR/run
  mkdir -p "$BERTH_ROOT" "$BERTH_RUN"
  PROJECT=bt$(printf '%s' "$BATS_TEST_FILENAME:$BATS_TEST_NUMBER:$$" | sha256sum | cut -c1-8)
  export PROJECT
  WORK=$BATS_TEST_TMPDIR/work
  mkdir -p "$WORK"
}

# Run berth as a user would, from the test's working directory.
b() {
  (cd "$WORK" && "$BERTH" "$@")
}

# Write the compose file of the test from stdin.
compose_file() {
  cat > "$WORK/${1:-compose.yaml}"
}
