#!/bin/sh
# Build step of the CI story (run by the Dockerfile, the CI workflow and
# tests/test_cache.py::test_container_steps_without_docker): precompile the
# application with its own run as the training workload, signed with the CI key.
# The demo's run is short: at threshold 0 the JIT compiles, and so the cache holds,
# every function it runs.
#   build-cache.sh APP_DIR CACHE_DIR SECRET_KEY_FILE
set -eu
app=$1 cache=$2 key=$3
python=${PYTHON:-python}
"$python" -m pyjit precompile "$app" --out "$cache" --key "$key" \
    --train "cd '$app' && PYJIT_THRESHOLD=0 '$python' main.py > /dev/null"
"$python" -m pyjit cache ls "$cache"
