"""REST endpoints for scenario authoring (trainers): validate, save, publish, dry-run."""

from __future__ import annotations

import math
from dataclasses import asdict

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from scenarios.diagram import scenario_diagram
from scenarios.dry_run import MAX_REPLIES, dry_run
from scenarios.schema import SCHEMA
from scenarios.selectors import scenarios_all, scenarios_filtered, versions_of
from scenarios.services import (
    scenario_check,
    scenario_clone,
    scenario_create,
    scenario_draft_save,
    scenario_publish,
    scenario_unpublish,
)
from simulator.api import permission, source_errors_data
from yamlsource import SourceErrors

# Service errors (SourceErrors, ValidationError, PermissionDenied) are not caught here:
# simulator.api.exception_handler answers them the same way for every endpoint.
CanAuthorScenarios = permission("scenarios.change_scenario")


class _TextOnly:
    """DRF's CharField turns 123 or true into the text "123" or "True": a draft would be
    overwritten with it. These fields take JSON strings only."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextField(_TextOnly, serializers.CharField):
    pass


class SlugTextField(_TextOnly, serializers.SlugField):
    pass


class NumberField(serializers.FloatField):
    """A JSON number only: not "5" nor true, and finite."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class WholeNumberField(serializers.IntegerField):
    """A JSON integer only: not "3", 3.0 nor true."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class SourceErrorSerializer(serializers.Serializer):
    line = serializers.IntegerField()
    column = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class YamlInputSerializer(serializers.Serializer):
    yaml = TextField(trim_whitespace=False, max_length=1024 * 1024)


class ValidationOutputSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    errors = SourceErrorSerializer(many=True)


class SchemaApi(APIView):
    @extend_schema(responses={200: dict}, summary="The JSON Schema of scenario files")
    def get(self, request: Request) -> Response:
        return Response(SCHEMA)


class ValidateApi(APIView):
    permission_classes = [CanAuthorScenarios]

    @extend_schema(
        request=YamlInputSerializer,
        responses=ValidationOutputSerializer,
        summary="Validate scenario YAML (as the editor does while you type)",
    )
    def post(self, request: Request) -> Response:
        serializer = YamlInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            scenario_check(serializer.validated_data["yaml"])
        except SourceErrors as errors:
            # Invalid YAML is the answer here, not a refusal: the editor shows it as you type.
            return Response({"valid": False, "errors": source_errors_data(errors)})
        return Response({"valid": True, "errors": []})


class ScenarioSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    shop_slug = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    difficulty = serializers.IntegerField()
    motive = serializers.CharField()
    draft_valid = serializers.BooleanField()
    published_version = serializers.IntegerField(
        source="published_version.number", allow_null=True, default=None
    )


class ScenarioListApi(APIView):
    permission_classes = [CanAuthorScenarios]

    @extend_schema(responses=ScenarioSummarySerializer(many=True), summary="List scenarios")
    def get(self, request: Request) -> Response:
        params = request.query_params
        scenarios = scenarios_filtered(
            query=params.get("q", ""),
            shop=params.get("shop", ""),
            tag=params.get("tag", ""),
            status=params.get("status", ""),
        )
        return Response(ScenarioSummarySerializer(scenarios, many=True).data)

    @extend_schema(
        request=YamlInputSerializer,
        responses={201: ScenarioSummarySerializer},
        summary="Create a scenario from YAML",
    )
    def post(self, request: Request) -> Response:
        serializer = YamlInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scenario = scenario_create(actor=request.user, yaml_text=serializer.validated_data["yaml"])
        return Response(ScenarioSummarySerializer(scenario).data, status=status.HTTP_201_CREATED)


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    content_hash = serializers.CharField()
    created_at = serializers.DateTimeField()


class ScenarioDetailSerializer(ScenarioSummarySerializer):
    draft_yaml = serializers.CharField()
    versions = serializers.SerializerMethodField()

    def get_versions(self, scenario) -> list[dict]:
        return VersionSerializer(versions_of(scenario), many=True).data


class ScenarioDetailApi(APIView):
    permission_classes = [CanAuthorScenarios]

    @extend_schema(responses=ScenarioDetailSerializer, summary="A scenario with its draft")
    def get(self, request: Request, slug: str) -> Response:
        scenario = get_object_or_404(scenarios_all(), slug=slug)
        return Response(ScenarioDetailSerializer(scenario).data)


class DraftOutputSerializer(ScenarioSummarySerializer):
    errors = SourceErrorSerializer(many=True)


class DraftApi(APIView):
    permission_classes = [CanAuthorScenarios]

    @extend_schema(
        request=YamlInputSerializer,
        responses=DraftOutputSerializer,
        summary="Save the draft (kept even when invalid; errors are returned)",
    )
    def put(self, request: Request, slug: str) -> Response:
        scenario = get_object_or_404(scenarios_all(), slug=slug)
        serializer = YamlInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = scenario_draft_save(
            actor=request.user, scenario=scenario, yaml_text=serializer.validated_data["yaml"]
        )
        data = ScenarioSummarySerializer(result.scenario).data
        return Response({**data, "errors": source_errors_data(result.errors)})


class PublishApi(APIView):
    permission_classes = [CanAuthorScenarios]

    @extend_schema(
        request=None,
        responses=VersionSerializer,
        summary="Publish the draft as an immutable version",
    )
    def post(self, request: Request, slug: str) -> Response:
        scenario = get_object_or_404(scenarios_all(), slug=slug)
        version = scenario_publish(actor=request.user, scenario=scenario)
        return Response(VersionSerializer(version).data)


class UnpublishApi(APIView):
    permission_classes = [CanAuthorScenarios]

    @extend_schema(
        request=None,
        responses=ScenarioSummarySerializer,
        summary="Withdraw a scenario from trainees",
    )
    def post(self, request: Request, slug: str) -> Response:
        scenario = get_object_or_404(scenarios_all(), slug=slug)
        scenario = scenario_unpublish(actor=request.user, scenario=scenario)
        return Response(ScenarioSummarySerializer(scenario).data)


class CloneInputSerializer(serializers.Serializer):
    slug = SlugTextField(max_length=80)


class CloneApi(APIView):
    permission_classes = [CanAuthorScenarios]

    @extend_schema(
        request=CloneInputSerializer,
        responses={201: ScenarioSummarySerializer},
        summary="Copy a scenario's draft under a new slug",
    )
    def post(self, request: Request, slug: str) -> Response:
        scenario = get_object_or_404(scenarios_all(), slug=slug)
        serializer = CloneInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        copy = scenario_clone(
            actor=request.user, scenario=scenario, new_slug=serializer.validated_data["slug"]
        )
        return Response(ScenarioSummarySerializer(copy).data, status=status.HTTP_201_CREATED)


class RepliesSerializer(serializers.ListSerializer):
    """The dry-run plays its first ``MAX_REPLIES`` replies; the rest are dropped unread, so
    a request of a hundred thousand replies costs no more than one of thirty."""

    def to_internal_value(self, data):
        if isinstance(data, list):
            data = data[:MAX_REPLIES]
        return super().to_internal_value(data)


class ReplySerializer(serializers.Serializer):
    after_s = NumberField(min_value=0, max_value=3600, required=False)
    wait_s = NumberField(min_value=0.1, max_value=3600, required=False)
    text = TextField(max_length=1000, required=False)

    def validate(self, attrs):
        if "wait_s" in attrs:
            return {"wait_s": attrs["wait_s"]}
        if "text" not in attrs:
            raise serializers.ValidationError("a reply needs text (or wait_s)")
        return {"after_s": attrs.get("after_s", 5.0), "text": attrs["text"]}

    class Meta:
        list_serializer_class = RepliesSerializer


class DryRunInputSerializer(serializers.Serializer):
    yaml = TextField(trim_whitespace=False, max_length=1024 * 1024, required=False)
    seed = WholeNumberField(min_value=0, max_value=2**32 - 1, default=0)
    replies = ReplySerializer(many=True)


class DryRunApi(APIView):
    permission_classes = [CanAuthorScenarios]
    # Replies are a list of objects with numbers: only JSON can say that (a form would send
    # every value as text, which the fields refuse).
    parser_classes = [JSONParser]

    @extend_schema(
        request=DryRunInputSerializer,
        responses={200: dict},
        summary="Run replies against the buyer: branch fired, why, hits, score",
    )
    def post(self, request: Request, slug: str) -> Response:
        scenario = get_object_or_404(scenarios_all(), slug=slug)
        serializer = DryRunInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        text = serializer.validated_data.get("yaml") or scenario.draft_yaml
        spec = scenario_check(text, f"{slug}.yaml")
        result = dry_run(
            spec,
            seed=serializer.validated_data["seed"],
            replies=serializer.validated_data["replies"],
        )
        return Response(result)


class DiagramApi(APIView):
    permission_classes = [CanAuthorScenarios]

    @extend_schema(
        request=YamlInputSerializer,
        responses={200: dict},
        summary="The step graph of scenario YAML (nodes and edges)",
    )
    def post(self, request: Request) -> Response:
        serializer = YamlInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        spec = scenario_check(serializer.validated_data["yaml"])
        diagram = scenario_diagram(spec.data)
        return Response(
            {
                "width": diagram.width,
                "height": diagram.height,
                "nodes": [asdict(n) for n in diagram.nodes],
                "edges": [asdict(e) for e in diagram.edges],
            }
        )
