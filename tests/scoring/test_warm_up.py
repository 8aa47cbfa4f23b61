"""scoring.warm_up: a process loads the default pack before its first reply, not during it."""

from scoring import check_reply, load_rulepack, warm_up
from scoring.learned import _load
from scoring.rulepack import _default_rulepack


def test_warm_up_leaves_the_default_pack_and_its_layer_loaded():
    _default_rulepack.cache_clear()
    _load.cache_clear()
    warm_up()
    assert _default_rulepack.cache_info().currsize == 1
    assert _load.cache_info().currsize == 1
    pack = load_rulepack()
    # The first reply after the warm-up is judged by the same, already built pack.
    assert load_rulepack() is pack
    assert _default_rulepack.cache_info().misses == 1
    assert [hit.rule for hit in check_reply("加我微信，我私下给您便宜")] == ["off_platform"]
    assert _default_rulepack.cache_info().misses == 1
