"""Verdicts per second from JSON text, beside json.loads alone on the same texts.

Run: python3 benchmarks/bench_rules.py [--count N] [--rounds R]

Target (issue 2, issue "Speed of the loop"): a full verdict costs at most 2x
json.loads of the same text, on a realistic mix and on each of the two usual
shapes alone: a 150-byte result and a 1.7 KB one.
Prints both rates and their ratio; it asserts nothing, so it never flakes.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import time
from collections.abc import Callable

from apigw_doctor import evaluate_payload


def make_mix(count: int, seed: int = 7) -> list[bytes]:
    """A fixed mix: mostly valid responses of realistic sizes, a quarter malformed."""
    rng = random.Random(seed)
    texts = []
    for i in range(count):
        items = [
            {"id": n, "name": f"item-{n}", "price": n * 1.5, "tags": ["a", "b"]}
            for n in range(rng.choice([1, 5, 20, 60]))
        ]
        body = json.dumps({"items": items, "next": None})
        kind = i % 8
        if kind < 5:
            result: object = {
                "statusCode": 200,
                "body": body,
                "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
            }
        elif kind == 5:
            result = {"statusCode": 200, "body": {"items": items}}  # forgot json.dumps
        elif kind == 6:
            result = {
                "statusCode": "201",
                "body": body,
                "extra": True,
                "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            }
        else:
            png = base64.b64encode(rng.randbytes(rng.choice([64, 2048]))).decode()
            result = {
                "statusCode": 200,
                "body": png,
                "isBase64Encoded": True,
                "headers": {"Content-Type": "image/png"},
            }
        texts.append(json.dumps(result).encode())
    return texts


def typical(size: str) -> bytes:
    """A valid result of the usual shape: about 150 bytes, or about 1.7 KB."""
    count = 1 if size == "150 B" else 20
    items = [
        {"id": n, "name": f"item-{n}", "price": n * 1.5, "tags": ["a", "b"]} for n in range(count)
    ]
    body = json.dumps({"id": 1, "name": "item-1"} if count == 1 else {"items": items, "next": None})
    result = {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*"},
        "body": body,
    }
    return json.dumps(result).encode()


def best_rates(
    funcs: list[Callable[[bytes], object]], texts: list[bytes], rounds: int
) -> list[float]:
    """Each function's best rate over the rounds; the functions take turns in every
    round, so a busy moment on a shared machine weighs on all of them alike."""
    best = [float("inf")] * len(funcs)
    for _ in range(rounds):
        for i, func in enumerate(funcs):
            start = time.perf_counter()
            for text in texts:
                func(text)
            best[i] = min(best[i], time.perf_counter() - start)
    return [len(texts) / b for b in best]


def verdict_of(api: str, headers: dict[str, str]) -> Callable[[bytes], object]:
    def verdict(text: bytes) -> object:
        return evaluate_payload(
            text, api=api, request_headers=headers, binary_media_types=("image/png",)
        )

    return verdict


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    headers = {"Accept": "image/png"}
    mix = make_mix(args.count)
    sets = [(f"mix, mean {sum(map(len, mix)) / len(mix):,.0f} B", mix)]
    sets += [(f"{size} result ({len(typical(size))} B)", [typical(size)] * args.count)
             for size in ("150 B", "1.7 KB")]  # fmt: skip
    for label, texts in sets:
        apis = ("rest", "http-2.0")
        funcs: list[Callable[[bytes], object]] = [json.loads]
        funcs += [verdict_of(api, headers) for api in apis]
        loads, *rates = best_rates(funcs, texts, args.rounds)
        for api, verdicts in zip(apis, rates, strict=True):
            print(
                f"{api:9} {label:28} json.loads {loads:,.0f}/s, verdicts {verdicts:,.0f}/s, "
                f"verdict cost = {loads / verdicts:.2f}x json.loads (target <= 2x)"
            )


if __name__ == "__main__":
    main()
