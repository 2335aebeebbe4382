"""The exception tree every govsocial package raises from.

    GovsocialError
    ├── ConfigurationError        settings that cannot work (bad URL, missing secret)
    ├── AddressError              text that is not an account address we understand
    │   ├── UnknownPlatformError  the host or platform name is not in the catalogue
    │   └── NotAnAccountError     a known platform, but not an account (a group, a login page, ...)
    ├── RegistryError             registry data that breaks a rule
    │   └── ImportFileError       an import file that cannot be read at all (encoding, format)
    └── NotFoundError             a code or id that names nothing in the store

Callers catch the narrowest class they can act on; the CLI and the web layer turn any
``GovsocialError`` into a clear message instead of a traceback.
"""

from __future__ import annotations


class GovsocialError(Exception):
    """Base class of every error govsocial raises on purpose."""


class ConfigurationError(GovsocialError):
    """Settings that cannot work."""


class AddressError(GovsocialError, ValueError):
    """Text that is not an account address of a platform in the catalogue."""


class UnknownPlatformError(AddressError):
    """The host, or the platform name given, is not in the platform catalogue."""


class NotAnAccountError(AddressError):
    """A known platform's address that does not point at an account."""


class RegistryError(GovsocialError):
    """Registry data that breaks a rule."""


class ImportFileError(RegistryError):
    """An import file that cannot be read at all."""


class NotFoundError(GovsocialError, LookupError):
    """A code or id that names nothing in the store."""
