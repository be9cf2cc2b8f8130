#!/bin/sh
# apt_install_quietly.sh PACKAGE [SERVICE...]: install a Debian package whose service would
# start on its default port (varnish on 6081, nginx on 80) without letting it start. A
# policy-rc.d that exits 101 forbids starting services while apt runs (one already in place is
# left as it is), and the services named are disabled where systemd runs. The project runs its
# own instances, on ports of its own (scripts/stack.py, tests/varnish.py, benchmarks/).
set -eu
package=$1
shift
guard=
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    guard=1
fi
trap '[ -z "$guard" ] || rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$package"
if [ -d /run/systemd/system ] && [ "$#" -gt 0 ]; then
    systemctl disable --now "$@" || true
fi
