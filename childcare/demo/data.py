"""The Musterstadt demo as data: providers, facilities, accounts and application stories."""

from dataclasses import dataclass
from datetime import timedelta

from childcare.models import (
    AgeBand,
    ApplicationStatus,
    Concept,
    FacilityType,
    Language,
    Meals,
    ProviderKind,
)
from portal.models import User

DEMO_PASSWORD = "Musterstadt-Demo-2026"
CITY = "Musterstadt"
MAIL_DOMAIN = "musterstadt.example"

DISTRICT_POSTCODES = {
    "Altstadt": "63000",
    "Bahnhofsviertel": "63001",
    "Nordend": "63002",
    "Südpark": "63003",
    "Am Wald": "63004",
    "Westhafen": "63005",
    "Oststadt": "63006",
    "Gartenstadt": "63007",
}

U3, UE3, SCHOOL = AgeBand.UNDER_THREE, AgeBand.THREE_TO_SCHOOL, AgeBand.SCHOOL


@dataclass(frozen=True)
class DemoProvider:
    name: str
    kind: ProviderKind
    domain: str


PROVIDERS = {
    "stadt": DemoProvider("Stadt Musterstadt", ProviderKind.MUNICIPAL, "musterstadt.example"),
    "ev": DemoProvider(
        "Ev. Kirchengemeinde Musterstadt", ProviderKind.CHURCH, "ev-kirche-musterstadt.example"
    ),
    "kath": DemoProvider(
        "Kath. Pfarrei St. Marien Musterstadt", ProviderKind.CHURCH, "st-marien-musterstadt.example"
    ),
    "awo": DemoProvider(
        "AWO Kreisverband Musterstadt e.V.", ProviderKind.NON_PROFIT, "awo-musterstadt.example"
    ),
    "drk": DemoProvider(
        "DRK Kreisverband Musterstadt e.V.", ProviderKind.NON_PROFIT, "drk-musterstadt.example"
    ),
    "lebenshilfe": DemoProvider(
        "Lebenshilfe Musterstadt e.V.", ProviderKind.NON_PROFIT, "lebenshilfe-musterstadt.example"
    ),
    "montessori": DemoProvider(
        "Montessori-Verein Musterstadt e.V.", ProviderKind.NON_PROFIT, "montessori-musterstadt.example"
    ),
    "waldorf": DemoProvider(
        "Verein für Waldorfpädagogik Musterstadt e.V.", ProviderKind.NON_PROFIT, "waldorf-musterstadt.example"
    ),
    "tagespflege": DemoProvider(
        "Tagespflegeverein Musterstadt e.V.", ProviderKind.NON_PROFIT, "tagespflege-musterstadt.example"
    ),
    "flughafen": DemoProvider(
        "Flughafen Musterstadt GmbH", ProviderKind.COMPANY, "flughafen-musterstadt.example"
    ),
    "klinikum": DemoProvider(
        "Klinikum Musterstadt GmbH", ProviderKind.COMPANY, "klinikum-musterstadt.example"
    ),
    "explorers": DemoProvider(
        "Little Explorers Kinderbetreuung GmbH", ProviderKind.COMPANY, "little-explorers.example"
    ),
    "wurzelkinder": DemoProvider(
        "Elterninitiative Wurzelkinder e.V.", ProviderKind.PARENT_INITIATIVE, "wurzelkinder.example"
    ),
    "waldkindergarten": DemoProvider(
        "Waldkindergarten Musterstadt e.V.",
        ProviderKind.PARENT_INITIATIVE,
        "waldkindergarten-musterstadt.example",
    ),
    "strolche": DemoProvider(
        "Elterninitiative Kleine Strolche e.V.", ProviderKind.PARENT_INITIATIVE, "kleine-strolche.example"
    ),
}


