#!/usr/bin/env bash
# install-test.sh DEB — the .deb installed as a person would, in a clean
# Debian made here with debootstrap (make package-test; needs root):
#
#   1. `apt-get install ./caseyos_*.deb` pulls every declared dependency
#      and the installed binary links nothing that is missing;
#   2. the installed menu entry passes desktop-file-validate, the icons are
#      in the hicolor theme;
#   3. as a user with a fresh HOME and no CASEYOS_* variable:
#      `caseyos today` prints the demo's moves; the installed window opens
#      the demo under Xvfb (:93 unless PACKAGE_TEST_DISPLAY) in a D-Bus
#      session — its title, its moves through the CLI, a screenshot that
#      is not blank — and closes on SIGTERM with exit 0;
#      `caseyos voice recognize` hears a committed WAV (“skip”) with both
#      offline recognizers, the keyword models found from /usr/bin's
#      ../share/caseyos and pocketsphinx's from pocketsphinx-en-us.
#
# Environment: PACKAGE_TEST_SUITE (default: this host's Debian codename,
# else bookworm), PACKAGE_TEST_MIRROR (default: the host's first Debian
# mirror from /etc/apt), PACKAGE_TEST_ARTIFACTS (screenshot directory).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -eq 1 ] && [ -f "$1" ] || { echo "usage: $0 build/caseyos_VERSION_ARCH.deb" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "install-test.sh needs root (debootstrap, chroot, mount)" >&2; exit 2; }
deb=$(realpath "$1")
wav="$here/testdata/skip.wav"
display=${PACKAGE_TEST_DISPLAY:-93}
artifacts=${PACKAGE_TEST_ARTIFACTS:-}

suite=${PACKAGE_TEST_SUITE:-}
if [ -z "$suite" ]; then
  # shellcheck disable=SC1091
  suite=$(. /etc/os-release 2>/dev/null; [ "${ID:-}" = debian ] && echo "${VERSION_CODENAME:-}")
  suite=${suite:-bookworm}
