"""Names of Musterstadt's synthetic families, by the origins found in a town near Frankfurt.

Small lists are enough: the seeded generator combines them, and a name that occurs twice
in a town of 40,000 is no surprise.
"""

import unicodedata
from dataclasses import dataclass

from portal.models import User


@dataclass(frozen=True)
class Origin:
    key: str
    share: int  # percent of families
    home_languages: str  # as a parent would type it into the application
    portal_language: str
    last_names: tuple[str, ...]
    first_names: tuple[str, ...]  # children's and parents' first names alike


# fmt: off
ORIGINS = (
    Origin(
        "german",
        58,
        "Deutsch",
        User.Language.GERMAN,
        (
            "Müller", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
            "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun",
            "Hofmann", "Hartmann", "Lange", "Krause", "Werner", "Lehmann", "Köhler", "Herrmann", "König",
            "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß",
            "Jung", "Hahn", "Vogel",
        ),
        (
            "Emma", "Mia", "Hanna", "Sofia", "Emilia", "Lina", "Marie", "Lea", "Clara", "Ella", "Lena",
            "Frieda", "Ida", "Mathilda", "Paula", "Noah", "Leon", "Paul", "Ben", "Finn", "Elias", "Felix",
            "Henry", "Luis", "Jonas", "Anton", "Theo", "Emil", "Jakob", "Moritz", "Julia", "Katrin",
            "Stefanie", "Sandra", "Markus", "Tobias", "Daniel", "Christian",
        ),
    ),
    Origin(
        "turkish",
        13,
        "Türkisch, Deutsch",
        User.Language.GERMAN,
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk", "Arslan", "Doğan", "Koç"),
        (
            "Elif", "Zeynep", "Defne", "Ayla", "Ela", "Azra", "Lara", "Emir", "Yusuf", "Mert", "Kerem",
            "Ali", "Deniz", "Can", "Selin", "Murat", "Ayşe", "Hakan",
        ),
    ),
    Origin(
        "polish",
        8,
        "Polnisch, Deutsch",
        User.Language.GERMAN,
        ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański"),
        (
            "Zofia", "Zuzanna", "Julia", "Maja", "Oliwia", "Antoni", "Jan", "Aleksander", "Franciszek",
            "Szymon", "Agnieszka", "Tomasz", "Katarzyna", "Piotr",
        ),
    ),
    Origin(
        "arabic",
        9,
        "Arabisch, Deutsch",
        User.Language.GERMAN,
        ("Haddad", "Khalil", "Nasser", "Saleh", "Hussein", "Mansour", "Youssef", "Ibrahim", "Al-Hassan"),
        (
            "Amira", "Layla", "Mariam", "Nour", "Sara", "Yasmin", "Omar", "Karim", "Adam", "Yousef",
            "Zaid", "Rami", "Fatima", "Ahmad",
        ),
    ),
    Origin(
        "ukrainian",
        7,
        "Ukrainisch, Russisch",
        User.Language.GERMAN,
        ("Kovalenko", "Bondarenko", "Tkachenko", "Shevchenko", "Melnyk", "Boyko", "Kravchenko", "Oliynyk"),
        (
            "Sofiia", "Anna", "Viktoriia", "Daryna", "Mariia", "Maksym", "Artem", "Bohdan", "Denys",
            "Mykyta", "Olena", "Iryna", "Andrii", "Oksana",
        ),
    ),
    Origin(
        "english",
        5,
        "English, Deutsch",
        User.Language.ENGLISH,
        ("Smith", "Johnson", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Wright", "Thompson"),
        (
            "Olivia", "Amelia", "Isla", "Grace", "Charlotte", "Ava", "Oliver", "George", "Harry", "Jack",
            "Arthur", "Leo", "Emily", "James",
        ),
    ),
)
# fmt: on

_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "ł": "l", "ş": "s", "ğ": "g"})


def mail_local_part(*names: str) -> str:
    """``Ayşe``, ``Öztürk`` -> ``ayse.oeztuerk``: what people type into a sign-up form."""
    text = ".".join(names).lower().translate(_ASCII)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c if c.isalnum() or c == "." else "-" for c in ascii_text)
