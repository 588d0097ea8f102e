"""Strict parsing of configuration from environment variables.

Every reader names the variable in its error, so a typo stops start-up with a
message that says what to fix instead of a traceback deep inside Django.

Every variable ``X`` can instead be given as a file: ``X_FILE=/path`` reads the value
from that file (surrounding white space, such as the final newline, is dropped).
Setting both is an error, so it is never unclear which one wins.
"""

import os
import re
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


class ConfigError(ImproperlyConfigured):
    """A configuration value from the environment is missing or malformed."""

    def __init__(self, name: str, problem: str):
        self.name = name
        super().__init__(f"{name}: {problem}")


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_MISSING = object()


def _raw(name: str, default, environ) -> str | None:
    environ = environ if environ is not None else os.environ
    value = environ.get(name)
    from_file = _from_file(name, environ)
    if from_file is not None:
        if value is not None and value.strip() != "":
            raise ConfigError(name, f"is set both directly and through {name}_FILE; set only one")
        value = from_file
    if value is None or value.strip() == "":
        if default is _MISSING:
            raise ConfigError(name, f"is required but not set (set {name} or {name}_FILE)")
        return None
    return value.strip()


def _from_file(name: str, environ) -> str | None:
    """The value of ``name`` read from the file ``name_FILE`` names, as systemd credentials and
    container secrets provide it, so secrets stay out of the process environment and unit files."""
    path = environ.get(f"{name}_FILE", "").strip()
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise ConfigError(f"{name}_FILE", f"cannot read {path!r} ({reason})") from None


def env_str(name: str, default=_MISSING, *, environ=None) -> str:
    value = _raw(name, default, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, *, environ=None) -> bool:
    value = _raw(name, default, environ)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(name, f"expected true/false (1/0, yes/no, on/off), got {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None, environ=None) -> int:
    value = _raw(name, default, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(name, f"expected a whole number, got {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(name, f"must be at least {minimum}, got {number}")
    return number


def env_list(name: str, default: list[str], *, environ=None) -> list[str]:
    value = _raw(name, default, environ)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ConfigError(name, f"expected a comma-separated list without empty items, got {value!r}")
    return items


def env_choice(name: str, default: str, choices: tuple[str, ...], *, environ=None) -> str:
    value = env_str(name, default, environ=environ)
    if value not in choices:
        raise ConfigError(name, f"expected one of {', '.join(choices)}, got {value!r}")
    return value


DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")


def env_database(name: str, default: str, *, environ=None) -> dict:
    """A Django DATABASES entry from a URL such as postgres://user@host:5432/db."""
    url = env_str(name, default, environ=environ)
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in DATABASE_SCHEMES:
        raise ConfigError(name, f"expected a URL starting with sqlite:// or postgres://, got {url!r}")
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except ValueError as error:
        raise ConfigError(name, f"cannot be parsed ({error})") from None
    if not config.get("NAME"):
        raise ConfigError(name, f"names no database, got {url!r}")
    return config


BROKER_SCHEMES = ("filesystem", "redis", "rediss", "amqp", "pyamqp", "memory")


def env_broker_url(name: str, default: str, *, environ=None) -> str:
    url = env_str(name, default, environ=environ)
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in BROKER_SCHEMES:
        raise ConfigError(
            name, f"expected one of {', '.join(s + '://' for s in BROKER_SCHEMES)}, got {url!r}"
        )
    return url


EMAIL_SCHEMES = ("file", "console", "locmem", "smtp", "smtps", "smtp+tls")


def env_email(name: str, default: str, *, environ=None) -> dict:
    """E-mail settings from one URL.

    ``file:///path`` writes each message to its own ``.eml`` file there, ``console://`` prints it,
    ``smtp://user:password@host:port`` talks SMTP (``smtp+tls`` uses STARTTLS,
    ``smtps`` implicit TLS).
    """
    url = env_str(name, default, environ=environ)
    parts = urlsplit(url)
    if parts.scheme not in EMAIL_SCHEMES or "://" not in url:
        raise ConfigError(name, f"expected one of {', '.join(s + '://' for s in EMAIL_SCHEMES)}, got {url!r}")
    if parts.scheme == "file":
        if not parts.path:
            raise ConfigError(name, "file:// needs a folder, e.g. file:///var/mail")
        return {
            "EMAIL_BACKEND": "portal.mail.EmlFileBackend",
            "EMAIL_FILE_PATH": unquote(parts.path),
        }
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(name, f"has an invalid port in {url!r}") from None
    if not parts.hostname:
        raise ConfigError(name, f"names no host, got {url!r}")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": parts.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parts.scheme == "smtps",
    }


def env_admins(name: str, *, environ=None) -> list[tuple[str, str]]:
    """Operators who get a mail for every unhandled error: ``Name <address>, Other <address>``.

    Each item needs a name and an address in angle brackets, so a typo such as a missing
    bracket stops start-up instead of silently mailing nobody.
    """
    value = _raw(name, None, environ)
    if value is None:
        return []
    admins = []
    for item in value.split(","):
        match = _ADMIN.fullmatch(item.strip())
        if not match:
            raise ConfigError(
                name, f"expected 'Name <address>' items separated by commas, got {item.strip()!r}"
            )
        admins.append((match["name"].strip(), match["address"]))
    return admins


_ADMIN = re.compile(r"(?P<name>[^<>@,]+?)\s*<(?P<address>[^<>@\s,]+@[^<>@\s,]+\.[^<>@\s,]+)>")


REDIS_DATABASES = 16  # Redis's default number of databases (0-15)


def redis_cache_url(*, cache_url: str, broker_url: str) -> str:
    """The shared cache's Redis URL: ``CACHE_URL`` if set, else derived from a Redis broker's.

    Rate limits and lockouts live in the cache; every web process must see the same counters.
    A derived cache uses the same server as the broker but the next database number (broker on
    ``/0`` or no number: cache on ``/1``; broker on ``/15``, the last one: cache on ``/14``), so
    clearing the cache (``FLUSHDB``) or its eviction never touches queued tasks.
    """
    if cache_url:
        if not cache_url.startswith(("redis://", "rediss://")):
            raise ConfigError("CACHE_URL", f"expected a redis:// URL, got {cache_url!r}")
        return cache_url
    if broker_url.startswith(("redis://", "rediss://")):
        return _other_redis_database(broker_url)
    return ""


def _other_redis_database(url: str) -> str:
    parts = urlsplit(url)
    number = parts.path.strip("/") or "0"
    if not number.isdigit() or int(number) >= REDIS_DATABASES:
        # The URL itself stays out of the message: it may carry the Redis password.
        raise ConfigError(
            "CELERY_BROKER_URL", f"expected a Redis database number 0-15 in the path, got {parts.path!r}"
        )
    broker_database = int(number)
    cache_database = broker_database + 1 if broker_database + 1 < REDIS_DATABASES else broker_database - 1
    return parts._replace(path=f"/{cache_database}").geturl()
