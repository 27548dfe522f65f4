"""akhbar's exception tree.

::

    AkhbarError                 every error akhbar raises on purpose
    ├── ConfigError             a setting is unknown or has an invalid value
    ├── InputError              an input cannot be read as a page (binary, empty, undecodable, missing)
    ├── FetchError              a URL could not be fetched (unsafe address, robots.txt, HTTP error, timeout)
    ├── HostBusy                a host's turn is further off than the fetch agreed to wait (not a failure)
    ├── RetryLater              a request failed transiently; its job fetches again later (not yet a failure)
    └── StoreError              the database refused an operation or has an outdated schema

Rejected pages are not errors: extraction returns a :class:`akhbar.models.Rejected` value.
"""

from __future__ import annotations


class AkhbarError(Exception):
    """Base class of every error akhbar raises on purpose."""


class ConfigError(AkhbarError):
    """A setting is unknown or has an invalid value."""


class InputError(AkhbarError):
    """An input cannot be used: a page that is binary, empty, undecodable or missing, or a form
    value that is wrong.

    Made with :meth:`about`, it keeps its English ``template`` and ``values`` apart, so an
    interface can say it in its own language (the template is the catalog's message id).
    """

    def __init__(
        self, message: str, *, template: str | None = None, values: dict[str, object] | None = None
    ) -> None:
        super().__init__(message)
        self.template = template
        self.values = values or {}

    @classmethod
    def about(cls, template: str, **values: object) -> InputError:
        """An error whose message is ``template`` filled with ``values`` (``{name}`` fields)."""
        return cls(template.format(**values), template=template, values=values)


class StoreError(AkhbarError):
    """The database refused an operation or its schema is outdated."""


class FetchError(AkhbarError):
    """A URL could not be fetched: refused by a safety rule or robots.txt, an HTTP error, a timeout.

    The message names the URL and the reason (``fetch: https://x/: timed out after 10 s``);
    ``transient`` says whether trying again later may succeed (5xx, 429, network errors).
    """

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


class RetryLater(AkhbarError):
    """A request failed transiently (5xx, 429, a dropped connection) and the fetch was asked to hand
    its retries back rather than sleep through their backoff: the job is to be run again from
    ``retry_at`` (epoch seconds), telling the fetch that ``tries`` requests were made before."""

    def __init__(self, url: str, reason: str, retry_at: float, tries: int) -> None:
        super().__init__(f"fetch: {url}: {reason}, try {tries} failed; again at {retry_at:.3f}")
        self.url, self.reason = url, reason
        self.retry_at, self.tries = retry_at, tries


class HostBusy(AkhbarError):
    """A host's next turn (or a free request slot there) is further off than the fetch agreed to
    wait, and nothing was sent: not a failure, the work is to be done again from ``retry_at``
    (epoch seconds). A job runner reschedules the job instead of holding a worker slot meanwhile.
    """

    def __init__(self, host: str, retry_at: float) -> None:
        super().__init__(f"fetch: {host}: busy until {retry_at:.3f}")
        self.host = host
        self.retry_at = retry_at
