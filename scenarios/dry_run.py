"""The trainer's dry-run: replies typed in the editor run through the engine and scoring."""

from __future__ import annotations

from dataclasses import asdict

from scenarios.simulation import score, simulate
from scenarios.validation import ScenarioSpec

MAX_REPLIES = 30


def dry_run(spec: ScenarioSpec, *, seed: int, replies: list[dict]) -> dict:
    conversation = simulate(spec, seed, replies[:MAX_REPLIES])
    report = score(spec, conversation).to_dict()
    return {
        "path": list(conversation.state.path),
        "step": conversation.state.step,
        "outcome": conversation.outcome,
        "transcript": [asdict(line) for line in conversation.transcript],
        "total": report.get("total"),
        "dimensions": report.get("dimensions"),
        "hits": report["compliance"]["hits"],
    }