@dataclass(frozen=True)
class DemoFacility:
    slug: str
    name: str
    type: FacilityType
    provider: str  # key in PROVIDERS
    street: str
    district: str  # key in DISTRICT_POSTCODES
    position: tuple[str, str]  # latitude, longitude
    hours: tuple[str, str]  # opens, closes
    phone: str
    description: str
    meals: Meals
    places: dict[AgeBand, int]
    concepts: tuple[Concept, ...]
    leader: tuple[str, str]  # first and last name of the Kita-Leitung
    languages: tuple[Language, ...] = (Language.GERMAN,)
    opening_notes: str = ""
    barrier_free: bool = False
    max_care_hours: int = 45
    accepts_applications: bool = True
    offers_automatically: bool = False
    opens_next_year: bool = False  # a new building: no children yet, so the town seats none there

    @property
    def leader_email(self) -> str:
        return f"leitung.{self.slug}@{MAIL_DOMAIN}"


# fmt: off
FACILITIES = (
    DemoFacility(
        slug="kita-sonnenblume", name="Städtische Kita Sonnenblume", type=FacilityType.KITA, provider="stadt",
        street="Marktgasse 12", district="Altstadt", position=("50.050800", "8.691200"),
        hours=("07:00", "17:00"), opening_notes="Freitags bis 15:00 Uhr; drei Wochen Schließzeit im Sommer",
        phone="06000 1201-10", meals=Meals.OWN_KITCHEN, barrier_free=True, offers_automatically=True,
        description="Sechs Gruppen mit viel Platz zum Spielen mitten in der Altstadt. Wir arbeiten nach dem "
        "Situationsansatz und kochen täglich frisch in unserer eigenen Küche.",
        concepts=(Concept.SITUATIONAL, Concept.INCLUSION), languages=(Language.GERMAN, Language.TURKISH),
        places={U3: 24, UE3: 100}, leader=("Sabine", "Krüger"),
    ),
    DemoFacility(
        slug="krippe-zwergenland", name="Städtische Krippe Zwergenland", type=FacilityType.KRIPPE,
        provider="stadt", street="Lindenallee 4", district="Nordend", position=("50.065500", "8.693000"),
        hours=("07:00", "16:30"), opening_notes="Eingewöhnung nach dem Berliner Modell",
        phone="06000 1201-20", meals=Meals.OWN_KITCHEN, barrier_free=True,
        description="Drei Nestgruppen für Kinder von einem bis drei Jahren. Feste Bezugspersonen und ein "
        "ruhiger Tagesablauf geben den Jüngsten Sicherheit.",
        concepts=(Concept.SITUATIONAL, Concept.NATURE), places={U3: 36}, leader=("Monika", "Weber"),
    ),
    DemoFacility(
        slug="kindergarten-loewenzahn", name="Städtischer Kindergarten Löwenzahn",
        type=FacilityType.KINDERGARTEN, provider="stadt", street="Parkstraße 27", district="Südpark",
        position=("50.034500", "8.689800"), hours=("07:30", "16:30"), phone="06000 1201-30",
        meals=Meals.CATERED,
        description="Offenes Haus mit Bewegungsraum, Atelier und großem Garten am Südpark. Die Kinder wählen "
        "ihre Spielbereiche selbst.",
        concepts=(Concept.OPEN, Concept.SPORTS), languages=(Language.GERMAN, Language.RUSSIAN),
        places={UE3: 150}, leader=("Thomas", "Berger"),
    ),
    DemoFacility(
        slug="hort-goetheschule", name="Hort an der Goetheschule", type=FacilityType.HORT, provider="stadt",
        street="Goetheplatz 3", district="Altstadt", position=("50.048900", "8.687100"),
        hours=("11:30", "17:00"), opening_notes="In den Schulferien ab 7:30 Uhr geöffnet",
        phone="06000 1201-40", meals=Meals.CATERED, barrier_free=True, max_care_hours=30,
        offers_automatically=True,
        description="Betreuung nach dem Unterricht im Nebengebäude der Goetheschule: Mittagessen, "
        "Hausaufgabenzeit, freies Spiel und Arbeitsgemeinschaften.",
        concepts=(Concept.SCIENCE, Concept.SPORTS), languages=(Language.GERMAN, Language.ENGLISH),
        places={SCHOOL: 60}, leader=("Jens", "Hartmann"),
    ),
    DemoFacility(
        slug="hort-schillerschule", name="Hort an der Schillerschule", type=FacilityType.HORT,
        provider="stadt", street="Schillerstraße 41", district="Nordend", position=("50.067100", "8.698500"),
        hours=("11:30", "17:00"), opening_notes="Ferienbetreuung in den Oster-, Sommer- und Herbstferien",
        phone="06000 1201-50", meals=Meals.CATERED, max_care_hours=30,
        description="Unser Hort betreut Kinder der Klassen 1 bis 4 der Schillerschule. Schwerpunkte sind "
        "Musik und Theater.",
        concepts=(Concept.MUSIC,), places={SCHOOL: 40}, leader=("Claudia", "Neumann"),
    ),
    DemoFacility(
        slug="kita-leuchtturm", name="Städtische Kita Leuchtturm", type=FacilityType.KITA, provider="stadt",
        street="Uferpromenade 8", district="Westhafen", position=("50.053400", "8.654800"),
        hours=("07:00", "17:00"), opening_notes="Neubau – Eröffnung zum nächsten Kitajahr",
        phone="06000 1201-60", meals=Meals.OWN_KITCHEN, barrier_free=True, accepts_applications=False,
        opens_next_year=True,
        description="Neubau mit sechs Gruppen direkt am Westhafen. Anmeldungen sind möglich, sobald der "
        "Eröffnungstermin feststeht.",
        concepts=(Concept.SCIENCE, Concept.OPEN),
        languages=(Language.GERMAN, Language.ENGLISH, Language.ARABIC),
        places={U3: 24, UE3: 100}, leader=("Katharina", "Schulz"),
    ),
    DemoFacility(
        slug="kita-weltentdecker", name="Städtische Kita Weltentdecker", type=FacilityType.KITA,
        provider="stadt", street="Poststraße 15", district="Bahnhofsviertel",
        position=("50.045500", "8.674800"),
        hours=("06:30", "17:30"), opening_notes="Frühdienst ab 6:30 Uhr nach Anmeldung",
        phone="06000 1201-70", meals=Meals.OWN_KITCHEN, barrier_free=True,
        description="In unserer Kita werden mehr als zehn Familiensprachen gesprochen. Alltagsintegrierte "
        "Sprachbildung und die enge Zusammenarbeit mit den Familien sind uns wichtig.",
        concepts=(Concept.INCLUSION, Concept.SITUATIONAL),
        languages=(Language.GERMAN, Language.TURKISH, Language.ARABIC, Language.UKRAINIAN, Language.POLISH),
        places={U3: 24, UE3: 100}, leader=("Mehmet", "Aydın"),
    ),
    DemoFacility(
        slug="kindergarten-arche-noah", name="Ev. Kindergarten Arche Noah", type=FacilityType.KINDERGARTEN,
        provider="ev", street="Kirchplatz 2", district="Altstadt", position=("50.051600", "8.688400"),
        hours=("07:30", "16:00"), opening_notes="Freitags bis 14:00 Uhr", phone="06000 2230-0",
        meals=Meals.CATERED, max_care_hours=40,
        description="Dreigruppiger Kindergarten neben der Stadtkirche. Wir feiern die Feste im Kirchenjahr "
        "und singen und musizieren jeden Tag.",
        concepts=(Concept.RELIGIOUS, Concept.MUSIC), places={UE3: 75}, leader=("Ruth", "Lehmann"),
    ),
    DemoFacility(
        slug="kita-senfkorn", name="Ev. Kita Senfkorn", type=FacilityType.KITA, provider="ev",
        street="Mühlgasse 9", district="Oststadt", position=("50.056100", "8.719000"),
        hours=("07:00", "16:30"),
        phone="06000 2230-40", meals=Meals.OWN_KITCHEN, barrier_free=True,
        description="Familienzentrum der Lukasgemeinde mit Krippen- und Kindergartengruppen. "
        "Beratungsangebote für Eltern finden direkt im Haus statt.",
        concepts=(Concept.RELIGIOUS, Concept.SITUATIONAL), languages=(Language.GERMAN, Language.ENGLISH),
        places={U3: 20, UE3: 75}, leader=("Andreas", "Vogel"),
    ),
    DemoFacility(
        slug="krippe-kleine-arche", name="Ev. Krippe Kleine Arche", type=FacilityType.KRIPPE, provider="ev",
        street="Rosenweg 5", district="Südpark", position=("50.036100", "8.695200"), hours=("07:30", "16:00"),
        phone="06000 2230-60", meals=Meals.CATERED, max_care_hours=40,
        description="Zwei kleine Gruppen für Kinder unter drei Jahren in einem umgebauten Pfarrhaus "
        "mit Garten.",
        concepts=(Concept.RELIGIOUS, Concept.NATURE), places={U3: 20}, leader=("Miriam", "Graf"),
    ),
    DemoFacility(
        slug="kita-st-marien", name="Kath. Kita St. Marien", type=FacilityType.KITA, provider="kath",
        street="Marienstraße 6", district="Nordend", position=("50.063000", "8.690500"),
        hours=("07:00", "17:00"),
        opening_notes="Schließtage zwischen den Jahren", phone="06000 3120-11", meals=Meals.OWN_KITCHEN,
        barrier_free=True,
        description="Unsere Kita begleitet Kinder von einem Jahr bis zum Schuleintritt. Religiöse Bildung, "
        "Musik und viel Bewegung im großen Außengelände prägen den Alltag.",
        concepts=(Concept.RELIGIOUS, Concept.MUSIC, Concept.SPORTS),
        languages=(Language.GERMAN, Language.ITALIAN, Language.CROATIAN),
        places={U3: 12, UE3: 100}, leader=("Bernadette", "Huber"),
    ),
    DemoFacility(
        slug="kindergarten-st-josef", name="Kath. Kindergarten St. Josef", type=FacilityType.KINDERGARTEN,
        provider="kath", street="Hafenstraße 22", district="Westhafen", position=("50.051900", "8.658200"),
        hours=("07:30", "16:30"), phone="06000 3120-30", meals=Meals.CATERED,
        description="Kleiner zweigruppiger Kindergarten im Westhafen mit naturnahem Garten und eigenem "
        "Gemüsebeet.",
        concepts=(Concept.RELIGIOUS, Concept.NATURE), languages=(Language.GERMAN, Language.SPANISH),
        places={UE3: 50}, leader=("Stefan", "Brandt"),
    ),
    DemoFacility(
        slug="hort-st-elisabeth", name="Kath. Hort St. Elisabeth", type=FacilityType.HORT, provider="kath",
        street="Teichweg 14", district="Südpark", position=("50.033700", "8.696300"),
        hours=("12:00", "17:00"),
        opening_notes="Ferienbetreuung nach Anmeldung", phone="06000 3120-50", meals=Meals.CATERED,
        barrier_free=True, max_care_hours=25,
        description="Hort für Grundschulkinder der Südparkschule mit Hausaufgabenbetreuung und "
        "Kreativangeboten.",
        concepts=(Concept.RELIGIOUS, Concept.SCIENCE), places={SCHOOL: 30}, leader=("Ingrid", "Maier"),
    ),
    DemoFacility(
        slug="kinderhaus-regenbogen", name="AWO Kinderhaus Regenbogen", type=FacilityType.KITA,
        provider="awo",
        street="Bahnhofstraße 58", district="Bahnhofsviertel", position=("50.047100", "8.671600"),
        hours=("07:00", "17:00"), phone="06000 4410-0", meals=Meals.OWN_KITCHEN, barrier_free=True,
        offers_automatically=True,
        description="Bunt wie ein Regenbogen: Kinder aus vielen Ländern spielen und lernen bei uns "
        "gemeinsam. Wir arbeiten inklusiv und nach dem Situationsansatz.",
        concepts=(Concept.INCLUSION, Concept.SITUATIONAL),
        languages=(Language.GERMAN, Language.TURKISH, Language.ARABIC, Language.RUSSIAN),
        places={U3: 24, UE3: 100}, leader=("Nicole", "Fischer"),
    ),
    DemoFacility(
        slug="krippe-sternschnuppe", name="AWO Krippe Sternschnuppe", type=FacilityType.KRIPPE,
        provider="awo",
        street="Ostring 33", district="Oststadt", position=("50.054700", "8.721100"),
        hours=("07:00", "16:30"),
        phone="06000 4410-20", meals=Meals.CATERED, barrier_free=True,
        description="Krippe mit drei Gruppen und einem großen Bewegungsraum. Wir legen Wert auf eine "
        "behutsame Eingewöhnung.",
        concepts=(Concept.SPORTS, Concept.SITUATIONAL), languages=(Language.GERMAN, Language.POLISH),
        places={U3: 36}, leader=("Daniela", "Schröder"),
    ),
    DemoFacility(
        slug="kita-pusteblume", name="DRK Kita Pusteblume", type=FacilityType.KITA, provider="drk",
        street="Am Südpark 3", district="Südpark", position=("50.033000", "8.687500"),
        hours=("07:00", "17:00"),
        phone="06000 5530-0", meals=Meals.OWN_KITCHEN, barrier_free=True,
        description="Viergruppige Kita am Rand des Südparks. Gesundheit, Bewegung und Erste Hilfe für Kinder "
        "gehören bei uns zum Alltag.",
        concepts=(Concept.SPORTS, Concept.NATURE), languages=(Language.GERMAN, Language.ENGLISH),
        places={U3: 12, UE3: 75}, leader=("Markus", "Wolf"),
    ),
    DemoFacility(
        slug="hort-villa-kunterbunt", name="DRK Hort Villa Kunterbunt", type=FacilityType.HORT,
        provider="drk",
        street="Güterplatz 4", district="Bahnhofsviertel", position=("50.044900", "8.670100"),
        hours=("11:30", "17:30"), opening_notes="In den Ferien ganztags ab 7:30 Uhr", phone="06000 5530-40",
        meals=Meals.CATERED, max_care_hours=30,
        description="Hort in einer alten Villa nahe der Bahnhofsschule. Nach den Hausaufgaben warten "
        "Werkstatt, Theaterraum und Garten.",
        concepts=(Concept.OPEN, Concept.MUSIC),
        languages=(Language.GERMAN, Language.TURKISH, Language.ENGLISH),
        places={SCHOOL: 45}, leader=("Heike", "Zimmermann"),
    ),
    DemoFacility(
        slug="kita-miteinander", name="Lebenshilfe Kita Miteinander", type=FacilityType.KITA,
        provider="lebenshilfe", street="Kastanienweg 11", district="Nordend",
        position=("50.068200", "8.689100"),
        hours=("07:30", "16:30"), phone="06000 6620-0", meals=Meals.OWN_KITCHEN, barrier_free=True,
        max_care_hours=40,
        description="Integrative Kita, in der Kinder mit und ohne Behinderung gemeinsam aufwachsen. "
        "Heilpädagogische Fachkräfte und Therapeutinnen arbeiten im Team.",
        concepts=(Concept.INCLUSION, Concept.MUSIC), places={U3: 12, UE3: 60}, leader=("Sandra", "Roth"),
    ),
    DemoFacility(
        slug="kinderhaus-montessori", name="Montessori Kinderhaus Am Wald", type=FacilityType.KITA,
        provider="montessori", street="Eichenring 7", district="Am Wald", position=("50.042300", "8.721800"),
        hours=("07:30", "16:30"), phone="06000 6710-0", meals=Meals.OWN_KITCHEN, max_care_hours=40,
        description="Vorbereitete Umgebung nach Maria Montessori: Die Kinder arbeiten selbstständig mit den "
        "Materialien in altersgemischten Gruppen.",
        concepts=(Concept.MONTESSORI,), languages=(Language.GERMAN, Language.ENGLISH),
        places={U3: 12, UE3: 75}, leader=("Birgit", "Sommer"),
    ),
    DemoFacility(
        slug="waldorfkindergarten-sonnenhof", name="Waldorfkindergarten Sonnenhof",
        type=FacilityType.KINDERGARTEN, provider="waldorf", street="Am Forsthaus 2", district="Am Wald",
        position=("50.039800", "8.726600"), hours=("08:00", "14:30"),
        opening_notes="Verlängerte Betreuung bis 16:00 Uhr für 20 Kinder", phone="06000 6730-0",
        meals=Meals.OWN_KITCHEN, max_care_hours=35,
        description="Kindergarten nach der Waldorfpädagogik mit rhythmischem Tagesablauf, Jahreszeitentisch "
        "und vollwertiger Bio-Verpflegung.",
        concepts=(Concept.WALDORF, Concept.NATURE), places={UE3: 60}, leader=("Friederike", "Lange"),
    ),
    DemoFacility(
        slug="betriebskita-flughafenstrolche", name="Betriebskita Flughafenstrolche", type=FacilityType.KITA,
        provider="flughafen", street="Kranweg 1", district="Westhafen", position=("50.050200", "8.652900"),
        hours=("06:00", "19:00"),
        opening_notes="Passend zum Schichtdienst; Plätze vorrangig für Beschäftigte des Flughafens",
        phone="06000 7800-500", meals=Meals.CATERED, barrier_free=True, max_care_hours=50,
        offers_automatically=True,
        description="Betriebskita für Kinder von Beschäftigten des Flughafens und aus dem Westhafen. Lange "
        "Öffnungszeiten und eine zweisprachige Gruppe.",
        concepts=(Concept.BILINGUAL, Concept.SCIENCE), languages=(Language.GERMAN, Language.ENGLISH),
        places={U3: 36, UE3: 75}, leader=("Tobias", "Krause"),
    ),
    DemoFacility(
        slug="betriebskita-klinikzwerge", name="Betriebskita Klinikzwerge", type=FacilityType.KITA,
        provider="klinikum", street="Am Nordring 20", district="Nordend", position=("50.070100", "8.696800"),
        hours=("06:00", "20:00"), opening_notes="Nur für Kinder von Beschäftigten des Klinikums",
        phone="06000 9100-777", meals=Meals.CATERED, barrier_free=True, max_care_hours=50,
        accepts_applications=False,
        description="Betriebskita des Klinikums mit Öffnungszeiten passend zum Schichtdienst in der Pflege. "
        "Die Plätze vergibt das Klinikum direkt an seine Beschäftigten.",
        concepts=(Concept.SITUATIONAL,), languages=(Language.GERMAN, Language.ENGLISH, Language.GREEK),
        places={U3: 24, UE3: 50}, leader=("Anja", "Kaiser"),
    ),
    DemoFacility(
        slug="kita-little-explorers", name="Kita Little Explorers", type=FacilityType.KITA,
        provider="explorers",
        street="Rathausgasse 5", district="Altstadt", position=("50.049300", "8.693500"),
        hours=("07:30", "18:00"), phone="06000 8840-0", meals=Meals.CATERED, barrier_free=True,
        description="Bilinguale Kita: Jede Gruppe wird von einer deutsch- und einer englischsprachigen "
        "Fachkraft begleitet.",
        concepts=(Concept.BILINGUAL, Concept.REGGIO),
        languages=(Language.GERMAN, Language.ENGLISH, Language.FRENCH),
        places={U3: 12, UE3: 50}, leader=("Emily", "Carter"),
    ),
    DemoFacility(
        slug="wurzelkinder", name="Elterninitiative Wurzelkinder e.V.", type=FacilityType.KITA,
        provider="wurzelkinder", street="Gartenweg 19", district="Gartenstadt",
        position=("50.072000", "8.669000"), hours=("07:30", "15:30"),
        opening_notes="Elterndienste nach Absprache",
        phone="06000 7171-0", meals=Meals.OWN_KITCHEN, max_care_hours=35,
        description="Kleine, altersgemischte Gruppe, die von Eltern getragen und mitgestaltet wird. Wir sind "
        "viel draußen und kochen gemeinsam mit den Kindern.",
        concepts=(Concept.NATURE, Concept.REGGIO), places={U3: 8, UE3: 14}, leader=("Lena", "Brückner"),
    ),
    DemoFacility(
        slug="waldkindergarten-eichhoernchen", name="Waldkindergarten Eichhörnchen",
        type=FacilityType.KINDERGARTEN, provider="waldkindergarten", street="Waldweg 40 (Bauwagen)",
        district="Am Wald", position=("50.038700", "8.731200"), hours=("08:00", "14:00"),
        opening_notes="Bei Sturm im Ausweichquartier Forsthaus", phone="06000 7272-0", meals=Meals.BROUGHT,
        max_care_hours=30,
        description="Wir verbringen den ganzen Tag im Stadtwald, bei jedem Wetter. Ein Bauwagen dient als "
        "Schutzraum.",
        concepts=(Concept.FOREST, Concept.NATURE), places={UE3: 40}, leader=("Jonas", "Eckert"),
    ),
    DemoFacility(
        slug="krippe-kleine-strolche", name="Elterninitiative Kleine Strolche e.V.", type=FacilityType.KRIPPE,
        provider="strolche", street="Amselweg 3", district="Gartenstadt", position=("50.070400", "8.672400"),
        hours=("08:00", "15:00"), phone="06000 7373-0", meals=Meals.OWN_KITCHEN, max_care_hours=35,
        description="Elterninitiative mit einer Krippengruppe für zehn Kinder. Eltern übernehmen Koch- und "
        "Putzdienste und gestalten den Alltag mit.",
        concepts=(Concept.SITUATIONAL, Concept.NATURE), languages=(Language.GERMAN, Language.ENGLISH),
        places={U3: 10}, leader=("Franziska", "Ott"),
    ),
    DemoFacility(
        slug="tagespflege-kleine-fuesse", name="Kindertagespflege Kleine Füße (Frau Yilmaz)",
        type=FacilityType.CHILDMINDER, provider="tagespflege", street="Gleisweg 7",
        district="Bahnhofsviertel",
        position=("50.044000", "8.676200"), hours=("07:30", "15:30"),
        opening_notes="Urlaubsvertretung über den Tagespflegeverein", phone="06000 9393-11",
        meals=Meals.OWN_KITCHEN, max_care_hours=40,
        description="Familiäre Betreuung von bis zu fünf Kindern unter drei Jahren in meiner Wohnung mit "
        "Garten. Ich spreche Deutsch und Türkisch.",
        concepts=(Concept.SITUATIONAL,), languages=(Language.GERMAN, Language.TURKISH),
        places={U3: 5}, leader=("Ayşe", "Yilmaz"),
    ),
    DemoFacility(
        slug="tagespflege-kuschelnest", name="Kindertagespflege Kuschelnest (Frau Becker)",
        type=FacilityType.CHILDMINDER, provider="tagespflege", street="Fliederweg 12", district="Gartenstadt",
        position=("50.073500", "8.665200"), hours=("07:00", "14:00"), phone="06000 9393-22",
        meals=Meals.BROUGHT, max_care_hours=35,
        description="Kleine Gruppe mit festen Ritualen, viel Zeit zum Kuscheln und täglichen Ausflügen auf "
        "den Spielplatz.",
        concepts=(Concept.NATURE,), places={U3: 5}, leader=("Martina", "Becker"),
    ),
    DemoFacility(
        slug="tagespflege-wichtelstube", name="Kindertagespflege Wichtelstube (Herr Nowak)",
        type=FacilityType.CHILDMINDER, provider="tagespflege", street="Teichweg 2", district="Südpark",
        position=("50.037200", "8.690500"), hours=("07:30", "16:00"), phone="06000 9393-33",
        meals=Meals.OWN_KITCHEN, barrier_free=True, max_care_hours=40,
        description="Als Tagesvater betreue ich bis zu fünf Kinder in einer hellen Erdgeschosswohnung am "
        "Südpark. Wir gehen jeden Tag nach draußen.",
        concepts=(Concept.NATURE, Concept.MUSIC), languages=(Language.GERMAN, Language.POLISH),
        places={U3: 5}, leader=("Piotr", "Nowak"),
    ),
    DemoFacility(
        slug="kita-schatzinsel", name="Städtische Kita Schatzinsel", type=FacilityType.KITA, provider="stadt",
        street="Am Neuen Garten 1", district="Gartenstadt", position=("50.069800", "8.667300"),
        hours=("07:00", "17:00"), opening_notes="Eingewöhnung in kleinen Gruppen ab Juli",
        phone="06000 1201-80", meals=Meals.OWN_KITCHEN, barrier_free=True, offers_automatically=True,
        description="Sechs Gruppen im Neubaugebiet Gartenstadt: zwei Krippengruppen, vier "
        "Kindergartengruppen, eine Lernwerkstatt und ein großes Außengelände mit Wasserlauf.",
        concepts=(Concept.OPEN, Concept.SCIENCE),
        languages=(Language.GERMAN, Language.UKRAINIAN, Language.POLISH),
        places={U3: 24, UE3: 100}, leader=("Carina", "Kuhn"),
    ),
    DemoFacility(
        slug="kita-abenteuerland", name="AWO Kita Abenteuerland", type=FacilityType.KITA, provider="awo",
        street="Am Ostpark 10", district="Oststadt", position=("50.058300", "8.714600"),
        hours=("07:00", "17:00"), phone="06000 4410-40", meals=Meals.CATERED, barrier_free=True,
        description="Eine Krippengruppe und vier Kindergartengruppen in offenen Funktionsräumen direkt am "
        "Ostpark, in den wir jede Woche gemeinsam gehen.",
        concepts=(Concept.OPEN, Concept.SPORTS),
        languages=(Language.GERMAN, Language.ARABIC, Language.TURKISH),
        places={U3: 12, UE3: 100}, leader=("Yasemin", "Demir"),
    ),
)
# fmt: on


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    role: str  # shown in the command's account table
    language: str = User.Language.GERMAN
    is_municipal_office: bool = False


