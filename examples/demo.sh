#!/usr/bin/env bash
# The main job (README): for now, build berth and show the version. Grows into `berth up` of
# examples/webstack as the parts land.
set -euo pipefail
cd "$(dirname "$0")/.."
./berth version
