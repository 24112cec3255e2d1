#!/usr/bin/env bash
# Builds libvsi in release mode and installs it under a prefix:
#
#   PREFIX/lib/libvsi.so.X.Y.Z, libvsi.so.X -> ..., libvsi.so -> libvsi.so.X
#   PREFIX/lib/libvsi.a
#   PREFIX/include/cpl_vsi_rs.h
#   PREFIX/bin/vsi
#   PREFIX/lib/cmake/vsi/{vsiConfig,vsiConfigVersion,vsiTargets}.cmake
#   PREFIX/lib/pkgconfig/vsi.pc
#
# The CMake and pkg-config files are relocatable (they locate the prefix from
# their own path), so the tree may be moved or staged with DESTDIR.
#
# usage: scripts/install.sh [--prefix DIR] [--no-build]
#   --prefix DIR  install prefix (default: $PREFIX, else /usr/local)
#   --no-build    install what target/release already holds (no cargo run)
# environment:
#   PREFIX            default prefix when --prefix is not given
#   DESTDIR           staging root, prepended to every installed path
#   CARGO             cargo executable (default: cargo)
#   CARGO_TARGET_DIR  honoured, as cargo does
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${PREFIX:-/usr/local}
CARGO=${CARGO:-cargo}
BUILD=1

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
die() { echo "install.sh: $*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --prefix) [[ $# -ge 2 ]] || die "--prefix needs a directory"; PREFIX=$2; shift 2 ;;
        --prefix=*) PREFIX=${1#--prefix=}; shift ;;
        --no-build) BUILD=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done
[[ -n $PREFIX ]] || die "empty prefix"
# Relative prefixes are taken from the caller's directory.
[[ $PREFIX == /* ]] || PREFIX=$PWD/$PREFIX

# System libraries libvsi.a needs, from
#   cargo rustc --release --lib --crate-type staticlib -- --print native-static-libs
# (which prints "-lcurl -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc" for
# x86_64-unknown-linux-gnu; -lc is implicit). capi-tests links a test program
# against libvsi.a with exactly this list, so a change shows up there.
STATIC_LIBS=(curl gcc_s util rt pthread m dl)

cd "$ROOT"

VERSION=$(awk '
    /^\[/ { in_pkg = ($0 == "[package]") }
    in_pkg && /^version[ \t]*=/ { gsub(/.*=[ \t]*"|".*/, ""); print; exit }
' Cargo.toml)
[[ $VERSION =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || die "cannot read a X.Y.Z version from Cargo.toml (got '$VERSION')"
MAJOR=${BASH_REMATCH[1]}
MINOR=${BASH_REMATCH[2]}

# The build links libcurl (HTTP handlers) and OpenSSL (through curl), found
# with pkg-config: install their headers when missing.
BUILD_PACKAGES=(pkg-config libcurl4-openssl-dev libssl-dev)
if [[ $BUILD == 1 ]]; then
    "$ROOT/scripts/apt-ensure.sh" "${BUILD_PACKAGES[@]}"
fi

if [[ $BUILD == 1 ]]; then
    command -v "$CARGO" >/dev/null || die "cargo not found (install Rust: https://rustup.rs)"
    if [[ ! -f Cargo.lock ]]; then
        echo "install.sh: Cargo.lock missing, generating it" >&2
        "$CARGO" generate-lockfile
    fi
    "$CARGO" build --release --locked
fi

TARGET_DIR=${CARGO_TARGET_DIR:-}
if [[ -z $TARGET_DIR ]]; then
    TARGET_DIR=$("$CARGO" metadata --format-version 1 --no-deps 2>/dev/null \
        | grep -o '"target_directory":"[^"]*"' | head -n1 | sed 's/.*:"//; s/"$//') || true
    [[ -n $TARGET_DIR ]] || TARGET_DIR=$ROOT/target
fi
[[ $TARGET_DIR == /* ]] || TARGET_DIR=$ROOT/$TARGET_DIR
OUT=$TARGET_DIR/release

for f in "$OUT/libvsi.so" "$OUT/libvsi.a" "$OUT/vsi" "$ROOT/include/cpl_vsi_rs.h"; do
    [[ -f $f ]] || die "$f is missing (run without --no-build?)"
done

# The SONAME is set by build.rs; the symlink below must match it.
if command -v readelf >/dev/null; then
    soname=$(readelf -d "$OUT/libvsi.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    [[ $soname == "libvsi.so.$MAJOR" ]] || die "libvsi.so has SONAME '$soname', expected libvsi.so.$MAJOR"
fi

DEST=${DESTDIR:-}$PREFIX
LIBDIR=$DEST/lib
echo "install.sh: installing libvsi $VERSION into ${DESTDIR:+$DESTDIR}$PREFIX"

install -d "$LIBDIR" "$DEST/include" "$DEST/bin" "$LIBDIR/cmake/vsi" "$LIBDIR/pkgconfig"
install -m 0755 "$OUT/libvsi.so" "$LIBDIR/libvsi.so.$VERSION"
ln -sfn "libvsi.so.$VERSION" "$LIBDIR/libvsi.so.$MAJOR"
ln -sfn "libvsi.so.$MAJOR" "$LIBDIR/libvsi.so"
install -m 0644 "$OUT/libvsi.a" "$LIBDIR/libvsi.a"
install -m 0644 "$ROOT/include/cpl_vsi_rs.h" "$DEST/include/cpl_vsi_rs.h"
install -m 0755 "$OUT/vsi" "$DEST/bin/vsi"

static_cmake=$(IFS=';'; echo "${STATIC_LIBS[*]}")
static_pc=$(printf -- '-l%s ' "${STATIC_LIBS[@]}")
static_pc=${static_pc% }

# configure <template> <output>: substitutes the @VSI_*@ placeholders.
configure() {
    sed -e "s|@VSI_VERSION@|$VERSION|g" \
        -e "s|@VSI_VERSION_MAJOR@|$MAJOR|g" \
        -e "s|@VSI_VERSION_MINOR@|$MINOR|g" \
        -e "s|@VSI_SOVERSION@|$MAJOR|g" \
        -e "s|@VSI_STATIC_LIBS_CMAKE@|$static_cmake|g" \
        -e "s|@VSI_STATIC_LIBS@|$static_pc|g" \
        "$1" >"$2.tmp"
    if grep -n '@VSI_[A-Z_]*@' "$2.tmp" >&2; then
        rm -f "$2.tmp"
        die "unsubstituted placeholder in $1"
    fi
    chmod 0644 "$2.tmp"
    mv -f "$2.tmp" "$2"
}
configure "$ROOT/cmake/vsiConfig.cmake.in" "$LIBDIR/cmake/vsi/vsiConfig.cmake"
configure "$ROOT/cmake/vsiConfigVersion.cmake.in" "$LIBDIR/cmake/vsi/vsiConfigVersion.cmake"
configure "$ROOT/cmake/vsiTargets.cmake.in" "$LIBDIR/cmake/vsi/vsiTargets.cmake"
configure "$ROOT/cmake/vsi.pc.in" "$LIBDIR/pkgconfig/vsi.pc"

echo "install.sh: done. Use -DCMAKE_PREFIX_PATH=$PREFIX (CMake) or PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig (pkg-config)."
