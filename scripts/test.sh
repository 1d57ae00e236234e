#!/usr/bin/env bash
# Installs, builds with the tests, and runs them (ctest). Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
werror=OFF
[[ "${CI:-}" == "true" ]] && werror=ON
bash scripts/build.sh -DSAMESTORY_BUILD_TESTS=ON -DSAMESTORY_WARNINGS_AS_ERRORS=$werror
cd build && ctest --output-on-failure -j"$(nproc)" "$@"
