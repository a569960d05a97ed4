"""The embedded developer run (`make run`): DEBUG on, everything on this machine."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", default=True)
