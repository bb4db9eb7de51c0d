#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The test runner behind `make test`: unit tests (plain and ASan/UBSan builds), fuzz corpus
# replay, bats integration tests, then the residue check. Prints one summary line per part and a
# final plain line "N passed, N failed, N skipped"; exits non-zero on any failure.
# In CI (CI=true or BERTH_TEST_STRICT=1) a skipped test fails unless its name is on
# tests/skip-allowlist.txt with a reason.
#   tests/run.sh [unit] [fuzz] [integration] [residue] [all]
set -u
cd "$(dirname "$0")/.."
top=$PWD
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(all)
want() { local p; for p in "${parts[@]}"; do [ "$p" = "$1" ] || [ "$p" = all ] && return 0; done; return 1; }

strict=${BERTH_TEST_STRICT:-}
[ "${CI:-}" = true ] && strict=1
pass=0 fail=0 skip=0
failed_names=()

# Count TAP lines from a file; skipped tests not on the allow-list fail in strict mode.
count_tap() {
  local file=$1 label=$2 line name
  while IFS= read -r line; do
    case $line in
      "not ok "*)
        fail=$((fail + 1)); failed_names+=("$label: ${line#not ok }") ;;
      "ok "*"# skip"*|"ok "*"# SKIP"*)
        name=${line#ok }; name=${name#* }; name=${name%%# [sS][kK][iI][pP]*}; name=${name% }
        if [ -n "$strict" ] && ! grep -qxF -- "${name#- }" <(cut -d'|' -f1 tests/skip-allowlist.txt 2>/dev/null | sed 's/[[:space:]]*$//'); then
          fail=$((fail + 1)); failed_names+=("$label: skipped in CI (not on tests/skip-allowlist.txt): $line")
        else
          skip=$((skip + 1))
        fi ;;
      "ok "*) pass=$((pass + 1)) ;;
    esac
  done < "$file"
}

run_unit_dir() {
  local dir=$1 label=$2 bin out rc
  [ -d "$dir" ] || return 0
  for bin in "$dir"/test_*; do
    [ -x "$bin" ] && [ -f "$bin" ] || continue
    case $bin in *.o|*.d) continue ;; esac
    out=$(mktemp)
    CMOCKA_MESSAGE_OUTPUT=TAP ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$bin" > "$out" 2>&1
    rc=$?
    count_tap "$out" "$label/${bin##*/}"
    if [ $rc -ne 0 ] && ! grep -q '^not ok' "$out"; then
      fail=$((fail + 1)); failed_names+=("$label/${bin##*/}: exited $rc"); cat "$out"
    elif grep -q '^not ok' "$out"; then
      cat "$out"
    fi
    rm -f "$out"
  done
}

if want unit; then
  b0=$pass f0=$fail
  run_unit_dir "${BUILD:-build}/tests/unit" unit
  [ -z "${BUILD:-}" ] && run_unit_dir build/asan/tests/unit unit-asan
  echo "unit: $((pass - b0)) passed, $((fail - f0)) failed"
fi

if want fuzz; then
  b0=$pass f0=$fail
  for d in "${BUILD:-build}/tests/fuzz" build/asan/tests/fuzz; do
    [ -d "$d" ] || continue
    for bin in "$d"/replay_*; do
      [ -x "$bin" ] || continue
      name=${bin##*/replay_}
      corpus=tests/fuzz/corpus/$name
      [ -d "$corpus" ] || continue
      if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1 \
         timeout 600 "$bin" "$corpus" > /tmp/berth-replay.$$ 2>&1; then
        pass=$((pass + 1))
      else
        fail=$((fail + 1)); failed_names+=("fuzz replay $d/$name"); tail -30 /tmp/berth-replay.$$
      fi
      rm -f /tmp/berth-replay.$$
    done
  done
  echo "fuzz replay: $((pass - b0)) passed, $((fail - f0)) failed"
fi

if want integration; then
  b0=$pass f0=$fail s0=$skip
  if [ "$(id -u)" != 0 ]; then
    echo "integration tests need root" >&2; fail=$((fail + 1)); failed_names+=("integration: not root")
  else
    out=$(mktemp)
    files=(tests/integration/*.bats)
    [ -n "${BERTH_BATS_FILTER:-}" ] && files=(tests/integration/*${BERTH_BATS_FILTER}*.bats)
    # Test images and loopback registries (tests/infra): cached build, idempotent start. Unless
    # told otherwise, this run gets registries of its own (run dir, free loopback ports), so a
    # concurrent run on the same machine can neither stop them nor be stopped by this one.
    own_reg=
    if [ -z "${BERTH_REG_RUN:-}" ]; then
      own_reg=$(mktemp -d /tmp/berth-test-registry.XXXXXX)
      export BERTH_REG_RUN=$own_reg
      for _ in $(seq 50); do
        base=$((20000 + RANDOM % 9000))
        busy=$(ss -Htln "( sport >= :$base and sport <= :$((base + 4)) )" | wc -l)
        [ "$busy" = 0 ] && break
      done
      export BERTH_REG_PORT=$base BERTH_REG_BASIC_PORT=$((base + 1)) BERTH_REG_TOKEN_PORT=$((base + 2))
      export BERTH_TOKEN_SRV_PORT=$((base + 3)) BERTH_REG_ANON_PORT=$((base + 4))
    fi
    if envs=$(tests/infra/testenv.sh up); then
      eval "$envs"
      BERTH="$top/berth" BERTH_TOP="$top" bats --tap "${files[@]}" 2>&1 | tee "$out"
      count_tap "$out" integration
      # The CLI, the compose loader and up/down again with the ASan/UBSan build of berth.
      if [ -x build/asan/berth ] && [ -z "${BERTH_BATS_FILTER:-}" ]; then
        ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
          BERTH="$top/build/asan/berth" BERTH_TOP="$top" bats --tap tests/integration/00-cli.bats \
          tests/integration/10-config.bats tests/integration/70-compose-up.bats 2>&1 | tee "$out"
        count_tap "$out" integration-asan
      fi
      tests/infra/testenv.sh down || { fail=$((fail + 1)); failed_names+=("integration: testenv down"); }
      [ -z "$own_reg" ] || rm -rf "$own_reg"
    else
      fail=$((fail + 1)); failed_names+=("integration: tests/infra/testenv.sh up failed")
    fi
    rm -f "$out"
  fi
  echo "integration: $((pass - b0)) passed, $((fail - f0)) failed, $((skip - s0)) skipped"
fi

if want residue && [ -x tests/residue-check ]; then
  if r=$(tests/residue-check --ignore-processes); then
    pass=$((pass + 1))
  else
    fail=$((fail + 1)); failed_names+=("residue check"); echo "$r"
  fi
fi

if ((${#failed_names[@]})); then
  echo; echo "failures:"; printf '  %s\n' "${failed_names[@]}"
fi
echo
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