fi
mirror=${PACKAGE_TEST_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ' || true)
  mirror=${mirror:-http://deb.debian.org/debian}
fi

start=$(date +%s)
step() { printf '[%3ds] %s\n' "$(( $(date +%s) - start ))" "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
for t in debootstrap dpkg-deb desktop-file-validate Xvfb xdotool import convert identify; do
  command -v $t >/dev/null || fail "$t is needed (make desktop-deps package-test-deps)"
done

root=$(mktemp -d /var/tmp/caseyos-install-test.XXXXXX)
chmod 755 "$root" # mktemp makes it 0700: the user inside must reach /
xvfb=""
app=""
cleanup() {
  local rc=$?
  [ -n "$app" ] && kill "$app" 2>/dev/null || true
  [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
  wait 2>/dev/null || true
  # Deepest mounts first; lazily if something still holds one.
  for m in $(awk -v r="$root/" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r); do
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done
  rm -f "$root.debootstrap.log"
  if awk -v r="$root/" 'index($2, r) == 1 {found=1} END {exit !found}' /proc/mounts; then
    echo "install-test.sh: still mounted under $root; leaving it for you to unmount and remove" >&2
  else
    rm -rf --one-file-system "$root"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "debootstrap --variant=minbase $suite from $mirror"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
  { tail -n 20 "$root.debootstrap.log" >&2; rm -f "$root.debootstrap.log"; fail "debootstrap"; }
rm -f "$root.debootstrap.log"

mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev"
mkdir -p "$root/tmp/.X11-unix"
mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# No service starts inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
# A throwaway system: dpkg need not sync every file it unpacks.
echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/caseyos-install-test"

step "apt-get install ./$(basename "$deb")"
cp "$deb" "$root/tmp/"
in_root apt-get update -qq >/dev/null
# Recommends are optional parts (keyring, sound, xdg-open): the test
# installs what the package must have, Depends.
in_root apt-get install -y -qq --no-install-recommends "/tmp/$(basename "$deb")" >"$root/tmp/apt.log" 2>&1 ||
  { tail -n 30 "$root/tmp/apt.log" >&2; fail "apt-get install ./$(basename "$deb")"; }

step "dependencies"
depends=$(dpkg-deb -f "$deb" Depends)
for d in $(echo "$depends" | tr ',' '\n' | sed -E 's/\(.*\)//; s/\|.*//' | tr -d ' '); do
  in_root dpkg-query -W -f='${Status}\n' "$d" 2>/dev/null | grep -q '^install ok installed$' ||
    fail "declared dependency $d is not installed"
done
missing=$(in_root ldd /usr/bin/caseyos | grep 'not found' || true)
[ -z "$missing" ] || fail "the installed binary links libraries no dependency installed: $missing"

step "menu entry and icons"
in_root test -x /usr/bin/caseyos || fail "/usr/bin/caseyos is not installed"
desktop=$root/usr/share/applications/caseyos.desktop
[ -f "$desktop" ] || fail "no /usr/share/applications/caseyos.desktop"
out=$(desktop-file-validate "$desktop" 2>&1) && [ -z "$out" ] || fail "desktop-file-validate: $out"
grep -qx 'Exec=/usr/bin/caseyos' "$desktop" || fail "the menu entry does not run /usr/bin/caseyos: $(grep ^Exec "$desktop")"
for s in 16 32 48 64 128 256 512; do
  f=$root/usr/share/icons/hicolor/${s}x${s}/apps/caseyos.png
  [ -f "$f" ] || fail "no ${s}x${s} icon"
  dims=$(identify -format '%wx%h' "$f" 2>&1) || fail "identify ${s}x${s}/apps/caseyos.png: $dims"
  [ "$dims" = "${s}x${s}" ] || fail "${s}x${s}/apps/caseyos.png is $dims"
done

# A person: uid 1000, a fresh home, a runtime directory, nothing else.
in_root useradd -m -u 1000 -s /bin/sh casey
install -d -m 700 -o 1000 -g 1000 "$root/run/user/1000"
casey=(chroot --userspec=1000:1000 "$root" env -i PATH=/usr/bin:/bin HOME=/home/casey USER=casey LANG=C.UTF-8
  XDG_RUNTIME_DIR=/run/user/1000)
as_casey() { "${casey[@]}" "$@"; }
user_env=$(as_casey env) || fail "cannot run as the user in the chroot: $user_env"
! echo "$user_env" | grep '^CASEYOS_' || fail "the user's environment has CASEYOS_ variables"

step "caseyos today (fresh HOME)"
today=$(as_casey caseyos today 2>&1) || fail "caseyos today: $today"
echo "$today" | head -n 5
echo "$today" | grep -q 'DEMO WORKSPACE' || fail "caseyos today did not open the demo workspace"
moves=$(echo "$today" | grep -cE '^ +[0-9]+ +[0-9]+\.[0-9] ' || true)
[ "$moves" -ge 3 ] || fail "caseyos today printed $moves moves, want the demo's (≥ 3)"

step "caseyos voice recognize (no environment)"
cp "$wav" "$root/tmp/skip.wav" && chmod 644 "$root/tmp/skip.wav"
voice_err=$root/tmp/voice.err
voice=$(as_casey caseyos voice recognize /tmp/skip.wav --json 2>"$voice_err") ||
  fail "caseyos voice recognize: $(cat "$voice_err")"
echo "$voice" | grep -q '"command": "skip"' || fail "voice recognize did not hear skip: $voice $(cat "$voice_err")"
echo "$voice" | grep -q '"accepted": true' || fail "voice recognize did not accept skip: $voice"
# Both offline recognizers load: a missing model makes the other serve
# alone and says so on stderr ("voice: … unavailable").
! grep -q '^voice:' "$voice_err" || fail "an offline recognizer did not load: $(cat "$voice_err")"

step "the window under Xvfb :$display"
[ ! -e "/tmp/.X11-unix/X$display" ] || fail "display :$display is taken (PACKAGE_TEST_DISPLAY picks another)"
Xvfb ":$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$display" ] && break; sleep 0.1; done
[ -e "/tmp/.X11-unix/X$display" ] || fail "Xvfb :$display did not start"
# D-Bus: the session bus the tray and the window use, started inside.
in_root apt-get install -y -qq --no-install-recommends dbus-daemon >/dev/null 2>&1 ||
  in_root apt-get install -y -qq --no-install-recommends dbus >/dev/null 2>&1 || fail "cannot install dbus in the chroot"
win_err=$root/tmp/window.err
# Not through as_casey: $! is then chroot itself, which becomes
# dbus-run-session, the parent of caseyos.
"${casey[@]}" DISPLAY=":$display" dbus-run-session -- caseyos >"$root/tmp/window.out" 2>"$win_err" &
app=$!
for _ in $(seq 120); do
  grep -q 'DOM ready' "$win_err" 2>/dev/null && break
  kill -0 "$app" 2>/dev/null || fail "the window exited: $(cat "$win_err")"
  sleep 0.5
done
grep -q 'DOM ready' "$win_err" || fail "the window's page did not load in 60 s: $(tail -n 20 "$win_err")"
wid=$(DISPLAY=":$display" xdotool search --sync --onlyvisible --name '^CaseyOS — Demo workspace$' 2>/dev/null | head -n1)
[ -n "$wid" ] || fail "no visible window titled “CaseyOS — Demo workspace”"
# The CLI reaches the running window (its loopback API) and reads its moves.
live=$(as_casey caseyos today --json 2>&1) || fail "caseyos today --json beside the window: $live"
echo "$live" | grep -q '"demo": true' && echo "$live" | grep -q '"title"' ||
  fail "caseyos today --json beside the window printed no demo moves: $live"
# The page draws: the screen is not one flat colour.
sleep 1
shot=$(mktemp /tmp/caseyos-package-XXXXXX.png)
DISPLAY=":$display" import -window root "$shot" 2>/dev/null || fail "import (ImageMagick) could not take a screenshot"
colours=$(convert "$shot" -format '%k' info: 2>/dev/null || echo 0)
[ -n "$artifacts" ] && mkdir -p "$artifacts" && cp "$shot" "$artifacts/package-window.png"
rm -f "$shot"
[ "$colours" -ge 50 ] || fail "the window drew $colours colours: blank"
# SIGTERM to the app (the child of dbus-run-session) closes it cleanly.
pid=$(pgrep -P "$app" -x caseyos | head -n1 || true)
[ -n "$pid" ] || fail "cannot find the caseyos process under dbus-run-session"
kill -TERM "$pid"
rc=0; wait "$app" || rc=$?
app=""
[ "$rc" = 0 ] || fail "the window exited $rc on SIGTERM: $(tail -n 5 "$win_err")"

step "ok: installed $(basename "$deb") ($(du -k "$deb" | cut -f1) KB) in a clean $suite; today, window and voice work from the install"
