"""akhbar's exception tree.

::

    AkhbarError                 every error akhbar raises on purpose
    ├── ConfigError             a setting is unknown or has an invalid value
    ├── InputError              an input cannot be read as a page (binary, empty, undecodable, missing)
    └── StoreError              the database refused an operation or has an outdated schema

Rejected pages are not errors: extraction returns a :class:`akhbar.models.Rejected` value.
"""

from __future__ import annotations


class AkhbarError(Exception):
    """Base class of every error akhbar raises on purpose."""


class ConfigError(AkhbarError):
    """A setting is unknown or has an invalid value."""


class InputError(AkhbarError):
    """An input cannot be read as a page: binary, empty, undecodable or missing."""


class StoreError(AkhbarError):
    """The database refused an operation or its schema is outdated."""
