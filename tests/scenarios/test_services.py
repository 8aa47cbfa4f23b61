"""Drafts, immutable versions, publishing with an audit record, clone and atomic import."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from audit.selectors import audit_events_for
from roleplay.services.live import session_start
from scenarios.models import Scenario, ScenarioVersion
from scenarios.selectors import version_diff
from scenarios.services import (
    scenario_clone,
    scenario_draft_save,
    scenario_import,
    scenario_publish,
)
from yamlsource import SourceErrors


@pytest.mark.django_db
def test_publish_freezes_a_version_and_sessions_pin_it(scenario, trainer, trainee, fixture_text):
    v1 = scenario_publish(actor=trainer, scenario=scenario)
    session = session_start(trainee=trainee, scenario=scenario)
    assert session.scenario_version == v1
    opening = session.messages.get().text
    assert opening in ("你好，这件大衣是正品吗？", "在吗？想问下这件大衣是不是正品")

    edited = fixture_text.replace("好，那我拍了。", "好的，那我现在就拍。")
    assert not scenario_draft_save(actor=trainer, scenario=scenario, yaml_text=edited).errors
    assert scenario_publish(actor=trainer, scenario=scenario) == scenario_publish(
        actor=trainer, scenario=scenario
    )  # identical content: no new version
    v2 = Scenario.objects.get(pk=scenario.pk).published_version
    assert v2.number == 2
    session.refresh_from_db()
    assert session.scenario_version == v1  # the old session keeps its version
    v1.refresh_from_db()
    assert "好，那我拍了。" in v1.yaml
    diff = version_diff(v1, v2)
    assert ("remove", "-    buyer: [好，那我拍了。]") in diff
    assert ("add", "+    buyer: [好的，那我现在就拍。]") in diff
    events = list(audit_events_for(scenario).filter(action="scenario.publish"))
    assert [e.after["published_version"] for e in events][:2] == [2, 2]
    assert events[-1].before == {"published_version": None} and events[-1].actor == trainer


@pytest.mark.django_db
def test_an_invalid_draft_is_kept_but_cannot_be_published(scenario, trainer, fixture_text):
    broken = fixture_text.replace("goto: size", "goto: nowhere")
    result = scenario_draft_save(actor=trainer, scenario=scenario, yaml_text=broken)
    assert result.errors and not result.scenario.draft_valid
    assert Scenario.objects.get(pk=scenario.pk).draft_yaml == broken
    with pytest.raises(SourceErrors):
        scenario_publish(actor=trainer, scenario=scenario)
    assert not ScenarioVersion.objects.exists()


@pytest.mark.django_db
def test_clone_and_permissions(scenario, trainer, trainee, hr):
    copy = scenario_clone(actor=trainer, scenario=scenario, new_slug="genuine-coat-copy")
    assert copy.slug == "genuine-coat-copy" and "slug: genuine-coat-copy" in copy.draft_yaml
    for user in (trainee, hr):
        with pytest.raises(PermissionDenied):
            scenario_publish(actor=user, scenario=scenario)


@pytest.mark.django_db
def test_import_is_atomic_and_names_the_missing_product(shops, trainer, fixture_text):
    good = ("a.yaml", fixture_text.encode())
    other = fixture_text.replace("slug: genuine-coat", "slug: genuine-coat-2")
    bad = (
        "b.yaml",
        other.replace("products: [double-face-wool-coat]", "products: [velvet-cape]").encode(),
    )
    with pytest.raises(SourceErrors) as raised:
        scenario_import(actor=trainer, files=[good, bad])
    assert str(raised.value) == (
        "b.yaml:8:12: products 第 1 项: 商品“velvet-cape”不在店铺“yueyi-apparel”的商品目录里"
    )
    assert not Scenario.objects.exists()
    big = ("c.yaml", b"#" * (1024 * 1024 + 1))
    with pytest.raises(SourceErrors, match="文件超过"):
        scenario_import(actor=trainer, files=[big])
    imported = scenario_import(actor=trainer, files=[good])
    assert [s.slug for s in imported] == ["genuine-coat"]
