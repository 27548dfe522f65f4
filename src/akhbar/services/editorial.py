"""The newsroom: editors' accounts, signing in, and the articles editors write.

Passwords are hashed with argon2 (argon2-cffi's defaults, rehashed when those change); signing in
is guarded against guessing and floods by :mod:`akhbar.services.signin`. A session is a random
token in a cookie; the database keeps only its SHA-256, with a second random token that every form
must send back (CSRF), so any number of ``akhbar serve`` processes share sessions and a leaked
table opens none.

An editor's article is stored like a fetched page: its raw document is the form
(:mod:`akhbar.extract.editorial`), then it is extracted, checked for duplicates, placed in a story
and indexed for search in one transaction. Editing saves a new revision under the same key, and the
article is updated in place. Editors edit their own articles; admins edit every one.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from akhbar.errors import InputError, StoreError
from akhbar.extract import editorial
from akhbar.extract.editorial import Draft
from akhbar.models import as_utc
from akhbar.services import images, ingest
from akhbar.services.signin import TooManyAttempts, authenticate, hash_password, normalise_email
from akhbar.services.stories import Grouping
from akhbar.store import Store, packing
from akhbar.store import signin as limits
from akhbar.store import users as accounts
from akhbar.store.tables import articles, raw_documents
from akhbar.store.users import ROLES, User

__all__ = [
    "ROLES",
    "Draft",
    "Session",
    "TooManyAttempts",
    "User",
    "Written",
    "authenticate",
    "normalise_email",
]

log = logging.getLogger(__name__)

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
SESSION = timedelta(hours=12)


def _checked_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InputError.about(
            "users: a password needs {least} to {most} characters", least=MIN_PASSWORD, most=MAX_PASSWORD
        )
    return password


def add_user(store: Store, email: str, role: str, password: str, *, name: str | None = None) -> User:
    """Create an account; the email must be new."""
    address = normalise_email(email)
    if role not in ROLES:
        raise InputError.about(
            "users: role must be one of {roles}, not {role!r}", roles=", ".join(ROLES), role=role
        )
    hashed = hash_password(_checked_password(password))
    with store.transaction() as connection:
        if accounts.by_email(connection, address) is not None:
            raise InputError.about("users: {address} already has an account", address=address)
        user_id = accounts.insert_user(
            connection,
            email=address,
            name=(name or "").strip() or None,
            role=role,
            password_hash=hashed,
            now=datetime.now(UTC),
        )
        user = accounts.by_id(connection, user_id)
    if user is None:
        raise StoreError(f"users: the account #{user_id} just made for {address} cannot be read back")
    return user


def list_users(store: Store) -> list[User]:
    with store.reading() as connection:
        return accounts.list_users(connection)


def account(store: Store, user_id: int) -> User | None:
    with store.reading() as connection:
        return accounts.by_id(connection, user_id)


def _existing(connection: sa.Connection, email: str) -> User:
    user = accounts.by_email(connection, normalise_email(email))
    if user is None:
        raise InputError.about("users: no account for {email}", email=email)
    return user


def set_password(store: Store, email: str, password: str) -> None:
    """A new password; the account is unlocked and signed out everywhere."""
    hashed = hash_password(_checked_password(password))
    with store.transaction() as connection:
        user = _existing(connection, email)
        accounts.update_user(connection, user.id, password_hash=hashed)
        limits.clear_account(connection, user.id)
        accounts.delete_sessions_of(connection, user.id)


def set_disabled(store: Store, email: str, disabled: bool) -> None:
    """Disable (signed out everywhere, cannot sign in) or enable an account."""
    with store.transaction() as connection:
        user = _existing(connection, email)
        accounts.update_user(connection, user.id, disabled_at=datetime.now(UTC) if disabled else None)
        if disabled:
            accounts.delete_sessions_of(connection, user.id)


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(store: Store, user: User, *, now: datetime | None = None) -> tuple[str, Session]:
    """A new session for ``user``: the cookie's token and the session (with its form token)."""
    now = now or datetime.now(UTC)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with store.transaction() as connection:
        accounts.delete_expired_sessions(connection, now)
        accounts.insert_session(
            connection,
            token_hash=_token_hash(token),
            user_id=user.id,
            csrf=csrf,
            now=now,
            expires_at=now + SESSION,
        )
    return token, Session(user, csrf)


def session(store: Store, token: str | None, *, now: datetime | None = None) -> Session | None:
    """The signed-in session of a cookie token, or None (unknown, expired, or the account disabled)."""
    if not token or len(token) > 200:
        return None
    with store.reading() as connection:
        found = accounts.session_user(connection, _token_hash(token), now or datetime.now(UTC))
    if found is None or found[0].disabled_at is not None:
        return None
    return Session(*found)


