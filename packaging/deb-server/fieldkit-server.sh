#!/bin/sh
# /usr/bin/fieldkit-server: the packaged server's commands read the packaged config by default
# (FIELDKIT_SERVER_CONFIG, overridden by --config), so `sudo fieldkit-server enroll-code …` talks
# to the same database the service serves. Run as root, it runs as the service user instead:
# a database or certificate file created by root in /var/lib/fieldkit-server would lock the
# service out of its own data.
: "${FIELDKIT_SERVER_CONFIG:=/etc/fieldkit-server/config.toml}"
export FIELDKIT_SERVER_CONFIG
if [ "$(id -u)" = 0 ] && id -u fieldkit-server >/dev/null 2>&1; then
  exec runuser -u fieldkit-server -- /opt/fieldkit-server/fieldkit-server "$@"
fi
exec /opt/fieldkit-server/fieldkit-server "$@"
