"""What an uploaded proof may be: PDF, JPEG or PNG by its content (not its name), and not too large."""

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from childcare.errors import DomainError

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def sniff_content_type(upload) -> str:
    """The type the file's first bytes prove, or a DomainError; the client's claim is ignored."""
    size_limit = settings.UPLOAD_MAX_BYTES
    if upload.size > size_limit:
        raise DomainError(
            _("The file is too large. At most %(size)s are allowed.") % {"size": filesizeformat(size_limit)}
        )
    if upload.size == 0:
        raise DomainError(_("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    raise DomainError(_("Only PDF, JPEG or PNG files can be uploaded."))
