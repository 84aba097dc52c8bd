#!/usr/bin/env bash
# Makes a local Node 24 base image (Debian bookworm minbase + the Node binary this repository pins
# + npm) for building the images where no registry serves node:24-bookworm-slim.
# Prints the image name. Cached: the rootfs under the user's cache dir, the image in podman's store.
#   scripts/images/node-base.sh            # builds once, then answers from the cache
#   WEBSPLAT_IMAGE_CACHE=/somewhere ...    # another cache dir
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
node_bin="$root/node_modules/node/bin/node"
[ -x "$node_bin" ] || { echo "node-base: $node_bin is missing; run npm install first" >&2; exit 1; }
node_version="$("$node_bin" --version)"
npm_dir="${NPM_DIR:-$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")}"
[ -f "$npm_dir/package.json" ] || { echo "node-base: no npm found (set NPM_DIR to an npm package folder)" >&2; exit 1; }
npm_version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$npm_dir/package.json" | head -1)"
suite=bookworm
arch="$(dpkg --print-architecture)"
image="localhost/websplat-node:${node_version#v}-${suite}-npm${npm_version}-${arch}"

if podman image exists "$image"; then echo "$image"; exit 0; fi

cache="${WEBSPLAT_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/websplat/images}"
mkdir -p "$cache"
rootfs_tar="$cache/${suite}-minbase-${arch}.tar"
if [ ! -s "$rootfs_tar" ]; then
  work="$(mktemp -d "$cache/rootfs.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  echo "node-base: debootstrap $suite ($arch) into the cache, once" >&2
  debootstrap --variant=minbase --arch="$arch" "$suite" "$work/rootfs" http://deb.debian.org/debian >&2
  # As slim as node:24-bookworm-slim: no apt lists, no docs.
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin "$work/rootfs/usr/share/doc" "$work/rootfs/usr/share/man"
  tar -C "$work/rootfs" --numeric-owner -cf "$rootfs_tar.part" .
  mv "$rootfs_tar.part" "$rootfs_tar"
  rm -rf "$work"
  trap - EXIT
fi

layer="$(mktemp -d)"
trap 'rm -rf "$layer"' EXIT
mkdir -p "$layer/usr/local/bin" "$layer/usr/local/lib/node_modules"
cp "$node_bin" "$layer/usr/local/bin/node"
cp -a "$npm_dir" "$layer/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$layer/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$layer/usr/local/bin/npx"
cp "$rootfs_tar" "$layer/image.tar"
# Only the new entries: the rootfs already holds /usr/local, /usr/local/bin and /usr/local/lib.
(cd "$layer" && find ./usr/local -mindepth 1 ! -path ./usr/local/bin ! -path ./usr/local/lib | sort) >"$layer/files"
tar -C "$layer" --numeric-owner --owner=0 --group=0 --no-recursion --append -f "$layer/image.tar" -T "$layer/files"
podman import --quiet \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' \
  "$layer/image.tar" "$image" >/dev/null
echo "$image"
