#!/usr/bin/env bash
# Vendors axe-core (the accessibility engine the browser tests run) from its npm package.
# Run by `make vendor-axe`; the result is committed, so tests never reach a registry.
# To upgrade: change AXE_VERSION and AXE_INTEGRITY (`npm view axe-core@X dist.integrity`).
set -euo pipefail
AXE_VERSION=4.14.1
AXE_INTEGRITY="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="

here="$(cd "$(dirname "$0")" && pwd)"
dest="$here/axe-core"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null)
tarball="$work/axe-core-$AXE_VERSION.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$AXE_INTEGRITY" ]; then
  echo "axe-core $AXE_VERSION: integrity $actual does not match the pinned $AXE_INTEGRITY" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work"
mkdir -p "$dest"
cp "$work/package/axe.min.js" "$work/package/LICENSE" "$dest/"
printf 'axe-core %s, vendored from the npm package (axe.min.js), integrity %s\n' \
  "$AXE_VERSION" "$AXE_INTEGRITY" > "$dest/VERSION"
echo "axe-core $AXE_VERSION vendored into $dest"
