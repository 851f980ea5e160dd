#!/bin/sh
# Run step of the CI story: the application in a fresh process, loading native
# code from the cache, trusting only the CI public key, with strict mode so
# that any refusal fails the job (exit status 3). Writes pyjit.stats() as JSON
# to STATS_FILE so that the caller can check cache hits and run-time compiles.
#   check-cache.sh APP_DIR CACHE_DIR PUBLIC_KEY_FILE STATS_FILE
set -eu
app=$1 cache=$2 pub=$3 stats=$4
python=${PYTHON:-python}
cd "$app"
PYJIT_ENABLE=1 PYJIT_CACHE="$cache" PYJIT_TRUSTED_KEYS="$pub" PYJIT_CACHE_STRICT=1 \
    PYJIT_STATS_OUT="$stats" "$python" main.py
