#!/usr/bin/env bash
# Print the path of a Python >= 3.12 (3.13 preferred): on PATH, or under ~/.pyenv/versions.
set -euo pipefail
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
candidates=()
for name in python3.13 python3.12 python3; do
  if command -v "$name" >/dev/null 2>&1; then candidates+=("$(command -v "$name")"); fi
done
for dir in "$HOME"/.pyenv/versions/3.13* "$HOME"/.pyenv/versions/3.12*; do
  [ -x "$dir/bin/python" ] && candidates+=("$dir/bin/python")
done
for py in "${candidates[@]}"; do
  if ok "$py"; then echo "$py"; exit 0; fi
done
echo "PMP portal needs Python 3.12 or newer (3.13 preferred) and found none." >&2
echo "Install it (e.g. 'apt-get install python3.13' or pyenv) and run make again." >&2
exit 1
