"""Demo quotes: one in each interesting state, on lanes the demo reference data prices.

Idempotent: a customer that already has a quote gets none. The sent one goes through
``quote_send``, so with ``make run`` the worker renders and "emails" it to ``var/outbox``.
"""

from decimal import Decimal
from pathlib import Path

from customers.models import Customer
from mgtrade.accounts.models import User

from . import services
from .documents.seller import company_profile_get, company_profile_update
from .models import (
    BankAccount,
    CustomerTermsDefault,
    PaymentMethod,
    Quote,
    TermsTemplate,
    TTBalance,
)
from .sending.services import quote_send

BENEFICIARY = "Helan Magnesium Export Co., Ltd."
BENEFICIARY_ADDRESS = "88 Binhe Road, Jinfeng District, Yinchuan, Ningxia 750001, China"
# currency, bank, bank address, SWIFT, account / IBAN, intermediary
BANK_ACCOUNTS = [
    (
        "USD",
        "Bank of China, Ningxia Branch",
        "170 Jiefang West Street, Yinchuan, China",
        "BKCHCNBJ880",
        "1047 2233 0188 4401",
        "Bank of China New York Branch, SWIFT BKCHUS33",
    ),
    (
        "EUR",
        "Bank of China, Ningxia Branch",
        "170 Jiefang West Street, Yinchuan, China",
        "BKCHCNBJ880",
        "1047 2233 0188 4402",
        "Bank of China Frankfurt Branch, SWIFT BKCHDEFF",
    ),
    (
        "JPY",
        "Bank of China, Ningxia Branch",
        "170 Jiefang West Street, Yinchuan, China",
        "BKCHCNBJ880",
        "1047 2233 0188 4403",
        "Bank of China Tokyo Branch, SWIFT BKCHJPJT",
    ),
]

