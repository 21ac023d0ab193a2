"""What every request handler shares, kept on the app: the config, the database and the web's own
machinery (session codec, login throttle, templates, the first-admin link)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from jinja2_fragments.fastapi import Jinja2Blocks

from crawler.config import Config
from crawler.store.db import Database
from crawler.web.sessions import SessionCodec
from crawler.web.throttle import LoginThrottle


@dataclass
class WebState:
    """What every request handler shares: the config, the database and the web's own machinery."""

    config: Config
    database: Database
    codec: SessionCodec
    throttle: LoginThrottle
    templates: Jinja2Blocks
    setup_token: str | None  # the one-time first-admin link, while there are no users


def web_state(request: Request) -> WebState:
    state = request.app.state.web
    assert isinstance(state, WebState)
    return state
