#!/usr/bin/env bats
bats_require_minimum_version 1.5.0
# `berth config`: the malformed-file corpus (exact messages), the compatibility corpus against
# docker compose's canonical form, round trips, and every flag and loading rule.
load helpers
load lib/config

setup() { berth_test_setup; }

@test "malformed files: each gives its exact error lines and exit 1" {
  local n=0 bad=0 f exp got rc
  for f in "$FIXTURES"/bad/[0-9]*.yaml; do
    exp=${f%.yaml}.expected
    n=$((n + 1))
    rc=0
    got=$(config_clean "$FIXTURES/bad" -f "${f##*/}" config -q 2>&1 >/dev/null) || rc=$?
    if [ "$rc" -ne 1 ] || [ "$got" != "$(cat "$exp")" ]; then
      bad=$((bad + 1))
      echo "== ${f##*/} (exit $rc)"; diff <(cat "$exp") <(printf '%s\n' "$got") || true
    fi
  done
  echo "$n files, $bad wrong"
  [ "$n" -ge 60 ]
  [ "$bad" -eq 0 ]
}

@test "compatibility corpus: config --format json agrees with docker compose" {
  local n=0 ok=0 d
  for d in "$FIXTURES"/compat/*/; do
    d=${d%/}
    n=$((n + 1))
    if compat_check "$d"; then ok=$((ok + 1)); else echo "== differs: ${d##*/}"; fi
  done
  echo "agreement: $ok/$n"
  [ "$n" -ge 30 ]
  [ "$ok" -eq "$n" ]
}

@test "round trip: config output fed back gives the same model (YAML and JSON)" {
  local d y j1 j2 j3
  for d in "$FIXTURES"/compat/*/; do
    d=${d%/}
    y=$(config_clean "$d" config) || { echo "config failed in $d"; return 1; }
    j1=$(config_clean "$d" config --format json)
    j2=$(printf '%s\n' "$y" | config_clean "$d" -f - config --format json)
    j3=$(printf '%s\n' "$j1" | config_clean "$d" -f - config --format json)
    [ "$j1" = "$j2" ] || { echo "yaml round trip differs in ${d##*/}"; diff <(echo "$j1") <(echo "$j2"); return 1; }
    [ "$j1" = "$j3" ] || { echo "json round trip differs in ${d##*/}"; return 1; }
  done
}

@test "--services, --volumes, --profiles, --images, --networks list names" {
  compose_file <<'YAML'
services:
  web: {image: nginx, volumes: ["data:/d"]}
  db: {image: postgres, profiles: [db]}
  tool: {build: ., profiles: [tools, db]}
volumes: {data: {}}
YAML
  run --separate-stderr b -p demo config --services
  assert_success
  assert_output 'web'
  run --separate-stderr b -p demo --profile db config --services
  assert_output $'db\ntool\nweb'
  run --separate-stderr b -p demo config --volumes
  assert_output 'data'
  run --separate-stderr b -p demo config --profiles
  assert_output $'db\ntools'
  run --separate-stderr b -p demo --profile '*' config --images
  assert_output $'postgres\ndemo-tool\nnginx'
  run --separate-stderr b -p demo config --networks
  assert_output 'default'
}

@test "-q prints nothing, -o writes the file, --format json is JSON" {
  compose_file <<'YAML'
services:
  web: {image: nginx, ports: ["8080:80"]}
YAML
  run b config -q
  assert_success
  assert_output ''
  run b config -o "$WORK/out.yaml"
  assert_success
  assert_output ''
  run grep -c 'published: "8080"' "$WORK/out.yaml"
  assert_output 1
  run b config --format json
  run jq -r '.services.web.ports[0].target' <<< "$output"
  assert_output 80
  run b config --format xml
  assert_failure 2
}

@test "interpolation: shell wins over .env, --env-file replaces .env, unset warns once" {
  compose_file <<'YAML'
services:
  web:
    image: "nginx:${TAG}"
    environment:
      A: "${FROM_DOTENV}"
      B: "${MISSING}${MISSING}"
YAML
  printf 'TAG=from-dotenv\nFROM_DOTENV=dot\n' > "$WORK/.env"
  printf 'TAG=from-envfile\n' > "$WORK/other.env"
  run b config --format json
  assert_success
  assert_output --partial '"image": "nginx:from-dotenv"'
  run env TAG=from-shell "$BERTH" --project-directory "$WORK" config --format json
  assert_output --partial '"image": "nginx:from-shell"'
  run b --env-file other.env config --format json
  assert_output --partial '"image": "nginx:from-envfile"'
  refute_output --partial '"A": "dot"'
  run b config -q
  assert_output 'warning: compose.yaml:6:10: the "MISSING" variable is not set; defaulting to a blank string'
  run b config --no-interpolate
  assert_output --partial 'nginx:${TAG}'
  run b --env-file nope.env config
  assert_failure 1
  assert_output 'nope.env: no such file'
}

