"""Security headers Django has no setting for.

The Content-Security-Policy comes from django-csp (``CONTENT_SECURITY_POLICY`` in
``settings/base.py``); this middleware adds ``Permissions-Policy`` to every response, built
from ``PERMISSIONS_POLICY`` (feature → allowed origins; an empty list turns the feature off).
"""

from django.conf import settings


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    return ", ".join(f"{feature}=({' '.join(origins)})" for feature, origins in policy.items())


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