OFFICE = DemoAccount(
    f"fachbereich@{MAIL_DOMAIN}", "Katrin", "Wagner", "municipal office (admin)", is_municipal_office=True
)
SCHMIDT = DemoAccount(f"eltern.schmidt@{MAIL_DOMAIN}", "Julia", "Schmidt", "parent")
OEZDEMIR = DemoAccount(f"eltern.oezdemir@{MAIL_DOMAIN}", "Selin", "Özdemir", "parent")
MILLER = DemoAccount(f"parent.miller@{MAIL_DOMAIN}", "Sarah", "Miller", "parent", User.Language.ENGLISH)


@dataclass(frozen=True)
class DemoChild:
    guardian: DemoAccount
    first_name: str
    born_days_before_start: int  # before the next daycare-year start; negative: expected birth
    home_languages: str = "Deutsch"

    @property
    def last_name(self) -> str:
        return self.guardian.last_name


@dataclass(frozen=True)
class DemoApplication:
    """One application and its story; the offer, if any, is made for the first wish."""

    reference: str
    child: DemoChild
    status: ApplicationStatus
    wishes: tuple[str, ...]  # facility slugs by rank
    care_hours: int
    guardians_working: int
    created_days_ago: int
    submitted_days_ago: int | None = None
    offer_days_ago: int | None = None
    start_year_offset: int = 0  # years after the next daycare-year start
    single_parent: bool = False


