#!/bin/sh
# The official image's default user, and the broker reachable from other containers.
set -eu
cat > /etc/rabbitmq/conf.d/10-licensing.conf <<CONF
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
loopback_users = none
listeners.tcp.default = 5672
management.tcp.port = 15672
CONF
exec "$@"
