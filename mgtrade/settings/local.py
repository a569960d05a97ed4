"""The embedded developer run (`make run`): DEBUG on, everything on this machine."""

from .base import *  # noqa: F403
from .base import MGTRADE, env, env_bool

DEBUG = env_bool("DEBUG", default=True)

# The buyer's and the rep's links point at the development server itself unless
# MGTRADE_SITE_URL says otherwise: the Procfile's runserver listens on the same two variables.
DEV_HOST = env.str("MGTRADE_HOST", default="127.0.0.1")
DEV_PORT = env.int("MGTRADE_PORT", default=8000)
# A server listening on every interface is reached on this machine at 127.0.0.1.
_link_host = "127.0.0.1" if DEV_HOST in ("0.0.0.0", "") else DEV_HOST
MGTRADE = {
    **MGTRADE,
    "SITE_URL": env.str("MGTRADE_SITE_URL", default=f"http://{_link_host}:{DEV_PORT}"),
}
