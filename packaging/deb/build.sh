#!/usr/bin/env bash
# make deb: dist/fieldkit_VERSION_ARCH.deb — FieldKit with its own runtime under /opt/fieldkit.
#
# Why PyInstaller one-dir and not a relocatable venv: PyPI has no standalone CPython, so a venv
# would need the build machine's interpreter copied and its paths rewritten by hand; PyInstaller
# bundles the interpreter, the wheels' native libraries and Qt's plugins, and is the registry
# package that does that (measured: see docs/install.md, "包的大小与启动时间").
#
# Usage: packaging/deb/build.sh [VERSION]   (default: the version in pyproject.toml)
# Env:   PY (python3.11+ with a shared libpython), DEB_COMPRESS (dpkg-deb -Z: gzip by default, xz
#        for a smaller file — measured on 2 shared cores: gzip 84 s / 173 MiB, xz -1 216 s /
#        142 MiB, xz -6 577 s / 123 MiB; zstd is left out, older UOS/Kylin dpkg cannot read it).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
PY="${PY:-python3}"
VERSION="${1:-}"
if [ -z "$VERSION" ]; then
  VERSION="$("$PY" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')"
fi
case "$VERSION" in [0-9]*) ;; *) echo "VERSION must start with a digit (Debian rule): $VERSION" >&2; exit 2 ;; esac
ARCH="$(dpkg --print-architecture)"
WORK="$ROOT/build/deb"
VENV="$ROOT/build/deb-venv"
STAGE="$WORK/root"
OUT="$ROOT/dist/fieldkit_${VERSION}_${ARCH}.deb"
t0=$(date +%s)

# 1. A build environment of its own (never the dev .venv: that one is editable and has the test
#    tools). Rebuilt when pyproject.toml changes.
stamp="$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$VENV/.stamp-$stamp" ]; then
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q . "pyinstaller>=6.10"
  touch "$VENV/.stamp-$stamp"
fi
t1=$(date +%s)

# 2. The bundle.
rm -rf "$WORK"
mkdir -p "$WORK" "$ROOT/dist"
printf '%s\n' "$VERSION" > "$WORK/BUILD_VERSION"
FIELDKIT_DEB_WORK="$WORK" "$VENV/bin/pyinstaller" --noconfirm --log-level ERROR \
  --distpath "$WORK/dist" --workpath "$WORK/work" packaging/deb/fieldkit.spec
t2=$(date +%s)

# 3. The tree dpkg installs.
mkdir -p "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
         "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/doc/fieldkit" "$STAGE/DEBIAN"
mv "$WORK/dist/fieldkit" "$STAGE/opt/fieldkit"
rm -rf "$WORK/dist" "$WORK/work"
ln -s /opt/fieldkit/fieldkit "$STAGE/usr/bin/fieldkit"
install -m 0644 packaging/deb/fieldkit.desktop "$STAGE/usr/share/applications/fieldkit.desktop"
install -m 0644 resources/icons/app.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/fieldkit.svg"
install -m 0644 docs/install.md "$STAGE/usr/share/doc/fieldkit/install.md"
install -m 0755 packaging/deb/prerm "$STAGE/DEBIAN/prerm"
size_kib="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$size_kib/" \
  packaging/deb/control.in > "$STAGE/DEBIAN/control"

# 4. The package (owned by root whoever builds it).
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-gzip}" --build "$STAGE" "$OUT" >/dev/null
rm -rf "$STAGE"
t3=$(date +%s)
echo "built $OUT ($(du -h "$OUT" | cut -f1), installed $((size_kib / 1024)) MiB)"
echo "time: environment $((t1 - t0)) s, bundle $((t2 - t1)) s, package $((t3 - t2)) s, total $((t3 - t0)) s"
