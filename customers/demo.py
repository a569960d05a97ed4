"""Demo customers (fictional companies) for the two demo reps, with contacts and follow-ups.

Idempotent: a customer is found by normalized name and country, a contact by email, an
activity by its summary; running ``load_demo`` twice changes nothing.
"""

from datetime import timedelta

from django.utils import timezone

from mgtrade.accounts.models import User

from . import services
from .models import Activity, Customer
from .normalize import normalize_name

TT = "T/T 30% advance, 70% against B/L copy"
LC = "Irrevocable L/C at sight"

# owner, name, country, city, industry, status, incoterm, port, currency, terms,
# contacts [(name, title, email, phone, language)]
CUSTOMERS = [
    (
        "rep",
        "Schwabenguss Leichtmetall GmbH",
        "DE",
        "Stuttgart",
        "automotive",
        "active",
        "CIF",
        "DEHAM",
        "EUR",
        TT,
        [
            (
                "Jörg Maier",
                "Head of purchasing",
                "j.maier@schwabenguss.example",
                "+49 711 555 0142",
                "de",
            )
        ],
    ),
    (
        "rep",
        "Elbtal Aerostruktur AG",
        "DE",
        "Dresden",
        "aerospace",
        "prospect",
        "CIP",
        "DEHAM",
        "EUR",
        LC,
        [
            (
                "Katrin Vogel",
                "Materials engineer",
                "k.vogel@elbtal-aero.example",
                "+49 351 555 0190",
                "de",
            )
        ],
    ),
    (
        "rep",
        "Rijnmond Staalbehandeling B.V.",
        "NL",
        "Rotterdam",
        "steel_desulfurization",
        "active",
        "CFR",
        "NLRTM",
        "EUR",
        TT,
        [
            (
                "Joost de Vries",
                "Procurement lead",
                "joost@rijnmond-staal.example",
                "+31 10 555 0107",
                "nl",
            )
        ],
    ),
    (
        "rep",
        "Fonderia Valcamonica S.p.A.",
        "IT",
        "Brescia",
        "aluminium_alloying",
        "active",
        "CIF",
        "ITGOA",
        "EUR",
        TT,
        [
            (
                "Giulia Ferri",
                "Buyer",
                "g.ferri@valcamonica-fonderia.example",
                "+39 030 555 0166",
                "it",
            )
        ],
    ),
    (
        "rep",
        "Anadolu Kükürt Giderme Sanayi A.Ş.",
        "TR",
        "İskenderun",
        "steel_desulfurization",
        "prospect",
        "CFR",
        "TRISK",
        "USD",
        LC,
        [
            (
                "Ayşe Yılmaz",
                "Satın alma müdürü",
                "ayse.yilmaz@anadolu-kg.example",
                "+90 326 555 0133",
                "tr",
            ),
            ("Mehmet Öztürk", "Plant manager", "m.ozturk@anadolu-kg.example", "", "tr"),
        ],
    ),
    (
        "rep",
        "Bosporus Alaşım Ticaret Ltd. Şti.",
        "TR",
        "Istanbul",
        "aluminium_alloying",
        "lead",
        "FOB",
        "",
        "USD",
        "",
        [("Elif Şahin", "Owner", "elif@bosporus-alasim.example", "", "tr")],
    ),
    (
        "rep",
        "Nordkap Batteriteknikk AS",
        "NO",
        "Trondheim",
        "energy_storage",
        "lead",
        "DAP",
        "NOTRD",
        "EUR",
        TT,
        [("Ingrid Solberg", "R&D lead", "ingrid@nordkap-battery.example", "", "nb")],
    ),
    (
        "rep",
        "Vistula Odlewnia Sp. z o.o.",
        "PL",
        "Gdańsk",
        "automotive",
        "dormant",
        "CIF",
        "PLGDN",
        "EUR",
        TT,
        [],
    ),
    (
        "rep2",
        "Great Lakes Lightweight Castings Inc.",
        "US",
        "Cleveland",
        "automotive",
        "active",
        "CIF",
        "USCLE",
        "USD",
        TT,
        [
            (
                "Megan Doyle",
                "Commodity manager",
                "mdoyle@gl-castings.example",
                "+1 216 555 0118",
                "en",
            )
        ],
    ),
    (
        "rep2",
        "Sierra Ridge Defense Materials LLC",
        "US",
        "Huntsville",
        "defence",
        "prospect",
        "DDP",
        "USMOB",
        "USD",
        LC,
        [
            (
                "Carlos Medina",
                "Supply chain director",
                "c.medina@sierraridge.example",
                "+1 256 555 0175",
                "en",
            )
        ],
    ),
    (
        "rep2",
        "Osaka Keikinzoku Kogyo K.K.",
        "JP",
        "Osaka",
        "electronics",
        "active",
        "CIF",
        "JPOSA",
        "JPY",
        TT,
        [
            (
                "山田 太郎 (Taro Yamada)",
                "購買部 課長",
                "t.yamada@osaka-keikinzoku.example",
                "+81 6 5555 0123",
                "ja",
            )
        ],
    ),
    (
        "rep2",
        "Nagoya Seimitsu Buhin K.K.",
        "JP",
        "Nagoya",
        "automotive",
        "prospect",
        "CFR",
        "JPNGO",
        "USD",
        LC,
        [("佐藤 花子 (Hanako Sato)", "Purchasing", "h.sato@nagoya-seimitsu.example", "", "ja")],
    ),
    (
        "rep2",
        "Hanbit Alloy Co., Ltd.",
        "KR",
        "Ulsan",
        "automotive",
        "active",
        "CIF",
        "KRUSN",
        "USD",
        TT,
        [
            (
                "김민준 (Kim Min-jun)",
                "구매팀 팀장",
                "minjun.kim@hanbit-alloy.example",
                "+82 52 555 0199",
                "ko",
            )
        ],
    ),
    (
        "rep2",
        "Saebyeok Energy Materials Co., Ltd.",
        "KR",
        "Busan",
        "energy_storage",
        "lead",
        "FOB",
        "KRPUS",
        "USD",
        "",
        [("이서연 (Lee Seo-yeon)", "Researcher", "seoyeon.lee@saebyeok-em.example", "", "ko")],
    ),
    (
        "rep2",
        "Paulista Ligas Metálicas Ltda",
        "BR",
        "São Paulo",
        "aluminium_alloying",
        "prospect",
        "CIF",
        "BRSSZ",
        "USD",
        LC,
        [
            (
                "Rafael Souza",
                "Gerente de compras",
                "rafael.souza@paulista-ligas.example",
                "",
                "pt-br",
            )
        ],
    ),
    (
        "rep2",
        "Deccan Metal Reduction Pvt. Ltd.",
        "IN",
        "Pune",
        "metal_reduction",
        "active",
        "CFR",
        "INNSA",
        "USD",
        LC,
        [
            (
                "Priya Raghunathan",
                "Procurement head",
                "priya.r@deccan-metals.example",
                "+91 20 5555 0150",
                "en",
            )
        ],
    ),
    (
        "rep2",
        "Kaveri Steel Desulph Pvt. Ltd.",
        "IN",
        "Chennai",
        "steel_desulfurization",
        "lead",
        "CFR",
        "INMAA",
        "USD",
        "",
        [],
    ),
    (
        "rep2",
        "新竹精密電子股份有限公司 Hsinchu Precision Electronics",
        "TW",
        "Hsinchu",
        "electronics",
        "prospect",
        "CIF",
        "TWKEL",
        "USD",
        TT,
        [("陳美玲 (Chen Mei-ling)", "採購經理", "meiling.chen@hsinchu-pe.example", "", "zh-hant")],
    ),
    (
        "rep",
        "Gulf Aluminium Rolling FZE",
        "AE",
        "Dubai",
        "aluminium_alloying",
        "lead",
        "CFR",
        "AEJEA",
        "USD",
        LC,
        [],
    ),
]

