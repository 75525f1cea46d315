#!/usr/bin/env bash
# make deb-server: dist/fieldkit-server_VERSION_ARCH.deb — the platform server (sync.server) with
# its own runtime under /opt/fieldkit-server, a systemd unit and /etc/fieldkit-server/config.toml.
#
# The same recipe as the laptop's packaging/deb/build.sh (PyInstaller one-dir), but the build
# environment holds only what `sync.server` imports: no Qt, OpenCV or ReportLab, so the bundle
# stays small (measured: docs/install.md, "服务器包的大小与启动时间").
# arm64 (Phytium/Kunpeng): run this same script on an arm64 Debian / UOS / Kylin machine; every
# wheel the server needs (cryptography, psycopg-binary, zstandard, pydantic-core) has a
# manylinux_2_28-or-older aarch64 build, and nothing here is architecture-specific (dpkg names
# the arch). Build on the oldest system it must run on: the bundle needs the build machine's
# glibc or newer, declared below as libc6 (>= …). docs/install.md has the table.
#
# Usage: packaging/deb-server/build.sh [VERSION]   (default: the version in pyproject.toml)
# Env:   PY (python3.11+ with a shared libpython), DEB_COMPRESS (dpkg-deb -Z, gzip by default).
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
HERE="packaging/deb-server"
WORK="$ROOT/build/deb-server"
VENV="$ROOT/build/deb-server-venv"
STAGE="$WORK/root"
OUT="$ROOT/dist/fieldkit-server_${VERSION}_${ARCH}.deb"
t0=$(date +%s)

# 1. A build environment of its own with the server's requirements only, read from pyproject.toml
#    (the [server] extra plus the few core requirements `sync` imports). Rebuilt when either changes.
stamp="$(cat pyproject.toml "$HERE/requirements.py" | sha256sum | cut -c1-16)"
if [ ! -f "$VENV/.stamp-$stamp" ]; then
  rm -rf "$VENV"
  "$PY" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  mapfile -t reqs < <("$PY" "$HERE/requirements.py")
  "$VENV/bin/pip" install -q "${reqs[@]}" "pyinstaller>=6.10"
  touch "$VENV/.stamp-$stamp"
fi
t1=$(date +%s)

# 2. The bundle.
rm -rf "$WORK"
mkdir -p "$WORK" "$ROOT/dist"
"$VENV/bin/pyinstaller" --noconfirm --log-level ERROR \
  --distpath "$WORK/dist" --workpath "$WORK/work" "$HERE/fieldkit-server.spec"
t2=$(date +%s)

# 3. The tree dpkg installs.
mkdir -p "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/lib/systemd/system" "$STAGE/etc/fieldkit-server" \
         "$STAGE/usr/share/doc/fieldkit-server" "$STAGE/DEBIAN"
mv "$WORK/dist/fieldkit-server" "$STAGE/opt/fieldkit-server"
rm -rf "$WORK/dist" "$WORK/work"
install -m 0755 "$HERE/fieldkit-server.sh" "$STAGE/usr/bin/fieldkit-server"
install -m 0644 "$HERE/fieldkit-server.service" "$STAGE/lib/systemd/system/fieldkit-server.service"
# 0640 root:fieldkit-server is set by postinst (the group exists only then): a PostgreSQL URL
# in it may carry a password.
install -m 0640 "$HERE/config.toml" "$STAGE/etc/fieldkit-server/config.toml"
install -m 0644 docs/install.md "$STAGE/usr/share/doc/fieldkit-server/install.md"
for s in postinst prerm postrm; do install -m 0755 "$HERE/$s" "$STAGE/DEBIAN/$s"; done
echo /etc/fieldkit-server/config.toml > "$STAGE/DEBIAN/conffiles"
size_kib="$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)"
# The bundled interpreter and libraries need at least the build machine's glibc (PyInstaller's
# rule): declared, so dpkg refuses an older system instead of the program failing to start.
libc="$(dpkg-query -W -f='${Version}' libc6 | sed 's/-.*//')"
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$size_kib/" -e "s/@LIBC@/$libc/" \
  "$HERE/control.in" > "$STAGE/DEBIAN/control"

# 4. The package (owned by root whoever builds it).
dpkg-deb --root-owner-group -Z"${DEB_COMPRESS:-gzip}" --build "$STAGE" "$OUT" >/dev/null
rm -rf "$STAGE"
t3=$(date +%s)
echo "built $OUT ($(du -h "$OUT" | cut -f1), installed $((size_kib / 1024)) MiB)"
echo "time: environment $((t1 - t0)) s, bundle $((t2 - t1)) s, package $((t3 - t2)) s, total $((t3 - t0)) s"
