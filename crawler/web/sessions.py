"""Browser sessions in a signed cookie (itsdangerous), with the CSRF token derived from them.

Every visitor gets a session with a random nonce, signed-in or not; signing in replaces the nonce,
so a token seen before login is worthless after it. The CSRF token is an HMAC of the nonce: forms
carry it, and a POST without the session's own token is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from itsdangerous import BadSignature, URLSafeTimedSerializer

COOKIE = "pantau_session"
MAX_AGE_SECONDS = 14 * 24 * 3600


@dataclass
class WebSession:
    nonce: str
    user_id: int | None = None
    language: str | None = None  # chosen before signing in; a user's own language is on their row
    changed: bool = field(default=False, compare=False)

    def sign_in(self, user_id: int) -> None:
        self.nonce = secrets.token_urlsafe(16)
        self.user_id = user_id
        self.changed = True

    def sign_out(self) -> None:
        self.nonce = secrets.token_urlsafe(16)
        self.user_id = None
        self.changed = True

    def choose_language(self, language: str) -> None:
        self.language = language
        self.changed = True


class SessionCodec:
    """Reads and writes the session cookie, and makes and checks CSRF tokens, with one secret key."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="pantau-session")
        self._csrf_key = hashlib.sha256(f"csrf:{secret}".encode()).digest()

    def load(self, cookie: str | None) -> WebSession:
        """The cookie's session, or a new anonymous one when it is missing, forged or expired."""
        if cookie:
            try:
                data = self._serializer.loads(cookie, max_age=MAX_AGE_SECONDS)
                return WebSession(nonce=str(data["n"]), user_id=data.get("u"), language=data.get("l"))
            except (BadSignature, KeyError, TypeError):
                pass
        return WebSession(nonce=secrets.token_urlsafe(16), changed=True)

    def dump(self, session: WebSession) -> str:
        return self._serializer.dumps({"n": session.nonce, "u": session.user_id, "l": session.language})

    def csrf_token(self, session: WebSession) -> str:
        return hmac.new(self._csrf_key, session.nonce.encode(), hashlib.sha256).hexdigest()

    def csrf_valid(self, session: WebSession, token: str | None) -> bool:
        return bool(token) and hmac.compare_digest(self.csrf_token(session), token or "")
