#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job (`make demo`): build the example images offline from Debian packages with the
# project's own recipes (tests/infra, cached), load them into berth's store, bring up
# examples/webstack with `berth up -d --wait`, then show where it answers and `berth ps`.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
source tests/infra/lib.sh
set +u

tests/infra/build-images.sh busybox base redis nginx postgres app >&2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for spec in nginx:1.22 redis:7 postgres:15 app:1 busybox:latest; do
  name=${spec%%:*}
  ref=localhost/berth/$spec
  if ! "$top/berth" image inspect "$ref" >/dev/null 2>&1; then
    skopeo copy --quiet "oci:$BERTH_IMG_CACHE/oci/$name:latest" "oci-archive:$tmp/$name.tar:$ref"
    "$top/berth" load -i "$tmp/$name.tar"
  fi
done

cd examples/webstack
"$top/berth" up -d --wait --wait-timeout 120
echo
echo "webstack is up: http://localhost:8080/ (stop it with: cd examples/webstack && ../../berth down)"
echo
"$top/berth" ps
echo
for _ in 1 2; do curl -fsS http://localhost:8080/; done
