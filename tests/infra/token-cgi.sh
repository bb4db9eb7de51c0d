#!/bin/sh
# SPDX-License-Identifier: MIT
# Minimal Docker-registry token server, run as a CGI under `busybox httpd`.
# busybox httpd already enforced HTTP Basic auth for /cgi-bin (httpd.conf), so
# REMOTE_USER is the authenticated user. Every requested scope is granted.
#   GET /cgi-bin/token?service=...&scope=repository:berth/busybox:pull,push[&scope=...]
# Reply: {"token": JWT, "access_token": JWT, "expires_in": 3600, "issued_at": ...}
# JWT: RS256, header carries x5c = the signing cert, which the registry trusts
# via auth.token.rootcertbundle. Config comes from token.env next to this script.
set -eu
. "$(dirname "$0")/token.env"   # TOKEN_KEY TOKEN_CERT_B64 TOKEN_ISSUER TOKEN_SERVICE

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
# portable %XX decoding (dash's printf %b has no \xHH)
urldecode() {
  printf '%s' "$1" | awk '
    BEGIN { for (i = 1; i < 256; i++) { h[sprintf("%02X", i)] = sprintf("%c", i); h[sprintf("%02x", i)] = sprintf("%c", i) } }
    { s = $0; gsub(/\+/, " ", s); o = ""
      while (match(s, /%[0-9A-Fa-f][0-9A-Fa-f]/)) { o = o substr(s, 1, RSTART - 1) h[substr(s, RSTART + 1, 2)]; s = substr(s, RSTART + 3) }
      printf "%s", o s }'
}

access=""
service=$TOKEN_SERVICE
IFS='&'
for kv in ${QUERY_STRING:-}; do
  k=${kv%%=*}; v=$(urldecode "${kv#*=}")
  case $k in
    service) service=$v ;;
    scope)
      # type:name:actions  (name may contain ':' only for a port - not used here)
      t=${v%%:*}; rest=${v#*:}; n=${rest%:*}; acts=${rest##*:}
      j=$(printf '%s' "$acts" | awk -F, '{for(i=1;i<=NF;i++) printf "%s\"%s\"", (i>1?",":""), $i}')
      access="${access:+$access,}{\"type\":\"$t\",\"name\":\"$n\",\"actions\":[$j]}" ;;
  esac
done
unset IFS

if [ "$service" != "$TOKEN_SERVICE" ]; then
  # busybox httpd passes output starting with "HTTP/1." through verbatim
  printf 'HTTP/1.0 400 Bad Request\r\nContent-Type: application/json\r\n\r\n{"errors":[{"code":"UNSUPPORTED","message":"unknown service"}]}\n'
  exit 0
fi

now=$(date +%s); exp=$((now + 3600))
hdr=$(printf '{"typ":"JWT","alg":"RS256","x5c":["%s"]}' "$TOKEN_CERT_B64" | b64url)
cls=$(printf '{"iss":"%s","sub":"%s","aud":"%s","exp":%d,"nbf":%d,"iat":%d,"jti":"%s","access":[%s]}' \
  "$TOKEN_ISSUER" "${REMOTE_USER:-anonymous}" "$service" "$exp" "$((now - 5))" "$now" \
  "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" "$access" | b64url)
sig=$(printf '%s.%s' "$hdr" "$cls" | openssl dgst -sha256 -sign "$TOKEN_KEY" -binary | b64url)
tok="$hdr.$cls.$sig"
printf 'Content-Type: application/json\r\n\r\n'
printf '{"token":"%s","access_token":"%s","expires_in":3600,"issued_at":"%s"}\n' \
  "$tok" "$tok" "$(date -u -d "@$now" +%Y-%m-%dT%H:%M:%SZ)"