# customer name → [(days from today, kind, summary, follow-up in days or None, done)]
ACTIVITIES = {
    "Schwabenguss Leichtmetall GmbH": [
        (-12, "call", "Q3 demand: 120 MT MG9990 for die-casting alloy, monthly lots.", -2, False),
        (-3, "email", "Sent updated CIF Hamburg price and EU duty note.", 0, False),
    ],
    "Rijnmond Staalbehandeling B.V.": [
        (
            -20,
            "visit",
            "Plant visit in Rotterdam; granules 0.2–0.8 mm for desulfurization trial.",
            -5,
            True,
        ),
        (-1, "call", "Trial results good; wants a 3-month contract offer.", 0, False),
    ],
    "Anadolu Kükürt Giderme Sanayi A.Ş.": [
        (-8, "meeting", "Met at Istanbul fair; L/C at sight preferred.", -1, False),
    ],
    "Fonderia Valcamonica S.p.A.": [
        (-4, "email", "Asked for AZ91D and MG9990 spec sheets.", 3, False),
    ],
    "Great Lakes Lightweight Castings Inc.": [
        (-15, "call", "Tariff exposure discussed; considering DDP terms.", -3, False),
        (-2, "note", "Competitor offered lower FOB; check landed cost.", 0, False),
    ],
    "Osaka Keikinzoku Kogyo K.K.": [
        (-6, "email", "Requested 99.95% ingot quote for electronics housings.", 0, False),
    ],
    "Hanbit Alloy Co., Ltd.": [
        (-10, "visit", "Ulsan visit; annual volume 600 MT.", -4, False),
    ],
    "Deccan Metal Reduction Pvt. Ltd.": [
        (-5, "call", "Needs chips for titanium reduction; packaging in 1 MT bags.", 2, False),
    ],
}


def load(users: dict[str, User]) -> list[Customer]:
    today = timezone.localdate()
    customers = []
    for row in CUSTOMERS:
        (
            owner_key,
            name,
            country,
            city,
            industry,
            status,
            incoterm,
            port,
            currency,
            terms,
            contacts,
        ) = row
        owner = users[owner_key]
        customer = Customer.objects.filter(
            normalized_name=normalize_name(name), country=country
        ).first()  # demo names are plain: the normalized name finds them
        if customer is None:
            customer = services.customer_create(
                by=owner,
                name=name,
                country=country,
                city=city,
                industry=industry,
                status=status,
                default_incoterm=incoterm,
                default_destination_port=port,
                default_currency=currency,
                payment_terms=terms,
                website=f"https://www.{contacts[0][2].split('@')[1]}" if contacts else "",
            )
        for contact_name, title, email, phone, language in contacts:
            if not customer.contacts.filter(email=email).exists():
                services.contact_create(
                    customer=customer,
                    by=owner,
                    name=contact_name,
                    job_title=title,
                    email=email,
                    phone=phone,
                    language=language,
                )
        for days, kind, summary, follow_up, done in ACTIVITIES.get(name, []):
            if Activity.objects.filter(customer=customer, summary=summary).exists():
                continue
            services.activity_log(
                customer=customer,
                by=owner,
                kind=kind,
                summary=summary,
                date=today + timedelta(days=days),
                follow_up_on=None if follow_up is None else today + timedelta(days=follow_up),
                done=done,
            )
        customers.append(customer)
    return customers
