"""Verdicts per second from JSON text, beside json.loads alone on the same texts.

Run: python3 benchmarks/bench_rules.py [--count N] [--rounds R]

Target (issue 2): a full verdict costs at most 2x json.loads of the same text.
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


def best_rate(func: Callable[[bytes], object], texts: list[bytes], rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for text in texts:
            func(text)
        best = min(best, time.perf_counter() - start)
    return len(texts) / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    texts = make_mix(args.count)
    mean_size = sum(map(len, texts)) / len(texts)
    headers = {"Accept": "image/png"}
    loads = best_rate(json.loads, texts, args.rounds)
    for api in ("rest", "http-2.0"):
        verdicts = best_rate(
            lambda t, api=api: evaluate_payload(
                t, api=api, request_headers=headers, binary_media_types=("image/png",)
            ),
            texts,
            args.rounds,
        )
        print(
            f"{api:9} {len(texts):,} results, mean {mean_size:,.0f} bytes: "
            f"json.loads {loads:,.0f}/s, verdicts {verdicts:,.0f}/s, "
            f"verdict cost = {loads / verdicts:.2f}x json.loads (target <= 2x)"
        )


if __name__ == "__main__":
    main()
