#!/usr/bin/env bash
# Rebuilds Tests/Fuzz/seeds: small real files of every input format (launch/ configs and
# plans, the tiny dataset's shards and domains.json, a checkpoint's run_state.json and
# config.json, the head of a metrics.jsonl, text of the corpus) and the files the real
# writers make for the formats no run leaves small (`ddk-fuzz --write-seeds`: tiny GGUF
# models, a micro checkpoint's safetensors, teacher messages, teacher-target stores). Each
# file stays below 64 KB.
# The hand-written texts in seeds/tokenizer (several scripts, whitespace, control bytes)
# are kept.
#
# Usage: Tests/Fuzz/make-seeds.sh [RUNS_FOLDER]   (from anywhere; needs data/tiny, made by
#   launch/prepare-tiny, data/corpus, and a run folder with a checkpoint: default runs/demo)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-runs/demo}
seeds=Tests/Fuzz/seeds
checkpoint=$(ls -d "$runs"/checkpoints/step-* | sort -t- -k2 -n | tail -n 1)

nice -n 19 swift build --product ddk-fuzz >/dev/null
rm -rf "$seeds"/{gguf,safetensors,shard,config,run-state,teacher-message,teacher-store} "$seeds"/tokenizer/corpus-*
.build/debug/ddk-fuzz --write-seeds "$seeds"

mkdir -p "$seeds"/{shard,config,run-state,tokenizer}
for domain in data/tiny/shards/*/validation.shard; do
    cp "$domain" "$seeds/shard/$(basename "$(dirname "$domain")")-validation"
done
cp data/tiny/shards/domains.json "$seeds/shard/tiny-domains.json"
cp data/shards/domains.json "$seeds/shard/domains.json"

for toml in launch/configs/*.toml; do cp "$toml" "$seeds/config/$(basename "$toml")"; done
for toml in launch/experiments/*.toml; do cp "$toml" "$seeds/config/experiment-$(basename "$toml")"; done
cp data/corpus/domains.toml "$seeds/config/corpus-domains.toml"

cp "$checkpoint/run_state.json" "$seeds/run-state/run_state.json"
cp "$checkpoint/config.json" "$seeds/run-state/checkpoint-config.json"
cp data/tiny/teacher/config.json "$seeds/run-state/tiny-teacher-config.json"
head -n 4 "$runs/metrics.jsonl" >"$seeds/run-state/metrics.jsonl"

head -c 4096 "$(ls data/corpus/code-python/*.txt | head -n 1)" >"$seeds/tokenizer/corpus-python"
head -c 4096 "$(ls data/corpus/math/*.txt | head -n 1)" >"$seeds/tokenizer/corpus-math"

large=$(find "$seeds" -type f -size +64k)
[ -z "$large" ] || { echo "make-seeds: seeds above 64 KB: $large" >&2; exit 1; }
echo "make-seeds: $(find "$seeds" -type f | wc -l) files, $(du -sk "$seeds" | cut -f1) KB in $seeds"
