from django.contrib.auth import user_logged_out
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .services import api_token_issue, api_token_revoke, api_tokens_revoke_all


@login_required
def home(request):
    return redirect("customers:my_day")


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`.")
    expiry = serializers.DateTimeField(help_text="When the token stops working.")


_DETAIL = inline_serializer("Detail", fields={"detail": serializers.CharField()})


class TokenView(APIView):
    """``POST /api/v1/auth/token/``: a new token for a username and password.

    Failed attempts count towards the same lockout as the login page (django-axes sees the
    request through the serializer's authenticate call).
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = AuthTokenSerializer

    @extend_schema(
        operation_id="auth_token_create",
        request=AuthTokenSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description="Wrong username or password, or a field missing."),
            429: OpenApiResponse(_DETAIL, description="Locked out after repeated failures."),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False):
                return Response(
                    {"detail": _("Too many failed sign-in attempts. Try again later.")},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
            return Response(serializer.errors, status=status.HTTP_400_BAD_REQUEST)
        row, token = api_token_issue(user=serializer.validated_data["user"])
        return Response(TokenResponseSerializer({"token": token, "expiry": row.expiry}).data)


class LogoutView(APIView):
    """``POST /api/v1/auth/logout/``: end the token this request is signed with."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout",
        request=None,
        responses={204: OpenApiResponse(description="The token no longer works.")},
    )
    def post(self, request, *args, **kwargs):
        api_token_revoke(token=request.auth)
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """``POST /api/v1/auth/logout-all/``: end every token of the signed-in user."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_logout_all",
        request=None,
        responses={204: OpenApiResponse(description="None of the user's tokens works any more.")},
    )
    def post(self, request, *args, **kwargs):
        api_tokens_revoke_all(user=request.user)
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
