#!/usr/bin/env bash
# kreconcile vs kubectl vs the official Python client on generated clusters of 10k to
# 150k pods (Benchmarks/README.md, "Comparison"). Writes Benchmarks/results/<date>.json,
# <date>.md and time.png / memory.png.
#
#   Benchmarks/compare.sh                                   # 10k..150k pods, 3 runs each
#   Benchmarks/compare.sh --sizes 10000,25000 --runs 2      # a quicker look
#   REBUILD=1 Benchmarks/compare.sh                         # rebuild the release binaries first
#
# Needs: kubectl on PATH, python3 (a virtualenv with `kubernetes` and `matplotlib` is
# made under .build-tools/venv, not committed), a release build of both binaries.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.build-tools/venv
if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import kubernetes, matplotlib' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q 'kubernetes==37.0.2' matplotlib >&2
fi
if [[ ! -x .build/release/kreconcile || ! -x .build/release/kube-emulator || "${REBUILD:-0}" == 1 ]]; then
    swift build -c release >&2
fi
exec "$VENV/bin/python" Benchmarks/compare.py --python "$VENV/bin/python" "$@"
