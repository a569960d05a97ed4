"""``GET reports/<name>/``: a report's tables as JSON, with the pages' filters."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.forms import ReportFilterForm
from reports.selectors import REPORTS, report_tables

FILTER_PARAMETERS = [
    OpenApiParameter(
        "date_from", OpenApiTypes.DATE, description="Quotes dated from (default: a year ago)."
    ),
    OpenApiParameter(
        "date_to", OpenApiTypes.DATE, description="Quotes dated until (default: today)."
    ),
    OpenApiParameter("rep", OpenApiTypes.INT, description="Owner's user id (managers only)."),
    OpenApiParameter("region", OpenApiTypes.STR),
    OpenApiParameter("country", OpenApiTypes.STR, description="Destination country (ISO code)."),
    OpenApiParameter("grade", OpenApiTypes.STR, description="Grade code."),
    OpenApiParameter("industry", OpenApiTypes.STR),
    OpenApiParameter(
        "currency", OpenApiTypes.STR, description="Only quotes in this currency, values in it."
    ),
]


class ReportView(APIView):
    """One report (pipeline, winloss, realisation, volumes, speed): its tables, each with
    its columns and rows; money as strings, as elsewhere in the API. A rep's figures cover
    their own quotes (the quotes' visibility rule)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="reports_retrieve",
        parameters=[
            OpenApiParameter("name", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(REPORTS)),
            *FILTER_PARAMETERS,
        ],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description='{"report": "winloss", "filters": {...}, "tables": [{"name", '
                '"title", "columns": [{"key", "label"}], "rows": [{...}]}]}',
            )
        },
        tags=["reports"],
    )
    def get(self, request, name: str):
        if name not in REPORTS:
            raise Http404("No such report")
        form = ReportFilterForm(request.query_params or None, user=request.user)
        if form.is_bound and not form.is_valid():
            raise ValidationError(
                {
                    field: [e["message"] for e in errs]
                    for field, errs in form.errors.get_json_data().items()
                }
            )
        filters = form.filters()
        tables = report_tables(name=name, user=request.user, filters=filters)
        return Response(
            {
                "report": name,
                "filters": filters.as_dict(),
                "tables": [table.as_dict() for table in tables],
            }
        )
