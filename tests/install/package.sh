#!/bin/bash
# package.sh OUTDIR VERSION KVER [JOBS]
# `make test-package`: the Debian packages from a copy of this tree (the
# sources git knows of, changes included; dpkg-buildpackage cleans the tree
# it builds in, and must not clean this one's build/):
#   dpkg-buildpackage -us -uc -b      libnpu0, libnpu-dev, npu-tools, npu-dkms
#   lintian                           no error and no warning (the default level)
#   each package's file list          printed; the files the packages share out
#   every .deb unpacked into one root check_tree.sh: pkg-config, the example on
#                                     cpu and sim, the npu command, the man
#                                     pages, dkms build of npu-dkms's sources
# Prints the time of each step.
set -euo pipefail
OUT=$(realpath -m "$1") VERSION=$2 KVER=$3 JOBS=${4:-2}
rm -rf "$OUT"
mkdir -p "$OUT/src/npu-$VERSION" "$OUT/root"
fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
now() { date +%s.%N; }
took() { awk "BEGIN { printf \"%.1f\", $(now) - $1 }"; }

changelog_version=$(dpkg-parsechangelog -l debian/changelog -S Version)
[ "$changelog_version" = "$VERSION" ] ||
	fail "debian/changelog says $changelog_version, mk/install.mk NPU_VERSION $VERSION"

if git rev-parse --git-dir > /dev/null 2>&1; then
	git ls-files -z --cached --others --exclude-standard | xargs -0 cp -P --parents -t "$OUT/src/npu-$VERSION"
else
	tar -c --exclude=./build --exclude=./.git . | tar -x -C "$OUT/src/npu-$VERSION"
fi

# The build is on its own, not part of the make that called this script.
unset MAKEFLAGS MFLAGS MAKELEVEL
t0=$(now)
(cd "$OUT/src/npu-$VERSION" && DEB_BUILD_OPTIONS="parallel=$JOBS" \
	dpkg-buildpackage -us -uc -b > "$OUT/build.log" 2>&1) || { tail -60 "$OUT/build.log"; fail "dpkg-buildpackage (log: $OUT/build.log)"; }
echo "test-package: dpkg-buildpackage -us -uc -b in $(took "$t0") s"
grep -E '^dpkg-gensymbols: warning|^dpkg-shlibdeps: warning' "$OUT/build.log" &&
	fail "dpkg-gensymbols or dpkg-shlibdeps warned (above)"

arch=$(dpkg-architecture -qDEB_HOST_ARCH)
changes=$OUT/src/npu_${VERSION}_$arch.changes
[ -f "$changes" ] || fail "no $changes"
for p in "libnpu0_${VERSION}_$arch" "libnpu-dev_${VERSION}_$arch" "npu-tools_${VERSION}_$arch" \
	 "npu-dkms_${VERSION}_all"; do
	[ -f "$OUT/src/$p.deb" ] || fail "$p.deb was not built"
done

t0=$(now)
# (lintian's stderr only says that it runs as root)
lintian --fail-on error,warning "$changes" > "$OUT/lintian.log" 2> "$OUT/lintian.err" || {
	cat "$OUT/lintian.log" "$OUT/lintian.err"; fail "lintian"; }
[ ! -s "$OUT/lintian.log" ] || { cat "$OUT/lintian.log"; fail "lintian has something to say"; }
echo "test-package: lintian (default level) clean in $(took "$t0") s"

for deb in "$OUT"/src/*.deb; do
	case $deb in *-dbgsym_*) continue ;; esac
	echo "--- $(basename "$deb"):"
	dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { $1 = $2 = $3 = $4 = $5 = ""; sub(/^ +/, ""); print "    " $0 }'
	dpkg-deb -x "$deb" "$OUT/root"
done
# npu-dkms's postinst registers the module with DKMS (dh_dkms).
dpkg-deb -e "$OUT/src/npu-dkms_${VERSION}_all.deb" "$OUT/dkms-control"
grep -q 'dkms' "$OUT/dkms-control/postinst" || fail "npu-dkms's postinst does not call dkms"
grep -q "PACKAGE_VERSION=\"$VERSION\"" "$OUT/root/usr/src/npu-$VERSION/dkms.conf" ||
	fail "npu-dkms's dkms.conf does not carry version $VERSION"

t0=$(now)
tests/install/check_tree.sh "$OUT/root" /usr/bin "/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)" \
	/usr/include /usr/share/man "$VERSION" "$KVER" "$OUT/src/npu-$VERSION/build"
echo "test-package: the unpacked packages checked in $(took "$t0") s"
