"""Texts the municipal office writes itself (facility descriptions, imprint, privacy notice).

Each has a German field and may have one per further language, named ``<field>_<language>``
(``description_en``). Readers get their language when the office filled it in, German otherwise.
"""

from django.conf import settings
from django.utils import translation


def in_active_language(obj, field: str) -> str:
    """``obj.<field>_<active language>`` when it exists and is filled, else ``obj.<field>``."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if language != settings.LANGUAGE_CODE:
        translated = getattr(obj, f"{field}_{language}", "")
        if translated:
            return translated
    return getattr(obj, field)
