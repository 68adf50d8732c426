#!/usr/bin/env bash
# Runs a command as on a fresh Debian 12 with only a JDK: in a private mount namespace (nothing outside it
# changes), /usr/bin is replaced by a hard-linked copy without ffmpeg, ffprobe, ffplay and chromium (whose
# libraries are hidden below, and whose browser tests say they are skipped); the shared
# libraries that an FFmpeg install (or a desktop) brings are hidden (PulseAudio, ALSA, X11/XCB, VA-API, DRM,
# the system's libav*, codec libraries); and the caches a fresh machine does not have yet (~/.javacpp, the
# extracted bundled ffmpeg under ~/.cache/recingest) start empty. nginx stays: the multi-gateway tests use
# it. Prints one 'fresh-machine:' line saying what it hid, then runs CMD. Needs root (unshare -m).
# Usage: .ci/fresh-machine.sh CMD [ARGS...]
set -euo pipefail
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
  echo "fresh-machine: needs root and unshare (util-linux)" >&2
  exit 97
fi
SCRATCH=$(mktemp -d /tmp/fresh-machine.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT
mkdir -p "$SCRATCH/usrbin" "$SCRATCH/javacpp" "$SCRATCH/cache"
cp -al /usr/bin/. "$SCRATCH/usrbin/" 2>/dev/null || cp -a /usr/bin/. "$SCRATCH/usrbin/"
rm -f "$SCRATCH/usrbin/ffmpeg" "$SCRATCH/usrbin/ffprobe" "$SCRATCH/usrbin/ffplay" "$SCRATCH/usrbin/chromium" \
  "$SCRATCH/usrbin/chromedriver"
LIBS='^(libpulse|libasound|libxcb|libX|libva|libdrm|libvdpau|libavcodec|libavformat|libavutil|libavdevice|libavfilter|libswscale|libswresample|libpostproc|libOpenCL|libvpx|libx264|libx265|libopus|libdav1d|libaom|libSvtAv1)'
export FRESH_SCRATCH="$SCRATCH" FRESH_LIBS="$LIBS"
cmd=$(printf '%q ' "$@")
unshare -m --propagation private bash -c '
  set -e
  mount --bind "$FRESH_SCRATCH/usrbin" /usr/bin
  hidden=0
  for dir in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu; do
    [ -d "$dir" ] || continue
    for f in "$dir"/*; do
      name=${f##*/}
      if [[ "$name" =~ $FRESH_LIBS ]] && [ -f "$f" ] && [ ! -L "$f" ]; then
        mount --bind /dev/null "$f"; hidden=$((hidden + 1))
      fi
    done
  done
  [ -d /usr/lib/x86_64-linux-gnu/pulseaudio ] && mount -t tmpfs tmpfs /usr/lib/x86_64-linux-gnu/pulseaudio
  mkdir -p "$HOME/.javacpp" "$HOME/.cache/recingest"
  mount --bind "$FRESH_SCRATCH/javacpp" "$HOME/.javacpp"
  mount --bind "$FRESH_SCRATCH/cache" "$HOME/.cache/recingest"
  export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  # A library counts as present when some library folder holds a readable ELF file of that name.
  probe_lib() {
    for d in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu /usr/lib /lib; do
      if [ "$(head -c 4 "$d/$1" 2>/dev/null | tail -c 3)" = "ELF" ]; then echo present; return; fi
    done
    echo absent
  }
  echo "fresh-machine: ffmpeg=$(command -v ffmpeg || echo absent) ffprobe=$(command -v ffprobe || echo absent)" \
       "libpulse.so.0=$(probe_lib libpulse.so.0) libasound.so.2=$(probe_lib libasound.so.2)" \
       "libxcb.so.1=$(probe_lib libxcb.so.1) libva.so.2=$(probe_lib libva.so.2) hidden_libraries=$hidden" \
       "~/.javacpp=$(ls -A "$HOME/.javacpp" | wc -l)_entries chromium=$(command -v chromium || echo absent)" \
       "nginx=$(command -v nginx || echo absent)"
  '"$cmd"
