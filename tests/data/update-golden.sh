#!/usr/bin/env bash
# Regenerates the golden output of `samestory cluster` on the sample corpus. Run it only after a
# deliberate change of results, and say in the commit what changed and why.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/tools/samestory}
"$bin" cluster datasets/sample/articles.jsonl -q -o tests/data/sample.cluster.golden.jsonl
