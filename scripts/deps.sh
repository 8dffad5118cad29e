#!/bin/sh
# deps.sh - install the Debian packages kefu needs to build, test and run.
# Runs apt-get only for what is missing, and only as root.
set -e
BUILD="build-essential autoconf automake pkg-config libsqlite3-dev libyaml-dev
libncurses-dev libssh-dev libcrypt-dev libssl-dev libwslay-dev libhttp-parser-dev libmaxminddb-dev"
TEST="python3 groff-base tmux openssh-client sshpass netcat-openbsd valgrind clang
libclang-rt-14-dev sqlite3 redis-server ngircd chromium chromium-driver
python3-selenium fonts-wqy-microhei fonts-noto-color-emoji"
want="$BUILD"
[ "${1:-}" = "--test" ] && want="$BUILD $TEST"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing" >&2
	echo "deps.sh: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
