"""One mail server connection per worker thread, kept open across messages.

Opening a connection (TCP, EHLO, usually STARTTLS and AUTH) costs more than sending one
notification, so a worker keeps its connection and replaces it when the e-mail settings
change or when the server dropped it while it was idle.
"""

import contextlib
import smtplib
import threading

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

_SETTINGS = (
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_FILE_PATH",
)

_local = threading.local()


def send_email(email: EmailMessage) -> None:
    """Send over this thread's open connection; raise what the mail server answered."""
    connection, reused = _connection()
    try:
        connection.send_messages([email])
    except Exception as error:
        close_connection()
        if not (reused and _dropped_while_idle(error)):
            raise
        # The server closes idle connections (or ones that sent enough); a fresh one is a new first try.
        connection, _reused = _connection()
        try:
            connection.send_messages([email])
        except Exception:
            close_connection()
            raise


def close_connection() -> None:
    connection = getattr(_local, "connection", None)
    _local.connection = None
    if connection is not None:
        with contextlib.suppress(OSError):
            connection.close()


def _connection():
    key = tuple(getattr(settings, name, None) for name in _SETTINGS)
    if getattr(_local, "connection", None) is not None and _local.key == key:
        return _local.connection, True
    close_connection()
    connection = get_connection(fail_silently=False)
    connection.open()
    _local.connection, _local.key = connection, key
    return connection, False


def _dropped_while_idle(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421
