#!/usr/bin/env bash
# Podman as the Docker engine for the Docker executor tests (BUILD-NOTES.md "Podman as the Docker engine").
# Run as root on Debian 12. Usage: .ci/podman-setup.sh [DIR]   (default /tmp/datapilot-podman)
# It installs podman and Debian's registry, starts the Docker-compatible API on DIR/podman.sock and a
# registry on 127.0.0.1:$REGISTRY_PORT, builds a tiny busybox image, pushes it to the registry (so that
# a digest-pinned reference exists) and writes what the tests need to DIR/env, to be sourced.
# Running it again reuses what is already there.
set -euo pipefail
dir=${1:-/tmp/datapilot-podman}
registry_port=${REGISTRY_PORT:-55050}
image=localhost/datapilot-tiny:1
mkdir -p "$dir"

need_apt=()
for pkg in podman crun slirp4netns fuse-overlayfs uidmap catatonit runc busybox-static docker-registry; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
command -v curl >/dev/null || need_apt+=(curl)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_apt[@]}"
fi
# Debian starts the registry as a service where systemd runs; this script runs its own on loopback.
if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
  systemctl stop docker-registry || true
fi

# The file limit podman asks for is refused here and crun does not support the hybrid cgroup layout;
# the registry below speaks plain HTTP on loopback.
cat >"$dir/containers.conf" <<'EOF'
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
runtime = "runc"
EOF
cat >"$dir/registries.conf" <<EOF
unqualified-search-registries = []
[[registry]]
location = "127.0.0.1:$registry_port"
insecure = true
[[registry]]
location = "localhost:$registry_port"
insecure = true
EOF
export CONTAINERS_CONF="$dir/containers.conf"
export CONTAINERS_REGISTRIES_CONF="$dir/registries.conf"

sock="$dir/podman.sock"
if ! curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1; then
  rm -f "$sock"
  # started from / so that its working directory (inherited by conmon) outlives the caller's checkout
  (cd / && exec setsid nohup podman system service --time=0 "unix://$sock" >"$dir/podman-service.log" 2>&1) &
  echo $! >"$dir/podman-service.pid"
  for _ in $(seq 1 100); do
    curl -sf --unix-socket "$sock" http://d/_ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -sf --unix-socket "$sock" http://d/_ping >/dev/null || { cat "$dir/podman-service.log"; exit 1; }
fi

# The registry (distribution v2) on loopback with its storage under DIR.
if ! curl -sf "http://127.0.0.1:$registry_port/v2/" >/dev/null 2>&1; then
  mkdir -p "$dir/registry"
  cat >"$dir/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/registry
http:
  addr: 127.0.0.1:$registry_port
EOF
  registry_bin=$(command -v docker-registry || echo /usr/bin/docker-registry)
  (cd / && exec setsid nohup "$registry_bin" serve "$dir/registry.yml" >"$dir/registry.log" 2>&1) &
  echo $! >"$dir/registry.pid"
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$registry_port/v2/" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -sf "http://127.0.0.1:$registry_port/v2/" >/dev/null || { cat "$dir/registry.log"; exit 1; }
fi

# A busybox image whose default command, /job.sh, acts as a training job: with its run token (busybox
# wget) it reads its dataset, reports a metric and an event, prints its environment and exits with
# $JOB_EXIT (default 0). /bin/dp-post PATH JSON and /bin/dp-get PATH call the API with the token.
if [ ! -f "$dir/tiny.tar" ]; then
  rootfs=$(mktemp -d "$dir/rootfs.XXXXXX")
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc"
  cp /bin/busybox "$rootfs/bin/busybox"
  for applet in $("$rootfs/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$rootfs/bin/$applet"
  done
  cat >"$rootfs/bin/dp-post" <<'EOF'
#!/bin/sh
# dp-post PATH JSON: POSTs JSON to the run's PATH (metrics, events, status) with the run token.
exec wget -q -O - --header "Authorization: Bearer $TOKEN" --header "Content-Type: application/json" \
  --post-data "$2" "$DATAPILOT_URL/api/experiments/experiment-runs/$RUN_ID/$1"
EOF
  cat >"$rootfs/bin/dp-get" <<'EOF'
#!/bin/sh
# dp-get PATH: GETs DATAPILOT_URL + PATH with the run token.
exec wget -q -O - --header "Authorization: Bearer $TOKEN" "$DATAPILOT_URL$1"
EOF
  cat >"$rootfs/job.sh" <<'EOF'
#!/bin/sh
echo "job RUN_ID=$RUN_ID DATASET_VERSION_ID=$DATASET_VERSION_ID ANIMUS_JOB_KIND=$ANIMUS_JOB_KIND"
echo "job DATAPILOT_URL=$DATAPILOT_URL TOKEN=$TOKEN"
first=$(dp-get "/api/dataset-registry/dataset-versions/$DATASET_VERSION_ID/download" | head -n 1)
[ -n "$first" ] || exit 3
dp-post metrics '{"step":1,"metrics":{"job/loss":0.25}}' >/dev/null || exit 3
dp-post events "{\"message\":\"job read $first from $DATASET_VERSION_ID as $ANIMUS_JOB_KIND\"}" >/dev/null || exit 3
echo "job done"
exit "${JOB_EXIT:-0}"
EOF
  chmod 755 "$rootfs/job.sh" "$rootfs/bin/dp-post" "$rootfs/bin/dp-get"
  tar -C "$rootfs" -cf "$dir/tiny.tar" .
  rm -rf "$rootfs"
fi
if ! podman image exists "$image"; then
  podman import --change 'CMD ["/bin/sh","/job.sh"]' --change 'ENV PATH=/bin' "$dir/tiny.tar" "$image" >/dev/null
fi

# The same files as a distinct image (another config) that exists only in the registry, so that
# running its digest-pinned reference makes the engine pull it.
pushed=127.0.0.1:$registry_port/datapilot-pinned
pushed_ok() {
  [ -s "$dir/digest" ] && curl -sf -o /dev/null -H "Accept: application/vnd.oci.image.manifest.v1+json" \
    -H "Accept: application/vnd.docker.distribution.manifest.v2+json" \
    "http://127.0.0.1:$registry_port/v2/datapilot-pinned/manifests/$(cat "$dir/digest")"
}
if ! pushed_ok; then
  podman import --change 'CMD ["/bin/sh","/job.sh"]' --change 'ENV PATH=/bin' --change 'ENV PINNED=1' \
    "$dir/tiny.tar" localhost/datapilot-pinned:1 >/dev/null
  podman push -q --tls-verify=false --digestfile "$dir/digest" localhost/datapilot-pinned:1 "docker://$pushed:1" \
    >/dev/null
  podman rmi -f localhost/datapilot-pinned:1 >/dev/null
  pushed_ok || { echo "the registry does not serve $pushed@$(cat "$dir/digest")" >&2; exit 1; }
fi
digest=$(cat "$dir/digest")

cat >"$dir/env" <<EOF
export CONTAINERS_CONF=$dir/containers.conf
export CONTAINERS_REGISTRIES_CONF=$dir/registries.conf
export DATAPILOT_TEST_DOCKER_HOST=unix://$sock
export DATAPILOT_TEST_DOCKER_IMAGE=$image
export DATAPILOT_TEST_DOCKER_PINNED_IMAGE=$pushed@$digest
EOF
echo "podman API on unix://$sock, registry on 127.0.0.1:$registry_port, pinned image $pushed@$digest"
