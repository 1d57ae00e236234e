#!/usr/bin/env bash
# Quick start: install, build, and cluster the embedded sample corpus, printing its stories.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh >/dev/null
out=build/sample.clusters.jsonl
build/tools/samestory cluster datasets/sample/articles.jsonl -o "$out" --stats build/sample.stats.json --summary -
echo
echo "One record per article: $out (run statistics: build/sample.stats.json)"
