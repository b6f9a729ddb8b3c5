"""The read API's endpoints: units, cycles, result rows and actions within the token's reach.

Each request reads with the token creator's reach as it is now (api.access), and leaves one
entry in the organisation's audit log: results pages as exports (the same entry as a file
export, naming the token and the page), the rest as reads through the API, and a refused one
(outside reach, bad parameters, past the rate...) as a refusal (api.services.record_refusal).
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from actions.models import Action
from api import services
from api.access import (
    actions_in_reach,
    get_action_in,
    get_cycle_in,
    get_unit_in,
    token_reach,
    units_in_reach,
)
from api.models import ApiToken
from api.serializers import (
    ActionSerializer,
    CycleSerializer,
    ResultRowSerializer,
    ResultsQuerySerializer,
    UnitSerializer,
)
from diagnostics.exports import (
    LEVELS,
    NUMERIC_COLUMNS,
    ExportRequest,
    all_columns,
    export_rows,
    number_of,
)
from diagnostics.selectors import cycles_visible_to
from diagnostics.services import record_export
from organisations.access import Reach
from organisations.selectors import readable_path, unit_names_by_path

Row = dict[str, str | int | float | None]


def json_row(row: list[str]) -> Row:
    """An export row as JSON: its columns by name, numbers as numbers, empty cells null."""
    return {
        column: (number_of(value) if column in NUMERIC_COLUMNS else value) if value else None
        for column, value in zip(all_columns(), row, strict=True)
    }


def reach_scope(reach: Reach, names: dict[str, str]) -> str:
    """The part of the organisation a read covered, for the audit log."""
    if not reach.has_role:
        return "nothing (the token's creator has no role here now)"
    return "; ".join(readable_path(unit, names) for unit in reach.top_units)


def refusal_reason(response: Response) -> str:
    """A refused request's reason as its answer gave it, in a line: the message, or for bad
    parameters the names of those refused (their values are the caller's, and could be long)."""
    data = response.data
    if isinstance(data, dict) and data.get("detail"):
        return str(data["detail"])
    if isinstance(data, dict):
        return "invalid parameters: " + ", ".join(sorted(map(str, data)))
    return "invalid request"


class TokenReadView(GenericAPIView[Any]):
    """What every endpoint shares: the token, its reach now, the organisation's unit names."""

    @property
    def token(self) -> ApiToken:
        return cast(ApiToken, self.request.auth)

    @cached_property
    def reach(self) -> Reach:
        return token_reach(self.request.user, self.token)

    @cached_property
    def names(self) -> dict[str, str]:
        organisation = self.reach.organisation
        return unit_names_by_path(organisation) if organisation is not None else {}

    def page_label(self) -> str:
        page = self.paginator.page  # type: ignore[union-attr]
        return f"page {page.number} of {page.paginator.num_pages}"

    # The token this request was accepted with, once authentication has run. DRF works out the
    # answer's format before it authenticates, so a request can fail before then; reading
    # `request.auth` in the error handler would start authentication from inside it.
    accepted_token: ApiToken | None = None

    def perform_authentication(self, request: Request) -> None:
        super().perform_authentication(request)
        if isinstance(request.auth, ApiToken):
            self.accepted_token = request.auth

    def handle_exception(self, exc: Exception) -> Response:
        """DRF's answer to a refused request (400 and above: outside reach, bad parameters, past
        the rate...), logged when the request's token had been accepted; a refused token is
        logged where it is refused (api.authentication)."""
        response = super().handle_exception(exc)
        token = self.accepted_token
        if token is not None and response.status_code >= 400:
            services.record_refusal(
                token=token,
                status=response.status_code,
                reason=refusal_reason(response),
                method=self.request.method or "",
                path=self.request.get_full_path(),
            )
        return response

    def record(self, what: str) -> None:
        services.record_read(
            token=self.token,
            user=self.request.user,
            scope=reach_scope(self.reach, self.names),
            what=what,
        )


class UnitList(TokenReadView):
    serializer_class = UnitSerializer

    @extend_schema(
        summary="Units in reach",
        description="The unit tree the token reaches, in tree order (a parent before its units).",
        responses=UnitSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        units = units_in_reach(self.reach)
        page = self.paginate_queryset(units)
        context = {"names": self.names, "ids": dict(units.values_list("path", "pk"))}
        data = UnitSerializer(page, many=True, context=context).data
        self.record(f"units, {self.page_label()}")
        return self.get_paginated_response(data)


class UnitDetail(TokenReadView):
    serializer_class = UnitSerializer
    pagination_class = None

    @extend_schema(
        summary="One unit",
        description="A unit the token reaches, by its id; any other id is a 404.",
        responses=UnitSerializer,
    )
    def get(self, request: Request, unit_id: int) -> Response:
        unit = get_unit_in(self.reach, unit_id)
        ids = dict(units_in_reach(self.reach).values_list("path", "pk"))
        data = UnitSerializer(unit, context={"names": self.names, "ids": ids}).data
        self.record(f"unit {unit.name}")
        return Response(data)


class CycleList(TokenReadView):
    serializer_class = CycleSerializer

    @extend_schema(
        summary="Cycles in reach",
        description=(
            "Cycles of a unit in reach, or with a team in reach, newest first. Read each "
            "one's result rows at its results_url."
        ),
        responses=CycleSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(cycles_visible_to(self.reach).order_by("-opens_on", "-pk"))
        context = {"names": self.names, "request": request}
        data = CycleSerializer(page, many=True, context=context).data
        self.record(f"cycles, {self.page_label()}")
        return self.get_paginated_response(data)


class CycleDetail(TokenReadView):
    serializer_class = CycleSerializer
    pagination_class = None

    @extend_schema(
        summary="One cycle",
        description=(
            "A cycle of a unit the token reaches, or with a team it reaches, by its id; any "
            "other id is a 404. Read its result rows at its results_url."
        ),
        responses=CycleSerializer,
    )
    def get(self, request: Request, cycle_id: int) -> Response:
        cycle = get_cycle_in(self.reach, cycle_id)
        data = CycleSerializer(cycle, context={"names": self.names, "request": request}).data
        self.record(f"cycle {cycle.name}")
        return Response(data)


class CycleResults(TokenReadView):
    serializer_class = ResultRowSerializer

    @extend_schema(
        summary="A cycle's result rows",
        description=(
            "The rows of `export_results` for this cycle and the token's reach: the same "
            "columns in the same order, the same figures, the same suppression (a suppressed "
            "row has null figures and suppressed “yes”), in the export's order. Counts, means "
            "and shares are numbers; cells the export leaves empty are null."
        ),
        parameters=[ResultsQuerySerializer],
        responses=ResultRowSerializer(many=True),
    )
    def get(self, request: Request, cycle_id: int) -> Response:
        cycle = get_cycle_in(self.reach, cycle_id)
        query = ResultsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        level = query.validated_data.get("level")
        export = ExportRequest(
            cycle=cycle, levels=(level,) if level else LEVELS, by=query.validated_data["by"]
        )
        rows = [json_row(row) for row in export_rows(export, self.reach)]
        page = self.paginate_queryset(rows)
        record_export(
            export=export,
            file_format="json",
            user=request.user,
            reach=self.reach,
            via=f"API token “{self.token.name}”, {self.page_label()}",
        )
        return self.get_paginated_response(page)


class ActionQuerySerializer(serializers.Serializer[dict[str, Any]]):
    status = serializers.ChoiceField(
        choices=Action.Status.choices, required=False, help_text="Only actions in this status."
    )


class ActionList(TokenReadView):
    serializer_class = ActionSerializer

    @extend_schema(
        summary="Actions in reach",
        description=(
            "Actions for a unit in reach or escalated to one, soonest due first, with their status."
        ),
        parameters=[ActionQuerySerializer],
        responses=ActionSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        query = ActionQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        actions = actions_in_reach(self.reach).order_by("due_on", "pk")
        status = query.validated_data.get("status")
        if status:
            actions = actions.filter(status=status)
        page = self.paginate_queryset(actions)
        data = ActionSerializer(page, many=True, context={"names": self.names}).data
        self.record(f"actions{f' ({status})' if status else ''}, {self.page_label()}")
        return self.get_paginated_response(data)


class ActionDetail(TokenReadView):
    serializer_class = ActionSerializer
    pagination_class = None

    @extend_schema(
        summary="One action",
        description=(
            "An action for a unit the token reaches, or escalated to one, by its id; any other "
            "id is a 404."
        ),
        responses=ActionSerializer,
    )
    def get(self, request: Request, action_id: int) -> Response:
        action = get_action_in(self.reach, action_id)
        data = ActionSerializer(action, context={"names": self.names}).data
        self.record(f"action {action.title}")
        return Response(data)
