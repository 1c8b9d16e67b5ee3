#!/bin/sh
# root.sh SUITE ROOT MIRROR PACKAGE...: build a minimal Debian root file
# system of SUITE in ROOT (via ROOT.partial, renamed when complete, so a
# half-built root is never used) with debootstrap from MIRROR, and install
# PACKAGE... in it. rbdtui lab embeds this script and runs it as root.
set -eu
suite=$1 root=$2 mirror=$3
shift 3
work=$root.partial
if [ ! -e "$work/.debootstrap-done" ]; then
	rm -rf "$work"
	echo "root: debootstrap --variant=minbase $suite $work $mirror"
	debootstrap --variant=minbase "$suite" "$work" "$mirror"
	touch "$work/.debootstrap-done"
fi
# A development suite's Release file expires within days of being signed,
# and a snapshot mirror serves it long after: apt would refuse it.
echo 'Acquire::Check-Valid-Until "false";' >"$work/etc/apt/apt.conf.d/99rbdtui"
# Packages must not start daemons in the root.
printf '#!/bin/sh\nexit 101\n' >"$work/usr/sbin/policy-rc.d"
chmod 755 "$work/usr/sbin/policy-rc.d"
echo "root: apt-get install $*"
unshare --mount --propagation private sh -euc '
	work=$1; shift
	mount --rbind /dev "$work/dev"
	mount -t proc proc "$work/proc"
	chroot "$work" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	chroot "$work" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
	chroot "$work" apt-get clean
' sh "$work" "$@"
echo "$suite" >"$work/etc/rbdtui-root"
mv "$work" "$root"
echo "root: $root ready"
