#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Local OCI registries on loopback (Debian's docker-registry = distribution 2.8).
#
#   registry.sh start [plain|basic|token|all]   idempotent; default all
#   registry.sh stop                            stops everything this script started (by pid file)
#   registry.sh status
#   registry.sh env                             prints shell exports for tests
#
# Instances (all share one filesystem storage, $BERTH_REG_RUN/data):
#   plain  127.0.0.1:$BERTH_REG_PORT        no auth
#   basic  127.0.0.1:$BERTH_REG_BASIC_PORT  htpasswd (bcrypt) basic auth
#   token  127.0.0.1:$BERTH_REG_TOKEN_PORT  bearer token auth; token server (busybox httpd
#          + token-cgi.sh, itself behind basic auth) on 127.0.0.1:$BERTH_TOKEN_SRV_PORT
#   anon   127.0.0.1:$BERTH_REG_ANON_PORT   bearer token auth with anonymous tokens (the same
#          token server's /cgi-bin/anon, no basic auth): how Docker Hub serves public images
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUN=$BERTH_REG_RUN
DATA=${BERTH_REG_DATA:-$RUN/data}
TOKEN_ISSUER=berth-test-token-issuer
TOKEN_SERVICE=berth-test-registry

pid_alive() { # piddir -> 0 if the recorded pid runs the recorded command
  local f=$1/pid p
  [ -f "$f" ] || return 1
  p=$(cat "$f")
  [ -d "/proc/$p" ] && [ "$(tr '\0' ' ' < "/proc/$p/cmdline")" = "$(cat "$1/cmdline" 2>/dev/null)" ]
}

spawn() { # dir port cmd... : start in background, record pid+cmdline, wait for port
  local dir=$1 port=$2; shift 2
  if pid_alive "$dir"; then return 0; fi
  if port_in_use "$port"; then die "127.0.0.1:$port is already in use by another process (set BERTH_REG_*PORT)"; fi
  # close every inherited fd > 2 (lock fds, callers' pipes): a daemon holding the
  # caller's stdout pipe makes `$(registry.sh ...)` or CI step runners hang
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"
    done
    exec setsid "$@"
  ) > "$dir/log" 2>&1 < /dev/null &
  echo $! > "$dir/pid"
  printf '%s ' "$@" > "$dir/cmdline"
  wait_port "$port" 200 || { tail -5 "$dir/log" >&2; die "$(basename "$dir") did not come up on :$port"; }
}

write_config() { # dir port [auth-yaml]
  local dir=$1 port=$2 auth=${3:-}
  cat > "$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $DATA
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: berth-test-not-secret
  headers:
    X-Content-Type-Options: [nosniff]
$auth
EOF
}

start_plain() {
  local d=$RUN/plain; mkdir -p "$d" "$DATA"
  write_config "$d" "$BERTH_REG_PORT"
  spawn "$d" "$BERTH_REG_PORT" docker-registry serve "$d/config.yml"
}

start_basic() {
  local d=$RUN/basic; mkdir -p "$d" "$DATA"
  # distribution only accepts bcrypt entries (-B)
  [ -f "$d/htpasswd" ] || htpasswd -Bbn "$BERTH_REG_USER" "$BERTH_REG_PASS" > "$d/htpasswd"
  write_config "$d" "$BERTH_REG_BASIC_PORT" "auth:
  htpasswd:
    realm: berth-test
    path: $d/htpasswd"
  spawn "$d" "$BERTH_REG_BASIC_PORT" docker-registry serve "$d/config.yml"
}

