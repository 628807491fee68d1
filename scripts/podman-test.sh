#!/usr/bin/env bash
# Build the container image with podman and render the demo config inside it, then check the
# outputs: the Dockerfile must really build and really render, where no Docker engine runs.
# Then the same batch once more on a Dask scheduler and worker run from the image; then a slow
# render stopped with podman stop, which must leave no partial file.
#
# Usage: scripts/podman-test.sh [WORKDIR]
#   WORKDIR receives configs/, samples/ and the outputs (default: a temp folder, removed).
#   IMAGE (default localhost/build-clip:test) names the image built.
#
# Runs as root on Debian 12, as CI does: installs podman, buildah, debootstrap and runc when
# missing. No registry is reachable here, so the base image debian:bookworm-slim is made once
# with debootstrap and imported. What this machine allows: builds with --isolation chroot and
# the host network; containers with the runc runtime and explicit nofile/nproc limits. pip in
# the build trusts the host's CA bundle, mounted with a pip.conf for the build only.
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/build-clip:test}
BASE=debian:bookworm-slim
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
PODMAN=(podman --runtime runc)
RUN=(run --rm --network none --ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
SECONDS=0

say() { echo "podman-test: [${SECONDS}s] $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

install_tools() {
    local need=() tool
    for tool in podman buildah debootstrap runc; do
        command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
    done
    [ ${#need[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || fail "missing ${need[*]} (run as root, or: apt-get install ${need[*]})"
    say "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

base_image() {
    podman image exists "$BASE" && return 0
    local root
    root=$(mktemp -d)
    say "making $BASE with debootstrap (once per machine)"
    debootstrap --variant=minbase bookworm "$root" "$MIRROR" >/dev/null
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -c . | podman import --change 'CMD ["bash"]' - "$BASE" >/dev/null
    rm -rf "$root"
}

build_image() {
    local conf mounts=()
    conf=$(mktemp)
    printf '[global]\ncert = /etc/build-host-ca.crt\n' >"$conf"
    chmod 644 "$conf"
    if [ -r "$CA" ]; then
        mounts=(-v "$CA:/etc/build-host-ca.crt:ro" -v "$conf:/etc/pip.conf:ro")
    fi
    say "building $IMAGE"
    podman build --isolation chroot --network host --pull=never "${mounts[@]}" \
        -t "$IMAGE" . >&2
    rm -f "$conf"
    podman image prune -f >/dev/null || true  # earlier builds' images, now untagged
}

render_demo() {
    local work=$1
    mkdir -p "$work/configs" "$work/samples"
    cp configs/example.yaml "$work/configs/"
    find samples -maxdepth 1 -type f ! -name '*.wav' ! -name '*.py' -exec cp {} "$work/samples/" \;
    if [ ! -f samples/interview.mp4 ]; then  # a fresh clone: make the sample there, not here
        python3 samples/make_sample.py --out "$work/samples/interview.mp4" \
            --srt "$work/samples/interview.en.srt" >&2
    fi
    chown -R 1000:1000 "$work"  # the image's user, as a host user's own folder would be
    say "rendering configs/example.yaml in the image"
    "${PODMAN[@]}" "${RUN[@]}" -v "$work:/work" "$IMAGE" batch 'configs/*.yaml' \
        | tee "$work/first.txt" >&2
    "${PODMAN[@]}" "${RUN[@]}" -v "$work:/work" "$IMAGE" batch configs/example.yaml \
        | tee "$work/second.txt" >&2
}

render_on_cluster() {
    # The image as a Dask cluster (docker-compose.yml's setup): a scheduler and a worker on this
    # machine's loopback, the worker with the same folder at the same path; the batch again,
    # forced, through them.
    local work=$1 port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
    local net=(--network host --ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
    remove_cluster  # left by an interrupted run
    say "rendering it again on a Dask scheduler and worker run from the image"
    "${PODMAN[@]}" run -d --rm --name build-clip-scheduler "${net[@]}" --entrypoint dask "$IMAGE" \
        scheduler --host 127.0.0.1 --port "$port" --no-dashboard >/dev/null
    "${PODMAN[@]}" run -d --rm --name build-clip-worker "${net[@]}" -v "$work:/work" \
        --entrypoint dask "$IMAGE" worker "tcp://127.0.0.1:$port" --nthreads 2 --no-dashboard \
        --host 127.0.0.1 >/dev/null
    "${PODMAN[@]}" run --rm "${net[@]}" -v "$work:/work" "$IMAGE" \
        batch configs/example.yaml --force --cluster "tcp://127.0.0.1:$port" \
        | tee "$work/cluster.txt" >&2
}

check_outputs() {
    # Every output the manifest lists: there, whole (its sha256), owned by the image's user,
    # as long as the clip (to a frame); built by the first run, up to date in the second.
    python3 - "$1" <<'PY' || fail "the outputs are not what the manifest says"
import json, os, pathlib, re, subprocess, sys
work = pathlib.Path(sys.argv[1])
manifests = sorted((work / "out").glob("*/*.manifest.json"))
assert manifests, "no manifest written"
n = 0
for manifest in manifests:
    outputs = json.loads(manifest.read_text(encoding="utf-8"))["outputs"]
    assert outputs, f"{manifest}: no outputs"
    for name, entry in outputs.items():
        mp4 = manifest.parent / name
        probe = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                                "-of", "csv=p=0", str(mp4)], capture_output=True, text=True)
        duration = float(probe.stdout)
        assert abs(duration - entry["duration_s"]) < 0.05, f"{name}: {duration} s"
        assert entry["fingerprint"] and entry["sha256"], f"{name}: no record of its inputs"
        assert mp4.stat().st_uid == 1000, f"{name}: not written by the image's user"
        print(f"podman-test: {name}: {duration:.3f} s")
        n += 1
assert not list((work / "out").rglob("*partial*")), "a partial file was left"
first = (work / "first.txt").read_text()
second = (work / "second.txt").read_text()
assert re.search(rf"^{n} built, 0 failed", first, re.M), "first run: not all built"
assert re.search(rf"^0 built, {n} up to date, 0 failed", second, re.M), "second run rebuilt"
cluster = (work / "cluster.txt").read_text()
assert re.search(rf"^{n} built, 0 failed in .* \(cluster tcp://", cluster, re.M), "cluster run"
PY
    say "ok: the demo's outputs were rendered in the image, not again the second time, and" \
        "again on a cluster of the image"
}

stop_mid_render() {
    # podman stop, as docker stop: SIGTERM to PID 1, which is build-clip itself (the image's
    # exec-form ENTRYPOINT, no shell in between). It must end as Ctrl-C does (issue 15): exit
    # status 143, its ffmpeg killed, no partial file left in the mounted output folder.
    local work=$1 name=build-clip-stop code logs waited=0
    mkdir -p "$work/stop" "$work/stop-out"
    sed -e 's|^output: .*|output: ../stop-out|' \
        -e 's|landscape: {size: 1280x720}|landscape: {size: 1920x1080, preset: veryslow}|' \
        configs/example.yaml >"$work/stop/slow.yaml"
    chown -R 1000:1000 "$work/stop" "$work/stop-out"
    "${PODMAN[@]}" rm -f -t 0 "$name" >/dev/null 2>&1 || true
    say "stopping a render in the image with podman stop"
    "${PODMAN[@]}" run -d --name "$name" --network none --ulimit nofile=4096:4096 \
        --ulimit nproc=4096:4096 -v "$work:/work" "$IMAGE" stop/slow.yaml >/dev/null
    # Until an MP4's own partial file is being encoded (the transcripts are cached by now).
    until find "$work/stop-out" -name '.*.partial.mp4' -size +0 | grep -q .; do
        [ "$("${PODMAN[@]}" inspect -f '{{.State.Running}}' "$name")" = true ] \
            || fail "the slow render ended before it was stopped: $("${PODMAN[@]}" logs "$name" 2>&1)"
        [ $((waited += 1)) -le 600 ] || fail "no render started in 5 minutes"
        sleep 0.5
    done
    "${PODMAN[@]}" stop -t 30 "$name" >/dev/null
    code=$("${PODMAN[@]}" inspect -f '{{.State.ExitCode}}' "$name")
    logs=$("${PODMAN[@]}" logs "$name" 2>&1)
    "${PODMAN[@]}" rm -f -t 0 "$name" >/dev/null
    [ "$code" = 143 ] || fail "podman stop: exit status $code, expected 143 (137: SIGTERM unheard)"
    grep -q "^stopped by SIGTERM: no partial output was kept" <<<"$logs" \
        || fail "podman stop: no word of SIGTERM in its output: $logs"
    if find "$work/stop-out" -name '*partial*' | grep -q .; then
        fail "podman stop: a partial file was left: $(find "$work/stop-out" -name '*partial*')"
    fi
    say "ok: podman stop ended a render with status 143 and left no partial file"
}

TEMP_WORK=
remove_cluster() {
    # With the same runtime as the runs: plain podman (crun) cannot stop runc's containers.
    # One name at a time: podman 4.3's rm -f removes nothing when one of its names is absent.
    local name
    for name in build-clip-scheduler build-clip-worker build-clip-stop; do
        "${PODMAN[@]}" rm -f -t 0 "$name" >/dev/null 2>&1 || true
    done
}

cleanup() {
    remove_cluster
    [ -z "$TEMP_WORK" ] || rm -rf "$TEMP_WORK"
}

main() {
    local work=${1:-}
    trap cleanup EXIT
    install_tools
    base_image
    build_image
    if [ -z "$work" ]; then
        work=$(mktemp -d)
        TEMP_WORK=$work
    fi
    render_demo "$work"
    render_on_cluster "$work"
    check_outputs "$work"
    stop_mid_render "$work"
}

main "$@"
