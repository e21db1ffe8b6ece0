"""Benchmark 5: grading latency (500-character Chinese answer, 6 key points) and bank loading.

Run: .venv/bin/python -m bench.bench_grading [--no-record]
(prints a table; appends a row to RESULTS.md unless --no-record)
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import yaml

from bench.results import print_table, record
from bot.quiz.bank.loader import load_bank
from bot.quiz.grading import grade
from bot.quiz.model import KeyPoint, Kind, Question

QUESTION = Question(
    id="bench",
    kind=Kind.OPEN,
    question="位置编码有哪些？",
    answer="",
    key_points=tuple(
        KeyPoint(p, a)
        for p, a in [
            ("正弦余弦位置编码", ("正弦", "sinusoidal")),
            ("可学习位置编码", ("可学习", "learnable")),
            ("相对位置编码", ("相对位置", "relative position")),
            ("旋转位置编码", ("旋转", "RoPE", "rotary")),
            ("ALiBi", ("线性偏置", "linear bias")),
            ("长度外推", ("外推", "extrapolation")),
        ]
    ),
)
ANSWER = (
    "位置编码可以分为绝对位置编码和相对位置编码。正弦余弦编码使用不同频率，可学习的嵌入向量，"
    "旋转位置编码RoPE通过旋转让内积只依赖相对位置，ALiBi在注意力分数上加线性偏置，外推性更好。"
) * 5


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def grading() -> tuple[float, float]:
    text = ANSWER[:500]
    for _ in range(200):
        grade(QUESTION, text)
    samples = []
    for i in range(5000):
        reply = text[i % 7 :] + str(i)  # defeat any caching of identical replies
        start = time.perf_counter()
        grade(QUESTION, reply)
        samples.append((time.perf_counter() - start) * 1000)
    return percentile(samples, 0.5), percentile(samples, 0.99)


def bank_load(count: int = 10_000) -> tuple[float, float]:
    """Seconds to load a new bank of `count` questions, then to load it again unchanged."""
    questions = [
        {
            "id": f"q{i}",
            "kind": "open",
            "question": f"第{i}题：位置编码有哪些？",
            "answer": ANSWER[:300],
            "tags": ["positional-encoding"],
            "difficulty": 1 + i % 3,
            "key_points": [
                {"point": kp.point, "aliases": list(kp.aliases)} for kp in QUESTION.key_points
            ],
        }
        for i in range(count)
    ]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bank.yaml"
        dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
        text = yaml.dump({"questions": questions}, Dumper=dumper, allow_unicode=True)
        path.write_text(text, encoding="utf-8")
        start = time.perf_counter()
        first = load_bank(path)
        loaded = time.perf_counter()
        again = load_bank(path)
        reloaded = time.perf_counter()
        assert again is first
        return loaded - start, reloaded - loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = parser.parse_args()
    p50, p99 = grading()
    load, reload = bank_load()
    print_table(
        [
            ("grade p50", f"{p50:.3f} ms", "", ""),
            ("grade p99", f"{p99:.3f} ms", "p99 < 1 ms", f"{p99 / 1.0:.2f}"),
            ("load 10,000 questions", f"{load:.2f} s", "< 1 s", f"{load / 1.0:.2f}"),
            ("reload them unchanged", f"{reload:.3f} s", "< 0.2 s", f"{reload / 0.2:.2f}"),
        ],
        header=("figure", "measured", "target", "ratio to target (<= 1 passes)"),
    )
    if args.no_record:
        return
    record(
        "5. grading",
        f"p50 {p50:.3f} ms, p99 {p99:.3f} ms; bank load 10k {load:.2f} s, "
        f"unchanged reload {reload:.3f} s; load average {os.getloadavg()[0]:.1f}",
    )


if __name__ == "__main__":
    main()