start_token() {
  local d=$RUN/token t=$RUN/tokensrv
  mkdir -p "$d" "$t/www/cgi-bin" "$DATA"
  if [ ! -f "$t/key.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=$TOKEN_ISSUER" \
      -keyout "$t/key.pem" -out "$t/cert.pem" 2>/dev/null
  fi
  cat > "$t/www/cgi-bin/token.env" <<EOF
TOKEN_KEY=$t/key.pem
TOKEN_CERT_B64=$(openssl x509 -in "$t/cert.pem" -outform DER | openssl base64 -A)
TOKEN_ISSUER=$TOKEN_ISSUER
TOKEN_SERVICE=$TOKEN_SERVICE
EOF
  install -m 0755 "$IMG_TOOLS_DIR/token-cgi.sh" "$t/www/cgi-bin/token"
  install -m 0755 "$IMG_TOOLS_DIR/token-cgi.sh" "$t/www/cgi-bin/anon"
  # busybox httpd: basic auth on /cgi-bin/token (plain-text password is allowed in httpd.conf);
  # /cgi-bin/anon hands out anonymous tokens
  printf 'A:127.0.0.1\nD:*\n/cgi-bin/token:%s:%s\n' "$BERTH_REG_USER" "$BERTH_REG_PASS" > "$t/httpd.conf"
  spawn "$t" "$BERTH_TOKEN_SRV_PORT" busybox httpd -f -p "127.0.0.1:$BERTH_TOKEN_SRV_PORT" \
    -h "$t/www" -c "$t/httpd.conf" -r berth-token
  write_config "$d" "$BERTH_REG_TOKEN_PORT" "auth:
  token:
    realm: http://127.0.0.1:$BERTH_TOKEN_SRV_PORT/cgi-bin/token
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: $t/cert.pem"
  spawn "$d" "$BERTH_REG_TOKEN_PORT" docker-registry serve "$d/config.yml"
  d=$RUN/anon; mkdir -p "$d"
  write_config "$d" "$BERTH_REG_ANON_PORT" "auth:
  token:
    realm: http://127.0.0.1:$BERTH_TOKEN_SRV_PORT/cgi-bin/anon
    service: $TOKEN_SERVICE
    issuer: $TOKEN_ISSUER
    rootcertbundle: $t/cert.pem"
  spawn "$d" "$BERTH_REG_ANON_PORT" docker-registry serve "$d/config.yml"
}

stop_all() {
  local d p
  for d in "$RUN"/plain "$RUN"/basic "$RUN"/token "$RUN"/anon "$RUN"/tokensrv; do
    if pid_alive "$d"; then
      p=$(cat "$d/pid"); kill "$p" 2>/dev/null || true
      for _ in $(seq 40); do [ -d "/proc/$p" ] || break; sleep 0.05; done
      [ -d "/proc/$p" ] && kill -9 "$p" 2>/dev/null || true
    fi
    rm -f "$d/pid" "$d/cmdline"
  done
}

status() {
  local d
  for d in plain basic token anon tokensrv; do
    if pid_alive "$RUN/$d"; then echo "$d: running pid $(cat "$RUN/$d/pid")"; else echo "$d: stopped"; fi
  done
}

print_env() {
  cat <<EOF
export BERTH_TEST_REGISTRY=127.0.0.1:$BERTH_REG_PORT
export BERTH_TEST_REGISTRY_BASIC=127.0.0.1:$BERTH_REG_BASIC_PORT
export BERTH_TEST_REGISTRY_TOKEN=127.0.0.1:$BERTH_REG_TOKEN_PORT
export BERTH_TEST_REGISTRY_USER=$BERTH_REG_USER
export BERTH_TEST_REGISTRY_PASS=$BERTH_REG_PASS
export BERTH_TEST_REGISTRY_ANON=127.0.0.1:$BERTH_REG_ANON_PORT
export BERTH_TEST_TOKEN_SERVER=127.0.0.1:$BERTH_TOKEN_SRV_PORT
export BERTH_TEST_IMAGES=$BERTH_IMG_CACHE/oci
export BERTH_TEST_REGISTRY_DATA=$DATA
EOF
}

cmd=${1:-start}; what=${2:-all}
case $cmd in
  start)
    mkdir -p "$RUN"
    exec 8>"$RUN/.lock"; flock 8
    case $what in
      plain) start_plain ;; basic) start_basic ;; token) start_token ;;
      all) start_plain; start_basic; start_token ;;
      *) die "unknown instance $what" ;;
    esac ;;
  stop) mkdir -p "$RUN"; exec 8>"$RUN/.lock"; flock 8; stop_all ;;
  status) status ;;
  env) print_env ;;
  *) die "usage: $0 start|stop|status|env [plain|basic|token|all]" ;;
esac