# name, payment style, template fields
TERMS_TEMPLATES = [
    (
        "T/T 30 % advance, balance against copy of B/L",
        {"payment_method": PaymentMethod.TT, "advance_percent": Decimal("30")},
    ),
    (
        "T/T 100 % before shipment",
        {
            "payment_method": PaymentMethod.TT,
            "advance_percent": Decimal("0"),
            "balance": TTBalance.BEFORE_SHIPMENT,
        },
    ),
    (
        "Irrevocable L/C at sight",
        {
            "payment_method": PaymentMethod.LC_SIGHT,
            "lc_issuing_bank": "issued or confirmed by a first-class bank acceptable to the seller",
        },
    ),
    ("Cash against documents", {"payment_method": PaymentMethod.CAD}),
]
COMMON_TERMS = {
    "shipment_period": "Within 30 days after receipt of the deposit or the L/C",
    "latest_shipment_days": 60,
    "quality_claims": "The seller's certificate of analysis per lot governs. Quality claims "
    "within 30 days of arrival, supported by a report of SGS as referee laboratory.",
    "force_majeure": "Neither party is liable for delay or non-performance caused by events "
    "beyond its reasonable control; the affected party notifies the other within 14 days.",
    "governing_law": "The laws of the People's Republic of China. Disputes are submitted to "
    "the China International Economic and Trade Arbitration Commission (CIETAC), Beijing.",
}
# The clauses above in the buyers' languages (django-modeltranslation's columns; docs/i18n.md):
# what an admin would enter in each language tab. Incoterms, L/C, SGS and CIETAC stay as named.
COMMON_TERMS_TRANSLATED = {
    "shipment_period": {
        "de": "Innerhalb von 30 Tagen nach Eingang der Anzahlung bzw. des Akkreditivs",
        "ja": "前払金またはL/C受領後30日以内",
        "ko": "선수금 또는 신용장(L/C) 수령 후 30일 이내",
        "tr": "Avansın veya akreditifin (L/C) alınmasından itibaren 30 gün içinde",
        "pt_br": "Em até 30 dias após o recebimento do sinal ou da carta de crédito (L/C)",
        "zh_hans": "收到预付款或信用证后30天内",
    },
    "quality_claims": {
        "de": "Maßgeblich ist das Analysenzertifikat des Verkäufers je Los. "
        "Qualitätsreklamationen innerhalb von 30 Tagen nach Ankunft, belegt durch einen "
        "Bericht der SGS als Schiedslabor.",
        "ja": "ロットごとの売主の分析証明書を基準とします。品質クレームは着港後30日以内に、"
        "審判検査機関としてのSGSの報告書を添えて提起するものとします。",
        "ko": "로트별 매도인의 분석증명서를 기준으로 합니다. 품질 클레임은 도착 후 30일 이내에 "
        "심판 검사기관인 SGS의 보고서를 첨부하여 제기해야 합니다.",
        "tr": "Her parti için satıcının analiz sertifikası esas alınır. Kalite şikâyetleri, "
        "hakem laboratuvar olarak SGS raporuyla desteklenerek varıştan itibaren 30 gün "
        "içinde yapılır.",
        "pt_br": "Prevalece o certificado de análise do vendedor por lote. Reclamações de "
        "qualidade em até 30 dias após a chegada, acompanhadas de laudo da SGS como "
        "laboratório árbitro.",
        "zh_hans": "以卖方每批次的分析证书为准。质量索赔须在货到后30天内提出，"
        "并附SGS作为仲裁实验室出具的报告。",
    },
    "force_majeure": {
        "de": "Keine Partei haftet für Verzögerung oder Nichterfüllung infolge von Ereignissen "
        "außerhalb ihres zumutbaren Einflussbereichs; die betroffene Partei benachrichtigt "
        "die andere innerhalb von 14 Tagen.",
        "ja": "いずれの当事者も、合理的な支配を超える事由による履行遅滞または不履行について"
        "責任を負いません。影響を受けた当事者は14日以内に相手方に通知するものとします。",
        "ko": "어느 당사자도 합리적인 통제를 벗어난 사유로 인한 이행 지체 또는 불이행에 대하여 "
        "책임을 지지 않습니다. 영향을 받은 당사자는 14일 이내에 상대방에게 통지합니다.",
        "tr": "Taraflardan hiçbiri, makul kontrolü dışındaki olayların neden olduğu gecikme "
        "veya ifa edememeden sorumlu değildir; etkilenen taraf durumu 14 gün içinde diğer "
        "tarafa bildirir.",
        "pt_br": "Nenhuma das partes responde por atraso ou inadimplemento causado por eventos "
        "fora de seu controle razoável; a parte afetada notifica a outra em até 14 dias.",
        "zh_hans": "任何一方对因其合理控制范围以外的事件造成的延误或不履行不承担责任；"
        "受影响的一方应在14天内通知另一方。",
    },
    "governing_law": {
        "de": "Es gilt das Recht der Volksrepublik China. Streitigkeiten werden der China "
        "International Economic and Trade Arbitration Commission (CIETAC), Peking, vorgelegt.",
        "ja": "中華人民共和国法に準拠します。紛争は中国国際経済貿易仲裁委員会"
        "（CIETAC、北京）に付託されます。",
        "ko": "중화인민공화국 법률을 준거법으로 합니다. 분쟁은 중국국제경제무역중재위원회"
        "(CIETAC, 베이징)에 회부합니다.",
        "tr": "Çin Halk Cumhuriyeti hukuku uygulanır. Uyuşmazlıklar Çin Uluslararası Ekonomik "
        "ve Ticari Tahkim Komisyonu'na (CIETAC), Pekin, sunulur.",
        "pt_br": "Aplicam-se as leis da República Popular da China. As controvérsias são "
        "submetidas à China International Economic and Trade Arbitration Commission "
        "(CIETAC), Pequim.",
        "zh_hans": "适用中华人民共和国法律。争议提交中国国际经济贸易仲裁委员会（CIETAC）在北京仲裁。",
    },
    "lc_issuing_bank": {
        "de": "eröffnet oder bestätigt durch eine für den Verkäufer akzeptable erstklassige Bank",
        "ja": "売主が受け入れ可能な一流銀行により発行または確認されたもの",
        "ko": "매도인이 수용 가능한 일류 은행이 개설 또는 확인한",
        "tr": "satıcının kabul edeceği birinci sınıf bir banka tarafından açılmış veya teyit "
        "edilmiş",
        "pt_br": "emitida ou confirmada por banco de primeira linha aceito pelo vendedor",
        "zh_hans": "由卖方接受的一流银行开立或保兑",
    },
}


def _translations(fields: dict) -> dict[str, str]:
    """``{"shipment_period_de": …}`` for the clauses a template has in English."""
    return {
        f"{field}_{language}": text
        for field, texts in COMMON_TERMS_TRANSLATED.items()
        if fields.get(field)
        for language, text in texts.items()
    }


