#!/bin/sh
# Refresh the JavaScript the report inlines (src/policygraph/report/assets/vendor/) from npm,
# at the versions vendor.json names, and print the sha256 sums to record there.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
dest="$here/src/policygraph/report/assets/vendor"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$here/src/policygraph/report/assets/vendor.json" <<'PY' | while read -r name spec file; do
import json, sys
for name, v in json.load(open(sys.argv[1])).items():
    if not name.startswith("_"):
        print(name, f"{v['package']}@{v['version']}", v["file"])
PY
  (cd "$work" && npm pack --silent "$spec" >/dev/null && mkdir -p "$name" && tar xzf ./*.tgz -C "$name" && rm ./*.tgz)
  cp "$work/$name/package/$file" "$dest/$name"
  sha256sum "$dest/$name"
done
