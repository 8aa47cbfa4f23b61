import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from scenarios.services import scenario_draft_save, scenario_publish


@pytest.mark.django_db
def test_trainer_pages_and_their_permissions(client, trainer, trainee, scenario):
    client.force_login(trainee)
    assert client.get("/scenarios/").status_code == 403
    assert client.get(f"/scenarios/{scenario.slug}/").status_code == 403
    client.force_login(trainer)
    html = client.get("/scenarios/?status=unpublished&shop=yueyi-apparel").content.decode()
    assert "这件大衣是正品吗？" in html
    assert "这件大衣是正品吗？" not in client.get("/scenarios/?status=published").content.decode()
    editor = client.get(f"/scenarios/{scenario.slug}/").content.decode()
    assert "<svg" in editor and 'data-step="ask"' in editor  # the step diagram
    export = client.get(f"/scenarios/{scenario.slug}/export/")
    assert export["Content-Disposition"] == 'attachment; filename="genuine-coat.yaml"'
    assert export.content.decode() == scenario.draft_yaml


@pytest.mark.django_db
def test_saving_a_broken_draft_shows_the_error_at_its_line(client, trainer, scenario, fixture_text):
    client.force_login(trainer)
    broken = fixture_text.replace("goto: size", "goto: sizes", 1)
    client.post(f"/scenarios/{scenario.slug}/", {"yaml": broken})
    html = client.get(f"/scenarios/{scenario.slug}/").content.decode()
    line = broken.splitlines().index("        goto: sizes") + 1
    assert f'data-line="{line}"' in html and "goto“sizes”：没有这个步骤" in html
    assert f"第 {line} 行，第 9 列" in html
    assert client.post(f"/scenarios/{scenario.slug}/publish/").status_code == 302
    scenario.refresh_from_db()
    assert scenario.published_version is None


@pytest.mark.django_db
def test_diff_page_escapes_and_marks_changes(client, trainer, scenario, fixture_text):
    scenario_publish(actor=trainer, scenario=scenario)
    edited = fixture_text.replace("好，那我拍了。", "<b>好</b>，那我拍了。")
    scenario_draft_save(actor=trainer, scenario=scenario, yaml_text=edited)
    scenario_publish(actor=trainer, scenario=scenario)
    client.force_login(trainer)
    html = client.get(f"/scenarios/{scenario.slug}/diff/?a=1&b=2").content.decode()
    assert '<span class="add">+    buyer: [&lt;b&gt;好&lt;/b&gt;，那我拍了。]</span>' in html


@pytest.mark.django_db
def test_import_page_lists_errors_and_stores_nothing(client, trainer, shops, fixture_text):
    client.force_login(trainer)
    bad = fixture_text.replace("products: [double-face-wool-coat]", "products: [velvet-cape]")
    response = client.post(
        "/scenarios/import/", {"files": [SimpleUploadedFile("bad.yaml", bad.encode())]}
    )
    assert response.status_code == 400
    assert "velvet-cape" in response.content.decode()
    response = client.post(
        "/scenarios/import/", {"files": [SimpleUploadedFile("good.yaml", fixture_text.encode())]}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_shop_filter_lists_the_shops_that_have_scenarios(client, trainer, scenario):
    client.force_login(trainer)
    html = client.get("/scenarios/?shop=yueyi-apparel").content.decode()
    shop_select = html.split('<select name="shop"')[1].split("</select>")[0]
    assert '<option value="yueyi-apparel" selected>yueyi-apparel</option>' in shop_select
    assert shop_select.count("<option value=") == 2  # "all shops" and the one shop


@pytest.mark.django_db
def test_versions_are_exported_and_unknown_ones_are_not_found(client, trainer, scenario):
    version = scenario_publish(actor=trainer, scenario=scenario)
    client.force_login(trainer)
    export = client.get(f"/scenarios/{scenario.slug}/export/?version=1")
    assert export["Content-Disposition"] == 'attachment; filename="genuine-coat-v1.yaml"'
    assert export.content.decode() == version.yaml
    assert client.get(f"/scenarios/{scenario.slug}/export/?version=2").status_code == 404
    assert client.get(f"/scenarios/{scenario.slug}/diff/?a=1&b=2").status_code == 404
    assert client.get("/scenarios/no-such-scenario/").status_code == 404


def _flashed(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
def test_refusals_are_flashed_on_the_editor(client, trainer, scenario):
    from django.contrib.auth.models import Permission
    from django.utils import translation

    from tests.factories import UserFactory

    client.force_login(trainer)
    response = client.post(
        f"/scenarios/{scenario.slug}/clone/", {"slug": scenario.slug}, follow=True
    )
    [message] = _flashed(response)
    assert "genuine-coat" in message  # the slug is taken
    editor = UserFactory()  # may edit, may not publish
    editor.user_permissions.add(Permission.objects.get(codename="change_scenario"))
    client.force_login(editor)
    response = client.post(f"/scenarios/{scenario.slug}/publish/", follow=True)
    with translation.override("zh-hans"):  # the site's language
        refused = translation.gettext("You may not change scenarios.")
    assert _flashed(response) == [refused]
    scenario.refresh_from_db()
    assert scenario.published_version is None


@pytest.mark.django_db
def test_a_search_with_a_nul_byte_finds_nothing_rather_than_failing(client, trainer, scenario):
    client.force_login(trainer)
    for params in ({"q": "coat\x00"}, {"shop": "\x00"}):
        response = client.get("/scenarios/", params)
        assert response.status_code == 200
        assert scenario.slug not in response.content.decode()
    assert scenario.slug in client.get("/scenarios/", {"q": scenario.slug}).content.decode()
