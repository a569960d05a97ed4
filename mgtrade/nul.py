"""NUL characters are refused at the edge, in one place (PostgreSQL can neither store nor
compare them, so they used to surface as server errors deep in a query).

``RejectNulMiddleware`` checks the path, the query string and form fields of every request;
``JSONParser`` (the API's JSON parser) checks every key and string of a JSON body. Both answer
400 with the same message before any view runs.
"""

from typing import Any

from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as BaseJSONParser

MESSAGE = "The request contains a NUL character (\\u0000), which is not allowed."


def contains_nul(value: Any) -> bool:
    """True when ``value`` (a string, or lists/dicts of them, keys included) holds a NUL."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(contains_nul(item) for item in value)
    return False


def _querydict_has_nul(data) -> bool:
    return any(contains_nul(key) or contains_nul(data.getlist(key)) for key in data)


class RejectNulMiddleware:
    """400 for a NUL in the path, the query string or a form field (pages and API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or _querydict_has_nul(request.GET)
            or (request.method == "POST" and _querydict_has_nul(request.POST))
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": MESSAGE}, status=400)
            return render(request, "bad_request.html", {"message": MESSAGE}, status=400)
        return self.get_response(request)


class JSONParser(BaseJSONParser):
    """DRF's JSON parser, refusing a NUL in any key or string value (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if contains_nul(data):
            raise ParseError(MESSAGE)
        return data