# customer → its default template (the first TERMS_TEMPLATES entry otherwise)
CUSTOMER_TERMS = {
    "Elbtal Aerostruktur AG": "Irrevocable L/C at sight",
    "Sierra Ridge Defense Materials LLC": "T/T 100 % before shipment",
    "Osaka Keikinzoku Kogyo K.K.": "Cash against documents",
}

# customer name, overrides of the customer's defaults, lines, what to do after creating
DEMO_QUOTES = [
    (
        "Schwabenguss Leichtmetall GmbH",
        {},
        [("MG9990", "50", "0"), ("AZ91D", "20", "0")],
        "draft",
    ),
    ("Elbtal Aerostruktur AG", {}, [("MG9995", "24", "5")], "submit"),
    ("Rijnmond Staalbehandeling B.V.", {}, [("MG-GRAN97", "22", "0")], "send"),
    (
        "Sierra Ridge Defense Materials LLC",
        {"destination_port": "USNYC"},
        [("MG9990", "44", "0")],
        "draft",
    ),
    (
        "Osaka Keikinzoku Kogyo K.K.",
        {"destination_port": "JPYOK"},
        [("MG9990", "22", "0"), ("AM60B", "22", "1.5")],
        "draft",
    ),
]


def bank_accounts() -> list[BankAccount]:
    """The exporter's accounts, the first per currency its default (idempotent)."""
    accounts = []
    for currency, bank, address, swift, account, intermediary in BANK_ACCOUNTS:
        row = BankAccount.objects.filter(currency=currency, account=account).first()
        if row is None:
            row = BankAccount.objects.create(
                currency=currency,
                beneficiary=BENEFICIARY,
                beneficiary_address=BENEFICIARY_ADDRESS,
                bank_name=bank,
                bank_address=address,
                swift=swift,
                account=account,
                intermediary_bank=intermediary,
                is_default=not BankAccount.objects.filter(
                    currency=currency, is_default=True
                ).exists(),
            )
        accounts.append(row)
    return accounts


def terms_templates() -> dict[str, TermsTemplate]:
    """One template per payment style (idempotent)."""
    templates = {}
    for name, fields in TERMS_TEMPLATES:
        values = {**COMMON_TERMS, **fields}
        templates[name], _ = TermsTemplate.objects.get_or_create(
            name=name, defaults={**values, **_translations(values)}
        )
    return templates


DEMO_STAMP = Path(__file__).with_name("demo_files") / "company-stamp.png"


def company_profile() -> None:
    """The demo's company stamp (a generated seal, not a real one), stored through the
    configured storage like an admin's upload; an existing stamp is kept (idempotent)."""
    profile = company_profile_get()
    if profile is None or not profile.stamp:
        company_profile_update(
            by=None, stamp=DEMO_STAMP.read_bytes(), stamp_name="company-stamp.png"
        )


def load(users: dict[str, User]) -> list[Quote]:
    bank_accounts()
    company_profile()
    templates = terms_templates()
    first = templates[TERMS_TEMPLATES[0][0]]
    for customer in Customer.objects.all():
        template = templates.get(CUSTOMER_TERMS.get(customer.name, ""), first)
        CustomerTermsDefault.objects.get_or_create(
            customer=customer, defaults={"template": template}
        )
    quotes = []
    for name, overrides, lines, then in DEMO_QUOTES:
        customer = Customer.objects.filter(name=name).first()
        if customer is None or customer.quotes.exists():
            continue
        terms = services.QuoteTerms(
            incoterm=overrides.get("incoterm", customer.default_incoterm or "CIF"),
            destination_port=overrides.get("destination_port", customer.default_destination_port),
            currency=customer.default_currency or "USD",
            contact=customer.contacts.filter(is_primary=True).first(),
            lead_time="3–4 weeks after deposit",
            lines=[
                {"product": code, "quantity_mt": Decimal(qty), "discount_percent": Decimal(disc)}
                for code, qty, disc in lines
            ],
        )
        quote = services.quote_create(customer=customer, by=customer.owner, terms=terms)
        if then == "submit":
            quote = services.quote_submit_for_approval(quote=quote, by=customer.owner)
        elif then == "send":
            if quote.needs_approval:
                # e.g. a seeded tariff rule not verified recently: the manager approves.
                quote = services.quote_submit_for_approval(quote=quote, by=customer.owner)
                quote = services.quote_approve(
                    quote=quote,
                    by=users["manager"],
                    comment="Demo: duties to be confirmed against the official tariff.",
                )
            quote_send(quote=quote, by=customer.owner)
        quotes.append(quote)
    return quotes