@test "discovery: compose.yaml and its override found from a subdirectory" {
  compose_file <<'YAML'
services:
  web: {image: nginx, environment: {LEVEL: base}}
YAML
  compose_file compose.override.yaml <<'YAML'
services:
  web: {environment: {LEVEL: override}}
YAML
  mkdir -p "$WORK/sub/dir"
  run bash -c "cd '$WORK/sub/dir' && '$BERTH' config --format json"
  assert_success
  assert_output --partial '"LEVEL": "override"'
  assert_output --partial "\"name\": \"$(basename "$WORK")\""
  run bash -c "cd / && '$BERTH' config"
  assert_failure 1
  assert_output 'no configuration file provided: not found'
}

@test "-f repeated, COMPOSE_FILE with COMPOSE_PATH_SEPARATOR, -f - reads stdin" {
  compose_file a.yaml <<<'services: {a: {image: one}}'
  compose_file b.yaml <<<'services: {a: {image: two}, b: {image: three}}'
  run b -f a.yaml -f b.yaml config --images
  assert_output $'two\nthree'
  run env COMPOSE_FILE="a.yaml;b.yaml" COMPOSE_PATH_SEPARATOR=";" bash -c "cd '$WORK' && '$BERTH' config --services"
  assert_output $'a\nb'
  run bash -c "cd '$WORK' && echo 'services: {s: {image: x}}' | '$BERTH' -f - config --services"
  assert_output 's'
}

@test "project name: -p, COMPOSE_PROJECT_NAME, name:, directory; invalid -p fails" {
  compose_file <<<'{name: "My_App", services: {w: {image: x}}}'
  run b config --format json
  assert_output --partial '"name": "my_app"'
  run env COMPOSE_PROJECT_NAME=FromEnv bash -c "cd '$WORK' && '$BERTH' config --format json"
  assert_output --partial '"name": "fromenv"'
  run b -p given config --format json
  assert_output --partial '"name": "given"'
  assert_output --partial '"name": "given_default"'
  run b -p 'Bad Name' config
  assert_failure 1
  assert_output --partial 'invalid project name "Bad Name"'
}

@test "profiles: --profile wins over COMPOSE_PROFILES" {
  compose_file <<'YAML'
services:
  a: {image: x}
  b: {image: x, profiles: [p1]}
  c: {image: x, profiles: [p2]}
YAML
  run env COMPOSE_PROFILES=p1,p2 bash -c "cd '$WORK' && '$BERTH' config --services"
  assert_output $'a\nb\nc'
  run env COMPOSE_PROFILES=p1 bash -c "cd '$WORK' && '$BERTH' --profile p2 config --services"
  assert_output $'a\nc'
}

@test "unsupported attributes are accepted with one warning each" {
  compose_file <<'YAML'
services:
  web:
    image: x
    build: .
    gpus: all
    develop: {watch: []}
  db:
    image: y
    gpus: all
YAML
  run b config -q
  assert_success
  assert_output $'warning: compose.yaml:4:5: services.web.build: not supported by berth yet; accepted and ignored\nwarning: compose.yaml:5:5: services.web.gpus: not supported by berth yet; accepted and ignored\nwarning: compose.yaml:6:5: services.web.develop: not supported by berth yet; accepted and ignored\nwarning: compose.yaml:9:5: services.db.gpus: not supported by berth yet; accepted and ignored'
}

@test "version: is ignored silently and x-* is allowed anywhere" {
  compose_file <<'YAML'
version: "3.9"
x-top: 1
services:
  web:
    image: x
    x-mine: {a: 1}
    healthcheck: {test: ["CMD", "true"], x-note: ok}
YAML
  run b config -q
  assert_success
  assert_output ''
}

@test "config SERVICE... keeps the named services and their dependencies" {
  compose_file <<'YAML'
services:
  web: {image: x, depends_on: [app]}
  app: {image: x, depends_on: [db]}
  db: {image: x, volumes: ["data:/d"]}
  other: {image: x, volumes: ["logs:/l"]}
volumes: {data: {}, logs: {}}
YAML
  run b config --services app
  assert_success
  assert_output $'app\ndb'
  run b config --volumes web
  assert_output 'data'
  run b config nope
  assert_failure 1
  assert_output 'no such service: nope'
}
