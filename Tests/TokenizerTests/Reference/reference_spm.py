"""Independent reference encoder for a GGUF SentencePiece tokenizer (Gemma 3's).

Usage: python3 reference_spm.py MODEL.gguf INPUT.json OUTPUT.json
INPUT.json is a list of strings; OUTPUT.json receives a list of id lists (no BOS).
Exits with status 77 and one line on stderr when transformers or tokenizers is missing.

The tokenizer is Hugging Face's: transformers converts the GGUF vocabulary (its own GGUF
converter, merges rebuilt from the vocabulary) and the Rust `tokenizers` library encodes.
Two changes make it read the file as llama.cpp does (which is what the Swift encoder follows):
- control tokens written in the text ("<start_of_turn>", "<eos>") stay plain text
  (`encode_special_tokens`), as llama.cpp does when it is not asked to parse special tokens;
- the user-defined tokens of two or more spaces, which the file stores as real spaces, are
  matched whole in the raw text like every other user-defined token. transformers respells
  them "▁▁" and forms them by merges instead, which cuts runs longer than 31 spaces
  differently, and it would also merge a literal "▁▁" in the text.
The converted tokenizer is cached next to the system's temporary files, keyed by the model
file and the library versions, so that later runs start in a second.
"""
import hashlib
import json
import os
import sys
import tempfile

from gguf_metadata import read_metadata

try:
    import tokenizers
    import transformers
    from tokenizers import AddedToken, Tokenizer
    from transformers.integrations.gguf.gguf_tokenizer_mapping import GGUF_TOKENIZER_MAPPING, convert_gguf_tokenizer
except ImportError as error:
    print(f"reference unavailable: {error} (pip install transformers tokenizers)", file=sys.stderr)
    sys.exit(77)

SPACE = "\u2581"


def converted_tokenizer(model_path):
    """transformers' conversion of the file's tokenizer, from the cache when present."""
    stat = os.stat(model_path)
    key = f"{os.path.abspath(model_path)}:{stat.st_size}:{stat.st_mtime_ns}:{transformers.__version__}:{tokenizers.__version__}"
    cache = os.path.join(tempfile.gettempdir(), "ddk-reference-spm-" + hashlib.sha256(key.encode()).hexdigest()[:16] + ".json")
    metadata = read_metadata(model_path)
    if os.path.exists(cache):
        return Tokenizer.from_file(cache), metadata
    fields = {name: metadata["tokenizer." + key] for key, name in GGUF_TOKENIZER_MAPPING["tokenizer"].items()
              if "tokenizer." + key in metadata}
    tokenizer, _ = convert_gguf_tokenizer(metadata["general.architecture"], fields)
    tokenizer.save(cache + ".partial")
    os.replace(cache + ".partial", cache)
    return tokenizer, metadata


def llama_cpp_reading(tokenizer, metadata):
    """The two changes described at the top; returns the tokenizer and a map of the ids it
    gave to raw space runs back to the file's ids."""
    state = json.loads(tokenizer.to_str())
    merges = state["model"]["merges"]
    pairs = [merge.split(" ") if isinstance(merge, str) else merge for merge in merges]
    state["model"]["merges"] = [merge for merge, (left, right) in zip(merges, pairs)
                                if not (set(left + right) == {SPACE})]
    tokenizer = Tokenizer.from_str(json.dumps(state))
    tokenizer.encode_special_tokens = True
    tokens, types = metadata["tokenizer.ggml.tokens"], metadata["tokenizer.ggml.token_type"]
    runs = [(index, token) for index, (token, kind) in enumerate(zip(tokens, types))
            if kind == 4 and len(token) > 1 and set(token) == {" "}]
    tokenizer.add_tokens([AddedToken(token, normalized=False, special=False) for _, token in runs])
    return tokenizer, {tokenizer.token_to_id(token): index for index, token in runs}


def main():
    model, input_path, output_path = sys.argv[1:4]
    tokenizer, metadata = converted_tokenizer(model)
    if metadata.get("tokenizer.ggml.model") != "llama":
        sys.exit(f"{model}: tokenizer.ggml.model is not 'llama'")
    tokenizer, file_ids = llama_cpp_reading(tokenizer, metadata)
    texts = json.load(open(input_path, encoding="utf-8"))
    results = []
    for encoding in tokenizer.encode_batch(texts, add_special_tokens=False):
        results.append([file_ids.get(i, i) for i in encoding.ids])
    json.dump(results, open(output_path, "w"))


if __name__ == "__main__":
    main()