APPLICATIONS = (
    DemoApplication(
        reference="KP-DEMO0001",
        child=DemoChild(OEZDEMIR, "Ayla", -75, "Deutsch, Türkisch"),
        status=ApplicationStatus.DRAFT,
        wishes=("tagespflege-kleine-fuesse", "krippe-zwergenland"),
        care_hours=30,
        guardians_working=2,
        created_days_ago=5,
        start_year_offset=1,
    ),
    DemoApplication(
        reference="KP-DEMO0002",
        child=DemoChild(SCHMIDT, "Emma", 1525),
        # Submitted and on the waitlists; "waiting" in the state machine means after an offer ended.
        status=ApplicationStatus.SUBMITTED,
        wishes=("kita-sonnenblume", "kindergarten-arche-noah", "kita-st-marien"),
        care_hours=35,
        guardians_working=2,
        created_days_ago=95,
        submitted_days_ago=92,
    ),
    DemoApplication(
        reference="KP-DEMO0003",
        child=DemoChild(SCHMIDT, "Paul", 570),
        status=ApplicationStatus.OFFERED,
        wishes=("kita-sonnenblume", "kita-pusteblume", "krippe-zwergenland"),
        care_hours=35,
        guardians_working=2,
        created_days_ago=140,
        submitted_days_ago=138,
        offer_days_ago=3,
    ),
    DemoApplication(
        reference="KP-DEMO0004",
        child=DemoChild(MILLER, "Oliver", 2310, "English, Deutsch"),
        status=ApplicationStatus.PLACED,
        wishes=("hort-goetheschule", "hort-villa-kunterbunt"),
        care_hours=25,
        guardians_working=1,
        single_parent=True,
        created_days_ago=170,
        submitted_days_ago=168,
        offer_days_ago=30,
    ),
)

DAYS_TO_ACCEPT = timedelta(days=4)
