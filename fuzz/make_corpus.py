#!/usr/bin/env python3
"""Regenerates the seed corpora in fuzz/corpus/<target>/ from tests/vectors.

Seeds are small real inputs: JWS and SD-JWT strings, decoded JWT headers and payloads, DIDs of the
vector keys, Status List streams. Each seed is named by the SHA-1 of its content (libFuzzer's own
convention), so rerunning the script is idempotent; it only adds files, so seeds added by hand
(or minimised crash reproducers) are kept. Run: python3 fuzz/make_corpus.py
"""
import base64
import glob
import hashlib
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VECTORS = os.path.join(ROOT, "tests", "vectors")
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url_encode(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b58(data):
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def strings(node):
    """All strings anywhere inside a JSON value."""
    if isinstance(node, dict):
        for v in node.values():
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)
    elif isinstance(node, str):
        yield node


def load(path):
    with open(os.path.join(VECTORS, path)) as f:
        return json.load(f)


def is_jws(s):
    parts = s.split(".")
    return len(parts) == 3 and s.startswith("eyJ") and "~" not in s and " " not in s


def main():
    seeds = {name: set() for name in
             ["fuzz_base64url", "fuzz_json", "fuzz_jws", "fuzz_did", "fuzz_sdjwt", "fuzz_status_list"]}

    all_strings = []
    for path in sorted(glob.glob(os.path.join(VECTORS, "**", "*.json"), recursive=True)):
        with open(path) as f:
            doc = json.load(f)
        all_strings.extend(strings(doc))
        if path.endswith("section8-json-serialization.json"):
            for key in ("flattened_issuance", "flattened_presentation", "general_presentation"):
                seeds["fuzz_sdjwt"].add(json.dumps(doc[key]["value"]).encode())

    for s in all_strings:
        if "~" in s and s.startswith("eyJ") and " " not in s:
            seeds["fuzz_sdjwt"].add(s.encode())
            jwt = s.split("~")[0]
            if is_jws(jwt):
                seeds["fuzz_jws"].add(jwt.encode())
            kb = s.split("~")[-1]
            if is_jws(kb):
                seeds["fuzz_jws"].add(kb.encode())
        elif is_jws(s):
            seeds["fuzz_jws"].add(s.encode())
        elif s.startswith("WyJ") and " " not in s:  # a disclosure
            seeds["fuzz_base64url"].add(s.encode())
            seeds["fuzz_json"].add(b64url_decode(s))

    for jws in sorted(seeds["fuzz_jws"]):
        header, payload, sig = jws.decode().split(".")
        seeds["fuzz_base64url"].update([header.encode(), sig.encode()])
        seeds["fuzz_json"].update([b64url_decode(header), b64url_decode(payload)])

    # DIDs of the vector keys: did:key (P-256, compressed point, multicodec 0x1200) and did:jwk.
    keys = list(load("sd-jwt/keys.json")["keys"].values()) + [load("status-list/keys.json")["status_list_issuer_key"]]
    for jwk in keys:
        x, y = b64url_decode(jwk["x"]), b64url_decode(jwk["y"])
        point = bytes([2 | (y[-1] & 1)]) + x
        mb = "z" + b58(b"\x80\x24" + point)
        seeds["fuzz_did"].update([f"did:key:{mb}".encode(), f"did:key:{mb}#{mb}".encode()])
        pub = {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"], "y": jwk["y"]}
        did_jwk = "did:jwk:" + b64url_encode(json.dumps(pub, separators=(",", ":")).encode())
        seeds["fuzz_did"].update([did_jwk.encode(), (did_jwk + "#0").encode()])
    # Ed25519 did:key (multicodec 0xed) and did:jwk of the RFC 8037 example public key.
    ed_x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    seeds["fuzz_did"].add(("did:key:z" + b58(b"\xed\x01" + b64url_decode(ed_x))).encode())
    ed_jwk = {"crv": "Ed25519", "kty": "OKP", "x": ed_x}
    seeds["fuzz_did"].add(("did:jwk:" + b64url_encode(json.dumps(ed_jwk).encode())).encode())
    seeds["fuzz_did"].update([b"did:web:example.com", b"did:key:", b"did:key:z", b"did:jwk:e30"])

    # Status lists: mode byte (bit 7 JSON, bits 0-1 log2 of bits) + zlib stream or JSON.
    lists = load("status-list/encoding-examples.json")["examples"] + load("status-list/test-vectors.json")["vectors"]
    for v in lists:
        log2 = {1: 0, 2: 1, 4: 2, 8: 3}[v["bits"]]
        if len(v["json"]["lst"]) < 1000:
            seeds["fuzz_status_list"].add(bytes([log2]) + b64url_decode(v["json"]["lst"]))
            seeds["fuzz_status_list"].add(bytes([0x80 | log2]) + json.dumps(v["json"]).encode())
        seeds["fuzz_json"].add(json.dumps(v["json"]).encode())

    # Hand-written boundary cases.
    seeds["fuzz_base64url"].update([b"", b"Zg", b"Zh", b"Zm8", b"Zm9", b"Zm9v", b"Zm9vYg==", b"Zm9v+/",
                                    b"-_-_", b"A", b"deadBEEF", b"00ff"])
    seeds["fuzz_json"].update([b"{}", b"[]", b"null", b'"\\ud83d\\ude00"', b'{"a":1,"a":2}', b"-0.0", b"1e308",
                               b"18446744073709551615", b"-9223372036854775808", b"[[[[[[[[[[1]]]]]]]]]]",
                               b'{"k":"\xc3\xa9","n":[true,false,null,1.5e-3]}'])
    seeds["fuzz_jws"].update([b"e30.e30.", b"eyJhbGciOiJub25lIn0.e30."])

    for name, items in seeds.items():
        d = os.path.join(CORPUS, name)
        os.makedirs(d, exist_ok=True)
        for data in items:
            with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
                f.write(data)
        print(f"{name}: {len(items)} generated seeds")


if __name__ == "__main__":
    main()