def close_session(store: Store, token: str) -> None:
    with store.transaction() as connection:
        accounts.delete_session(connection, _token_hash(token))


@dataclass(frozen=True)
class Written:
    """An editorial article as the newsroom lists it."""

    article_id: int
    title: str
    language: str | None
    published: str | None
    revision: int
    saved_by: str
    saved_at: datetime
    story_id: int | None


def saved(store: Store, article_id: int) -> editorial.Saved | None:
    """The latest revision of an editorial article (None for any other article)."""
    with store.reading() as connection:
        row = connection.execute(
            sa.select(raw_documents.c.data, raw_documents.c.compression)
            .join(articles, articles.c.raw_id == raw_documents.c.id)
            .where(articles.c.id == article_id, raw_documents.c.content_type == editorial.CONTENT_TYPE)
        ).first()
    return None if row is None else editorial.read(packing.unpack(row.data, row.compression))


def _editable(store: Store, user: User, article_id: int, refusal: str) -> editorial.Saved:
    """The latest revision of an editorial article that ``user`` may change; otherwise
    :class:`InputError`, with ``refusal`` (filled with ``article`` and ``author``) when it is
    another editor's."""
    previous = saved(store, article_id)
    if previous is None:
        raise InputError.about("article {article} was not written here", article=article_id)
    if not may_edit(user, previous.saved_by):
        raise InputError.about(refusal, article=article_id, author=previous.saved_by)
    return previous


def may_edit(user: User, saved_by: str) -> bool:
    """Editors edit and withdraw what they saved last; admins every editorial article."""
    return user.role == "admin" or saved_by == user.email


def write(
    store: Store, grouping: Grouping, user: User, draft: Draft, *, article_id: int | None = None
) -> int:
    """Publish a new article, or a new revision of ``article_id``; returns the article id.

    Raises :class:`InputError` with every problem of the draft, or when the article is not an
    editorial one or not the editor's own.
    """
    wrong = editorial.problems(draft)
    if wrong:
        raise InputError("; ".join(wrong))
    if article_id is None:
        key, revision = secrets.token_hex(8), 1
    else:
        previous = _editable(
            store, user, article_id, "article {article} is {author}'s; only an admin may edit it"
        )
        key, revision = previous.key, previous.revision + 1
    document = editorial.document(
        key, draft, revision=revision, saved_by=user.email, saved_at=datetime.now(UTC)
    )
    result = ingest.ingest_document(store, document, grouping=grouping)
    if result.article_id is None:
        raise InputError(result.reason or f"the article could not be stored ({result.status})")
    log.info("editorial: %s saved article %s revision %d", user.email, result.article_id, revision)
    images.request_photo(store, result.article_id)  # the server's job sweep fetches it (setting images)
    return result.article_id


def withdraw(store: Store, grouping: Grouping, user: User, article_id: int) -> None:
    """Take an editorial article off the portal with a withdrawn revision; earlier revisions stay stored."""
    previous = _editable(
        store, user, article_id, "article {article} is {author}'s; only an admin may withdraw it"
    )
    document = editorial.document(
        previous.key,
        previous.draft,
        revision=previous.revision + 1,
        saved_by=user.email,
        saved_at=datetime.now(UTC),
        withdrawn=True,
    )
    result = ingest.ingest_document(store, document, grouping=grouping)
    if result.status != "rejected":
        raise InputError(result.reason or f"article {article_id} could not be withdrawn ({result.status})")
    log.info("editorial: %s withdrew article %s", user.email, article_id)


def written(store: Store, *, limit: int = 100) -> list[Written]:
    """Editorial articles, most recently saved first."""
    with store.reading() as connection:
        rows = connection.execute(
            sa.select(
                articles.c.id,
                articles.c.title,
                articles.c.language,
                articles.c.published,
                articles.c.story_id,
                raw_documents.c.data,
                raw_documents.c.compression,
            )
            .join(raw_documents, articles.c.raw_id == raw_documents.c.id)
            .where(raw_documents.c.content_type == editorial.CONTENT_TYPE)
            .order_by(articles.c.updated_at.desc(), articles.c.id.desc())
            .limit(limit)
        ).all()
    found = []
    for row in rows:
        revision = editorial.read(packing.unpack(row.data, row.compression))
        found.append(
            Written(
                row.id,
                row.title,
                row.language,
                row.published,
                revision.revision,
                revision.saved_by,
                as_utc(revision.saved_at),
                row.story_id,
            )
        )
    return found
