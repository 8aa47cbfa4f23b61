"""Benchmark of the scoring engine (a script, not a test: run it, read it, record it).

    .venv/bin/python tests/bench/bench_scoring.py [--replies N] [--repeat R]

Prints, for docs/BENCHMARKS.md:

* replies checked per second on one core with the full default rule pack (``check_reply``,
  normalisation included), over a generated corpus of realistic replies;
* the same texts scanned once by a bare pyahocorasick automaton holding every phrase of the
  pack (triggers, exceptions, negators, cautions, greetings...): the floor for any matcher,
  and the engine's time as a multiple of it;
* a 60-message session scored end to end (validation, all measures, report dict, JSON).

The corpus is generated from a fixed seed so that runs compare. About a quarter of the replies
break a rule, a few are in Traditional characters (the seed documents are), a few use "……".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import ahocorasick  # noqa: E402
import opencc  # noqa: E402

from scoring import check_reply, load_rulepack, score_session  # noqa: E402
from scoring.evaluate import default_corpus, load_corpus  # noqa: E402

CLEAN = [
    "亲，您好！欢迎光临本店，很高兴为您服务～",
    "这款是有现货的哦，今天下单明天就能发货",
    "请问您平时穿多大码呢？我帮您推荐一下",
    "这件是纯棉面料，亲肤透气，不会起球的",
    "我们的产品不是药物，不能代替药物治疗，建议您按说明食用",
    "为了您的账户安全，请不要把验证码告诉任何人",
    "感谢您的光临，祝您购物愉快，有需要随时找我哦～",
    "好的呢，已经为您备注了，请您放心",
    "亲，现在店铺满199减30，非常划算的呢",
    "这款是稍贵一点，只是用料更好，穿着更舒服",
    "不但是正品而且包邮，您可以放心拍下",
    "有不清楚的地方随时问我哈",
    "这款迷你款很适合送人，包装也很精致",
    "我们一定会为您妥善处理，请您稍等一下",
    "为了清关，需要您上传身份证正反面照片",
    "快递一般1-3天送达，我们会第一时间为您跟进物流",
    "亲，您拍下后记得核对一下收货地址哦",
    "这个颜色是实物拍摄的，显示器不同可能会有轻微色差",
    "您好，这边帮您查询了一下，包裹已经到达您所在的城市了",
    "给您带来不便真的很抱歉，我马上帮您联系快递核实情况",
]
BROKEN = [
    "我不知道",
    "你自己看详情页",
    "保证明天一定到",
    "加我微信私聊，给您便宜点",
    "这个可以治疗失眠，效果很好",
    "请把验证码发给我",
    "好的!!!",
    "在",
    "这个价格是贵了点，但是质量好",
    "没办法，不归我管",
    "绝对没有色差",
    "您的银行卡号是多少",
    "私下转账可以再优惠",
    "不行",
    "你好，有什么事",
]
TO_TRADITIONAL = opencc.OpenCC("s2t")


def make_corpus(count: int, seed: int = 20240601) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    corpus: list[tuple[str, str]] = []
    for _ in range(count):
        parts = rng.sample(CLEAN, rng.randint(1, 3))
        if rng.random() < 0.25:
            parts.insert(rng.randrange(len(parts) + 1), rng.choice(BROKEN))
        text = "，".join(parts)
        roll = rng.random()
        if roll < 0.05:
            text = TO_TRADITIONAL.convert(text)
        elif roll < 0.08:
            text = text.replace("，", "……", 1)
        position = rng.choices(["first", "middle", "last"], weights=[1, 6, 1])[0]
        corpus.append((text, position))
    return corpus


def best_of(repeat: int, func: Callable[[], object]) -> float:
    """Best wall time of ``repeat`` runs: the least disturbed by other work on the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def make_session(messages: int = 60, seed: int = 7) -> dict[str, object]:
    rng = random.Random(seed)
    out: list[dict[str, object]] = []
    t = 0.0
    for i in range(messages):
        if i % 2 == 0:
            t += rng.uniform(2, 20)
            out.append(
                {
                    "role": "buyer",
                    "t": round(t, 3),
                    "text": rng.choice(
                        ["在吗？", "这件会起球吗", "能便宜点吗", "什么时候发货", "好的，谢谢"]
                    ),
                }
            )
            continue
        text = rng.choice(CLEAN) if rng.random() < 0.8 else rng.choice(BROKEN)
        start = t + rng.uniform(0.5, 2)
        events: list[dict[str, object]] = []
        et = start
        for ch in text:
            if rng.random() < 0.3:
                events.append({"t": round(et, 3), "type": "insertCompositionText", "data": "x"})
            events.append({"t": round(et, 3), "type": "insertText", "data": ch})
            et += rng.uniform(0.2, 0.6)
        if rng.random() < 0.2:
            events.append({"t": round(et, 3), "type": "insertQuickPhrase", "data": "亲～"})
        t = et + rng.uniform(0.1, 1)
        out.append({"role": "agent", "t": round(t, 3), "text": text, "events": events})
    return {
        "targets": {
            "required_points": [{"id": "ship", "any": ["发货"]}, ["七天无理由", "7天无理由"]],
            "forbidden": ["可以退款"],
        },
        "outcome": {"score": 100, "label": "paid"},
        "messages": out,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    pack = load_rulepack()
    corpus = make_corpus(args.replies)
    texts = [text for text, _ in corpus]
    chars = sum(len(t) for t in texts)

    def run_engine() -> None:
        for text, position in corpus:
            check_reply(text, position, None, pack)

    phrases = pack.matcher.all_phrases
    bare = ahocorasick.Automaton()
    for phrase in phrases:
        bare.add_word(phrase, phrase)
    bare.make_automaton()

    def run_bare() -> None:
        for text in texts:
            for _ in bare.iter(text):
                pass

    run_engine()  # warm-up: builds the automata, fills caches, as a long-lived worker would
    run_bare()
    engine_s = best_of(args.repeat, run_engine)
    bare_s = best_of(args.repeat, run_bare)
    hits = sum(1 for text, position in corpus if check_reply(text, position, None, pack))
    # The evaluation corpus: replies written by people, about half of them breaking a rule.
    judged = [(item.text, item.position) for path in default_corpus() for item in load_corpus(path)]

    def run_judged() -> None:
        for text, position in judged:
            check_reply(text, position, None, pack)

    run_judged()
    judged_s = best_of(args.repeat, run_judged)

    session = make_session()
    json.dumps(score_session(session, rulepack=pack).to_dict(), ensure_ascii=False)
    session_runs = []
    for _ in range(200):
        start = time.perf_counter()
        json.dumps(score_session(session, rulepack=pack).to_dict(), ensure_ascii=False)
        session_runs.append(time.perf_counter() - start)

    print("Scoring benchmark")
    print(f"machine:   {machine()}")
    print(
        f"command:   {Path(sys.executable).name} tests/bench/bench_scoring.py "
        f"--replies {args.replies} --repeat {args.repeat}"
    )
    print(
        f"rule pack: {pack.name} {pack.version} {pack.hash[:19]}…, {len(phrases)} distinct phrases"
    )
    print(
        f"corpus:    {len(texts)} replies, {chars / len(texts):.1f} chars on average, "
        f"{hits} ({100 * hits / len(texts):.0f}%) with at least one hit"
    )
    print(
        f"engine:    {len(texts) / engine_s:,.0f} replies/s "
        f"({engine_s / len(texts) * 1e6:.2f} µs per reply, best of {args.repeat})"
    )
    print(
        f"judged:    {len(judged) / judged_s:,.0f} replies/s over the evaluation corpus "
        f"({len(judged)} replies, {judged_s / len(judged) * 1e6:.2f} µs per reply)"
    )
    print(
        f"bare scan: {len(texts) / bare_s:,.0f} replies/s "
        f"({bare_s / len(texts) * 1e6:.2f} µs per reply)"
    )
    print(f"ratio:     {engine_s / bare_s:.1f}x the bare Aho-Corasick scan")
    print(
        f"session:   60 messages end to end: median {statistics.median(session_runs) * 1e3:.2f} "
        f"ms, p95 {sorted(session_runs)[int(len(session_runs) * 0.95)] * 1e3:.2f} ms "
        f"(200 runs)"
    )


if __name__ == "__main__":
    main()
