"""How a synthetic city's rows are recognised, so flushing removes exactly them.

E-mail addresses end in ``SYNTHETIC_DOMAIN``, facility slugs start with ``SLUG_PREFIX``,
application references with ``REFERENCE_PREFIX`` (a generated reference never contains an L),
provider names with ``PROVIDER_PREFIX``.
"""

SYNTHETIC_DOMAIN = "synthetic.kita-portal.invalid"
SLUG_PREFIX = "synthetic-"
REFERENCE_PREFIX = "KP-SCALE"
PROVIDER_PREFIX = "Synthetischer Träger"
OFFICE_EMAIL = f"fachbereich@{SYNTHETIC_DOMAIN}"
# An unusable password hash: nobody signs in with a synthetic account unless an operator sets one.
UNUSABLE_PASSWORD = "!synthetic-city"
