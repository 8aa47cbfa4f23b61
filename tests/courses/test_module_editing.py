"""A module edited as YAML in the browser: checked as the importer checks a file, including
its place in the course; previewed; published all or nothing, audited."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from courses.models import Lesson
from courses.module_editing import module_check, module_preview, module_publish, module_yaml
from yamlsource import SourceErrors

pytestmark = pytest.mark.django_db


def _advanced(course):
    return course.modules.get(slug="advanced")


def test_the_editor_opens_the_module_as_its_file_would_read(course):
    text = module_yaml(_advanced(course))
    assert text.startswith("slug: advanced\n")
    assert "议价要有理有据。" in text
    module_check(_advanced(course), text)  # what it opens with is valid as it stands


def test_a_new_lesson_is_previewed_rendered_and_published(course, trainer):
    module = _advanced(course)
    text = module_yaml(module).replace(
        "lessons:\n",
        "lessons:\n- slug: tone\n  title: 语气\n"
        "  body: '**先共情**，再讲规则。<script>x()</script>'\n",
        1,
    )
    preview = module_preview(module_check(module, text), "advanced")
    first = preview["lessons"][0]
    assert first["title"] == "语气"
    # The lesson page's own rendering, as a tree for the page to build; the sanitiser drops
    # the raw script, element and content.
    assert first["body"] == [["p", {}, ["strong", {}, "先共情"], "，再讲规则。"]]
    assert preview["quiz"]["questions"][0]["answer_true"] is False
    module_publish(actor=trainer, module=module, text=text)
    assert list(
        Lesson.objects.filter(module=module, is_active=True).values_list("slug", flat=True)
    ) == ["tone", "bargaining"]
    event = AuditEvent.objects.filter(action="course.module_publish").get()
    assert event.actor == trainer and event.after["module"] == "advanced"


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        (("slug: advanced", "slug: renamed"), 1, "cannot change"),
        (("prerequisites:\n- basics", "prerequisites:\n- nowhere"), 4, "not a module"),
        (("title: 进阶\n", "title: 进阶\ntitel: x\n"), 3, "titel"),
    ],
)
def test_a_bad_text_is_refused_with_its_line_and_nothing_changes(
    course, trainer, english, change, line, words
):
    module = _advanced(course)
    before = module_yaml(module)
    text = before.replace(*change, 1)
    assert text != before
    with pytest.raises(SourceErrors) as raised:
        module_publish(actor=trainer, module=module, text=text)
    [error] = raised.value.errors
    assert error.position.line == line and words in error.message
    assert module_yaml(module) == before
    assert not AuditEvent.objects.filter(action="course.module_publish").exists()


def test_the_validate_endpoint_answers_errors_or_the_preview(client, course, trainer):
    client.force_login(trainer)
    url = reverse("courses:module_validate", args=[course.slug, "advanced"])
    good = client.post(
        url, json.dumps({"yaml": module_yaml(_advanced(course))}), content_type="application/json"
    ).json()
    assert good["valid"] and good["preview"]["lessons"][0]["title"] == "议价"
    bad = client.post(
        url, json.dumps({"yaml": "slug: [\n"}), content_type="application/json"
    ).json()
    assert bad["valid"] is False and bad["errors"][0]["line"] >= 1


def test_a_trainee_cannot_open_or_publish_the_editor(client, course, trainee):
    client.force_login(trainee)
    url = reverse("courses:module_editor", args=[course.slug, "advanced"])
    assert client.get(url).status_code == 403
    assert client.post(url, {"yaml": "slug: advanced"}).status_code == 403
