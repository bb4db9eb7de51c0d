# app: the examples/webstack application image: busybox httpd (CGI) with the redis and postgres
# clients, on top of base (2 layers). The app itself is a CGI script bind-mounted by the example.
KIND=debian
FROM=base
PACKAGES="busybox redis-tools postgresql-client-15"
DESCRIPTION="busybox httpd + redis-cli + psql (webstack app)"
recipe_customize() {
  local r=$1
  install -d -m 0755 "$r/www"
}
CONFIG_ARGS=(
  --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  --config.env LANG=C.UTF-8
  --config.workingdir /www
  --config.entrypoint busybox
  --config.cmd=httpd --config.cmd=-f --config.cmd=-p --config.cmd=8080 --config.cmd=-h --config.cmd=/www
  --config.exposedports 8080/tcp
  --config.stopsignal SIGTERM
  --config.label org.opencontainers.image.title=berth-webstack-app
)
TAGS="1 latest"
