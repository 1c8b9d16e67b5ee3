#!/bin/bash
# Builds a Debian package of rbdtui with dpkg-deb: the binary, its man page
# and completions under /usr, depending on the librados/librbd packages (and
# libc) the binary was linked against, at least at the versions it was built
# with. Usage: packaging/deb.sh BIN MANPAGE COMPLETIONS_DIR VERSION OUT_DIR
set -euo pipefail
bin=$1 man=$2 comp=$3 version=$4 out=$5

# A Debian version starts with a digit: v0.2.0-3-gabc1234-dirty becomes
# 0.2.0+3.gabc1234.dirty; a bare commit hash (no tag yet) 0.0.0+git.<hash>.
v=${version#v}
if [[ ! $v =~ ^[0-9]+\.[0-9]+ ]]; then v="0.0.0+git.$v"; fi
v=${v/-/+}
v=${v//-/.}

arch=$(dpkg --print-architecture)
root="$out/rbdtui_${v}_${arch}"
rm -rf "$root"
install -Dm755 "$bin" "$root/usr/bin/rbdtui"
install -d "$root/usr/share/man/man1"
gzip -9n < "$man" > "$root/usr/share/man/man1/rbdtui.1.gz"
install -Dm644 "$comp/rbdtui" "$root/usr/share/bash-completion/completions/rbdtui"
install -Dm644 "$comp/_rbdtui" "$root/usr/share/zsh/vendor-completions/_rbdtui"
install -Dm644 "$comp/rbdtui.fish" "$root/usr/share/fish/vendor_completions.d/rbdtui.fish"
install -Dm644 LICENSE "$root/usr/share/doc/rbdtui/copyright"

# Depends: the package of every Ceph library and libc the binary links,
# at least at the installed version it was built against.
deps=()
for lib in $(ldd "$bin" | awk '/librados|librbd|libc\.so/ {print $3}'); do
  pkg=""
  for p in "$lib" "$(realpath "$lib")"; do
    pkg=$(dpkg -S "$p" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$pkg" ] && break
  done
  if [ -z "$pkg" ]; then echo "deb: no Debian package owns $lib; install librados-dev/librbd-dev from Debian" >&2; exit 1; fi
  ver=$(dpkg-query -W -f='${Version}' "$pkg")
  deps+=("$pkg (>= $ver)")
done
[ ${#deps[@]} -ge 2 ] || { echo "deb: $bin does not link librados and librbd" >&2; exit 1; }
depends=$(printf '%s\n' "${deps[@]}" | sort -u | paste -sd, | sed 's/,/, /g')

size=$(du -ks "$root" | cut -f1)
install -d "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<CONTROL
Package: rbdtui
Version: $v
Architecture: $arch
Maintainer: rbdtui maintainers <rbdtui@localhost>
Installed-Size: $size
Depends: $depends
Section: admin
Priority: optional
Homepage: https://github.com/rbdtui/rbdtui
Description: terminal console and CLI for Ceph RBD mirroring
 rbdtui browses Ceph sites, pools, images, consistency groups and journals,
 acts on them and watches RBD mirroring live; with a command it runs that
 command once in the rbd CLI's grammar, for scripts.
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/rbdtui_${v}_${arch}.deb" >/dev/null
echo "$out/rbdtui_${v}_${arch}.deb"
