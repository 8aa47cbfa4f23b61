"""Shipped content is written in the project's own words: facts carry over from the
source documents, sentences do not. Any run of 20 characters shared with a seed fails."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
CONTENT = ROOT / "content"
RUN = 20
# Only CJK characters, letters and digits count: punctuation and spacing differ freely.
_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
# Fixed expressions of the trade, quoted as such (the pre-sales mnemonic).
FIXED_TERMS = ["一呼二问三推荐议价核实很关键道别之后勤跟进"]


def _squash(text: str) -> str:
    import opencc

    simplified = opencc.OpenCC("t2s").convert(text)
    return "".join(_KEEP.findall(simplified))


@lru_cache(maxsize=1)
def _seed_runs() -> frozenset[str]:
    runs: set[str] = set()
    for seed in sorted(SEEDS.glob("*.txt")):
        text = _squash(seed.read_text(encoding="utf-8", errors="replace"))
        runs.update(text[i : i + RUN] for i in range(len(text) - RUN + 1))
    return frozenset(runs)


def _content_files() -> list[Path]:
    return sorted(CONTENT.rglob("*.yaml"))


@pytest.mark.skipif(not SEEDS.exists(), reason="the source documents are not beside the project")
@pytest.mark.parametrize("path", _content_files(), ids=lambda p: str(p.relative_to(CONTENT)))
def test_no_sentence_is_copied_from_the_seeds(path):
    runs = _seed_runs()
    text = _squash(path.read_text(encoding="utf-8"))
    for term in FIXED_TERMS:
        text = text.replace(term, "|")
    copied = sorted({text[i : i + RUN] for i in range(len(text) - RUN + 1)} & runs)
    assert not copied, f"{len(copied)} passages copied from the seeds, e.g. {copied[:3]}"
