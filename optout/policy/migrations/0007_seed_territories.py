"""Seed the territory map with the regions of the brief.

Each region holds a reading for producers, the legal hook of a reservation, the signals it
asks for, disclosure duties, the notice route and checklist items. The text is workflow
guidance reviewed on the date given, not legal advice; labels keep their own copies.
Later corrections come as new migrations, so what a label was shown stays traceable.
"""

import datetime

from django.db import migrations

REVIEWED = datetime.date(2026, 11, 1)

EU = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
]
SPANISH = [
    "ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "GT", "CU", "BO", "DO", "HN", "PY", "SV",
    "NI", "CR", "PA", "UY", "GQ", "PR",
]
ARABIC = [
    "AE", "SA", "EG", "QA", "KW", "BH", "OM", "JO", "LB", "IQ", "MA", "DZ", "TN", "LY", "SD",
    "YE", "SY", "PS", "MR",
]

REGIONS = [
    {
        "key": "us", "name": "United States", "countries": ["US", "PR", "GU", "VI", "AS", "MP"],
        "terms_languages": ["en"],
        "reading": (
            "No statute lets a rights holder opt out of AI training: whether training is fair "
            "use (17 U.S.C. § 107) is decided case by case, and courts reached different results "
            "in 2025. A reservation works through contract terms that users and partners accept, "
            "through the licensing market it documents, and through the rights information kept "
            "in the files."
        ),
        "legal_hook": (
            "Contract terms (click-through acceptance in stores and partner agreements is "
            "stronger than a notice on a web page); 17 U.S.C. § 1202 against removal of "
            "copyright management information (ISRC, copyright notice, terms URL in the tags); "
            "state voice and likeness laws (Tennessee ELVIS Act 2024, California digital-replica "
            "laws) against synthetic imitations."
        ),
        "required_signals": ["terms", "contracts", "embedded"],
        "recommended_signals": ["robots", "content_usage", "tdmrep", "rsl", "partner_notices"],
        "disclosure": (
            "No general federal duty to label AI-generated music. California AB 2013 requires "
            "developers of generative AI to publish a summary of their training data from "
            "1 January 2026. Platforms require AI disclosure on upload under their own policies."
        ),
        "notice_route": (
            "DMCA § 512(c)(3) takedown notice to the platform's designated agent (see the "
            "Copyright Office's DMCA agent directory); § 1202 and contract claims in court."
        ),
        "checklist": [
            "Publish web-site and store terms that forbid AI training, with acceptance where "
            "possible.",
            "Keep ISRC, copyright notice and terms URL in the tags of every delivered file.",
            "Put AI-training and voice-replica clauses in artist, producer and distribution "
            "contracts.",
            "Register sound recordings and works with the Copyright Office early: statutory "
            "damages need timely registration (17 U.S.C. § 412).",
            "Keep dated evidence of the terms and signals in force.",
        ],
        "sources": (
            "17 U.S.C. §§ 107, 412, 512, 1202; U.S. Copyright Office, Copyright and Artificial "
            "Intelligence, Part 3 (2025); Tennessee ELVIS Act (2024); California AB 2013."
        ),
    },
    {
        "key": "eu-eea", "name": "EU / EEA", "countries": EU, "terms_languages": [],
        "reading": (
            "Text and data mining of lawfully accessible content is allowed unless the rights "
            "holder has expressly reserved it in an appropriate manner, for content online by "
            "machine-readable means (Art. 4 of the DSM Directive). Research organisations may "
            "mine regardless (Art. 3). The AI Act obliges providers of general-purpose AI models "
            "to honour these reservations and to publish a summary of their training content."
        ),
        "legal_hook": (
            "Art. 4(3) Directive (EU) 2019/790 as implemented nationally (e.g. § 44b UrhG in "
            "Germany, 15 a § URL in Sweden, art. 67 RDL 24/2021 in Spain, art. L. 122-5-3 CPI in "
            "France); Art. 53(1)(c) and (d) of the AI Act (Regulation (EU) 2024/1689)."
        ),
        "required_signals": ["robots", "tdmrep", "content_usage", "terms"],
        "recommended_signals": ["rsl", "ai_txt", "embedded", "contracts", "partner_notices"],
        "disclosure": (
            "AI Act Art. 50 (from 2 August 2026): providers must mark synthetic audio in a "
            "machine-detectable way and deployers must disclose deep fakes. General-purpose AI "
            "providers publish a training-content summary on the AI Office template, which "
            "helps to check whether your catalog was used."
        ),
        "notice_route": (
            "Notice to hosting services under Art. 16 of the Digital Services Act; the copyright "
            "complaint contact that signatories of the GPAI Code of Practice provide; national "
            "courts."
        ),
        "checklist": [
            "Publish the reservation in machine-readable form (robots.txt, TDMRep) on every site "
            "you control before the content goes online.",
            "State the reservation in the web-site terms in the local language.",
            "Keep dated captures that prove when the reservation was in place.",
            "Check the training-content summaries of general-purpose AI providers for your "
            "catalog.",
            "Send complaints to the copyright contact points of general-purpose AI providers.",
        ],
        "sources": (
            "Directive (EU) 2019/790 Arts. 3-4; Regulation (EU) 2024/1689 Arts. 50, 53; "
            "Regulation (EU) 2022/2065 Art. 16; GPAI Code of Practice, copyright chapter (2025)."
        ),
    },
    {
        "key": "uk", "name": "United Kingdom", "countries": ["GB"], "terms_languages": ["en"],
        "reading": (
            "No exception covers commercial text and data mining: s. 29A CDPA 1988 allows "
            "mining for non-commercial research only. Training an AI model on your recordings "
            "therefore needs a licence, reservation or not. The government consulted in "
            "2024-25 on an exception with an opt-out; check the current position before relying "
            "on this."
        ),
        "legal_hook": (
            "Copyright, Designs and Patents Act 1988 (no commercial mining exception; s. 29A for "
            "non-commercial research); contract terms. A machine-readable reservation documents "
            "that no licence is given and is ready for any future opt-out regime."
        ),
        "required_signals": ["terms", "contracts"],
        "recommended_signals": ["robots", "tdmrep", "content_usage", "rsl", "embedded"],
        "disclosure": (
            "No statutory duty to label AI-generated music; platform policies apply. The Data "
            "(Use and Access) Act 2025 requires the government to report on AI and copyright, "
            "including transparency."
        ),
        "notice_route": (
            "Notice to the hosting service (its defence under reg. 19 of the Electronic Commerce "
            "Regulations 2002 ends once it knows); the Intellectual Property Enterprise Court for "
            "smaller claims."
        ),
        "checklist": [
            "State in the terms that no AI training licence is given.",
            "Publish machine-readable signals anyway: they document the refusal.",
            "Put AI clauses in UK artist, producer and partner contracts.",
            "Follow the government's response to the AI and copyright consultation.",
        ],
        "sources": "CDPA 1988 s. 29A; Data (Use and Access) Act 2025; UK IPO consultation (2024).",
    },
    {
        "key": "cn", "name": "China", "countries": ["CN"], "terms_languages": [],
        "reading": (
            "The Copyright Law has no text and data mining exception, and courts have held AI "
            "services liable for infringing output (Guangzhou Internet Court, 2024). The interim "
            "measures on generative AI require providers to train on lawfully sourced data "
            "that respects intellectual property."
        ),
        "legal_hook": (
            "Copyright Law of the PRC (2020); Interim Measures for the Management of Generative "
            "AI Services (2023), Art. 7; contract terms with Chinese platforms and distributors."
        ),
        "required_signals": ["terms", "contracts", "partner_notices"],
        "recommended_signals": ["robots", "tdmrep", "embedded"],
        "disclosure": (
            "Measures for Labelling AI-Generated Synthetic Content and standard GB 45438-2025 "
            "(from 1 September 2025): visible and metadata labels on AI-generated audio; the "
            "deep synthesis provisions (2023)."
        ),
        "notice_route": (
            "Notice to the network service provider under Art. 1195 of the Civil Code (notice "
            "and takedown); the complaint channels of the music platforms."
        ),
        "checklist": [
            "Refuse Bytespider, PanguBot, ChatGLM-Spider and the other Chinese training "
            "crawlers.",
            "Put AI clauses in contracts with Chinese distributors and platforms.",
            "Prepare Chinese-language notices with proof of rights.",
            "Consider voluntary registration with the Copyright Protection Center of China.",
        ],
        "sources": (
            "Copyright Law of the PRC (2020); Civil Code Art. 1195; Interim Measures for "
            "Generative AI Services (2023); GB 45438-2025."
        ),
    },
    {
        "key": "jp", "name": "Japan", "countries": ["JP"], "terms_languages": [],
        "reading": (
            "Art. 30-4 of the Copyright Act allows use for information analysis, AI training "
            "included, without permission, unless it unreasonably prejudices the holder's "
            "interests. The Agency for Cultural Affairs' 2024 guidance says technical measures "
            "against collection, such as robots.txt, can matter under that proviso, for example "
            "where the holder licenses its data for AI. Output that reproduces a work's creative "
            "expression still infringes."
        ),
        "legal_hook": (
            "Art. 30-4 Copyright Act (proviso on unreasonable prejudice); Agency for Cultural "
            "Affairs, General Understanding on AI and Copyright (March 2024); contract terms."
        ),
        "required_signals": ["robots", "terms"],
        "recommended_signals": ["tdmrep", "rsl", "contracts", "embedded"],
        "disclosure": (
            "No statutory labelling duty; the AI Promotion Act (2025) works through guidelines. "
            "Platform policies apply."
        ),
        "notice_route": (
            "Takedown request to the platform under the Information Distribution Platform Act "
            "(formerly the Provider Liability Limitation Act); industry bodies for collective "
            "action."
        ),
        "checklist": [
            "Refuse AI crawlers technically (robots.txt and server rules), not only in the "
            "terms.",
            "Offer a licensing route, so that unlicensed training harms a real market.",
            "Watch for output that reproduces recordings or lyrics.",
        ],
        "sources": (
            "Copyright Act Art. 30-4; Agency for Cultural Affairs, General Understanding on AI "
            "and Copyright in Japan (2024)."
        ),
    },
    {
        "key": "kr", "name": "South Korea", "countries": ["KR"], "terms_languages": [],
        "reading": (
            "The Copyright Act has no specific text and data mining exception; AI training is "
            "judged under the general fair-use clause (Art. 35-5). The AI Basic Act, in force "
            "from 22 January 2026, adds transparency duties for generative AI."
        ),
        "legal_hook": (
            "Copyright Act Art. 35-5 (fair use); contract terms. A reservation shows that the "
            "use was against the holder's will, which weighs against fair use."
        ),
        "required_signals": ["terms", "contracts"],
        "recommended_signals": ["robots", "tdmrep", "content_usage", "embedded"],
        "disclosure": (
            "AI Basic Act: users must be told when content is generated by AI, and generated "
            "sound that is hard to tell from real recordings must be labelled."
        ),
        "notice_route": (
            "Request to the online service provider to stop reproduction or transmission "
            "(Art. 103 Copyright Act); the Korea Copyright Protection Agency."
        ),
        "checklist": [
            "Publish terms that reserve AI uses, in Korean where you sell.",
            "Refuse AI crawlers in robots.txt.",
            "Keep evidence of the reservation for a fair-use dispute.",
        ],
        "sources": "Copyright Act Arts. 35-5, 103; Framework Act on Artificial Intelligence (2025).",
    },
    {
        "key": "br", "name": "Brazil", "countries": ["BR"], "terms_languages": ["pt-BR"],
        "reading": (
            "Law 9.610/1998 requires prior and express authorisation for every form of use "
            "(arts. 29 and 93) and has no text and data mining exception. The AI bill PL "
            "2338/2023, passed by the Senate in December 2024, would add a mining exception for "
            "research and a right to forbid other uses, with remuneration; check its status."
        ),
        "legal_hook": (
            "Arts. 29 and 93 Lei 9.610/1998; contract terms; the opt-out right of PL 2338/2023 "
            "if enacted."
        ),
        "required_signals": ["terms", "contracts"],
        "recommended_signals": ["robots", "tdmrep", "rsl", "embedded", "partner_notices"],
        "disclosure": (
            "No statutory labelling duty for AI-generated music yet; PL 2338/2023 and the "
            "electoral court's rules deal with synthetic content."
        ),
        "notice_route": (
            "Extrajudicial notice to the platform (copyright stays outside the court-order "
            "regime of Art. 19 of the Marco Civil da Internet, § 2); court action otherwise."
        ),
        "checklist": [
            "Publish terms in Brazilian Portuguese.",
            "Put AI clauses in contracts with Brazilian distributors and artists.",
            "Follow PL 2338/2023: if enacted, publish the opt-out in the form it prescribes.",
        ],
        "sources": "Lei 9.610/1998 arts. 29, 93; Lei 12.965/2014 art. 19; PL 2338/2023.",
    },
    {
        "key": "ru", "name": "Russia", "countries": ["RU"], "terms_languages": [],
        "reading": (
            "The Civil Code (Part IV) has no text and data mining exception: every use needs "
            "the holder's consent. Enforcement is local, and sanctions can restrict payments "
            "to and dealings with Russian services."
        ),
        "legal_hook": (
            "Arts. 1229, 1270 and 1324 Civil Code (exclusive rights of authors and phonogram "
            "producers); contract terms."
        ),
        "required_signals": ["terms", "robots"],
        "recommended_signals": ["tdmrep", "contracts", "partner_notices"],
        "disclosure": "No statutory duty to label AI-generated music.",
        "notice_route": (
            "Pre-trial notice to the site owner (Art. 15.7 of Federal Law 149-FZ), then interim "
            "blocking through the Moscow City Court (Art. 15.2)."
        ),
        "checklist": [
            "Refuse YandexAdditional and the other Russian AI crawlers.",
            "Check sanctions rules before paying local counsel or services.",
        ],
        "sources": "Civil Code Part IV; Federal Law No. 149-FZ Arts. 15.2, 15.7.",
    },
    {
        "key": "tr", "name": "Turkey", "countries": ["TR"], "terms_languages": [],
        "reading": (
            "Law No. 5846 on Intellectual and Artistic Works has no text and data mining "
            "exception: uses need permission. There is no AI-specific copyright rule yet."
        ),
        "legal_hook": (
            "Law No. 5846 (FSEK), including the neighbouring rights of performers and phonogram "
            "producers (Art. 80); contract terms."
        ),
        "required_signals": ["terms", "contracts"],
        "recommended_signals": ["robots", "tdmrep", "embedded"],
        "disclosure": "No statutory duty to label AI-generated music.",
        "notice_route": (
            "Notice to the content provider to remove within three days (Additional Art. 4 "
            "FSEK); if it does not, an application to the public prosecutor to block access."
        ),
        "checklist": [
            "Publish terms that reserve AI uses.",
            "Keep proof of rights ready for a notice under Additional Art. 4 FSEK.",
        ],
        "sources": "Law No. 5846 Art. 80 and Additional Art. 4; Law No. 5651.",
    },
    {
        "key": "id", "name": "Indonesia", "countries": ["ID"], "terms_languages": [],
        "reading": (
            "Law No. 28 of 2014 on Copyright has no text and data mining exception; its narrow "
            "exceptions (Arts. 43-44) do not cover commercial AI training."
        ),
        "legal_hook": "Law No. 28/2014 on Copyright; contract terms.",
        "required_signals": ["terms", "contracts"],
        "recommended_signals": ["robots", "tdmrep", "partner_notices"],
        "disclosure": (
            "No statutory labelling duty; the 2023 circular on AI ethics is voluntary."
        ),
        "notice_route": (
            "Report to the Directorate General of Intellectual Property (DJKI), which can have "
            "access to content closed (Arts. 55-56 Law 28/2014); platform notices."
        ),
        "checklist": [
            "Publish terms that reserve AI uses.",
            "Register works with DJKI where practical: it eases reports.",
        ],
        "sources": "Law No. 28 of 2014 on Copyright Arts. 43-44, 55-56.",
    },
    {
        "key": "es-markets", "name": "Spanish-language markets", "countries": SPANISH,
        "terms_languages": ["es"],
        "reading": (
            "Spain follows the EU rule: mining is allowed unless reserved, machine-readably for "
            "online content (art. 67 RDL 24/2021). The laws of Latin America (Mexico LFDA, "
            "Argentina Ley 11.723, Colombia Ley 23 de 1982, Chile Ley 17.336) have no mining "
            "exception: every use needs authorisation, so the reservation mainly documents that "
            "no licence was given."
        ),
        "legal_hook": (
            "Spain: art. 67 Real Decreto-ley 24/2021 (Art. 4 of the DSM Directive); Latin "
            "America: the exclusive rights of each national copyright law; contract terms in "
            "Spanish."
        ),
        "required_signals": ["terms", "robots", "tdmrep"],
        "recommended_signals": ["contracts", "content_usage", "rsl", "embedded"],
        "disclosure": (
            "Spain: the EU AI Act. Latin America: no statutory labelling duty yet; bills are "
            "pending in several countries."
        ),
        "notice_route": (
            "Spain: notice under Art. 16 of the Digital Services Act and the Intellectual "
            "Property Commission (Sección Segunda). Mexico: notice and takedown under the LFDA "
            "(arts. 114 Septies and 114 Octies). Elsewhere: platform notices and courts."
        ),
        "checklist": [
            "Publish terms in Spanish.",
            "Publish the machine-readable reservation for Spain.",
            "Put AI clauses in contracts with Latin American distributors.",
        ],
        "sources": (
            "Real Decreto-ley 24/2021 art. 67; Ley Federal del Derecho de Autor (Mexico) arts. "
            "114 Septies-Octies."
        ),
    },
    {
        "key": "ar-markets", "name": "Arabic-language markets", "countries": ARABIC,
        "terms_languages": [],
        "reading": (
            "The copyright laws of the region (UAE Federal Decree-Law No. 38 of 2021, the Saudi "
            "Copyright Law, Egypt Law No. 82 of 2002) have no text and data mining exception: "
            "AI training needs authorisation. Enforcement runs mostly through ministries and "
            "authorities rather than courts."
        ),
        "legal_hook": (
            "National copyright laws (UAE Decree-Law 38/2021; Saudi Copyright Law, enforced by "
            "SAIP; Egypt Law 82/2002); contract terms in Arabic."
        ),
        "required_signals": ["terms", "contracts"],
        "recommended_signals": ["robots", "tdmrep", "partner_notices"],
        "disclosure": (
            "No statutory duty to label AI-generated music; Saudi and UAE AI guidelines are "
            "voluntary."
        ),
        "notice_route": (
            "Saudi Arabia: complaint to the Saudi Authority for Intellectual Property (SAIP). "
            "UAE: copyright complaint to the Ministry of Economy. Egypt: courts. Platform "
            "notices to the regional services."
        ),
        "checklist": [
            "Have the terms translated into Arabic by counsel.",
            "Put AI clauses in contracts with regional distributors.",
            "Keep proof of rights ready for an authority complaint.",
        ],
        "sources": (
            "UAE Federal Decree-Law No. 38 of 2021; Saudi Copyright Law (2003); Egypt Law "
            "No. 82 of 2002."
        ),
    },
]


def seed(apps, schema_editor):
    Territory = apps.get_model("policy", "Territory")
    for position, region in enumerate(REGIONS, start=1):
        Territory.objects.update_or_create(
            key=region["key"],
            defaults={**{k: v for k, v in region.items() if k != "key"},
                      "position": position, "reviewed_on": REVIEWED},
        )


def unseed(apps, schema_editor):
    apps.get_model("policy", "Territory").objects.filter(
        key__in=[r["key"] for r in REGIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("policy", "0006_territory_map")]

    operations = [migrations.RunPython(seed, unseed)]
