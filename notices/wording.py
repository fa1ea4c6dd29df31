# ruff: noqa: RUF001  (CJK text uses full-width punctuation on purpose)
"""The fixed wording of a partner notice, per language.

The notice is written in the partner's language; the reservation statement itself comes
from the label's approved terms. English is the source text; every other language is a
draft translation until a reviewer fluent in it has checked it (``REVIEWED``), and the
notice page says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NoticeLanguage:
    code: str
    name: str
    rtl: bool = False


LANGUAGES: tuple[NoticeLanguage, ...] = (
    NoticeLanguage("en", "English"),
    NoticeLanguage("sv", "Svenska"),
    NoticeLanguage("de", "Deutsch"),
    NoticeLanguage("es", "Español"),
    NoticeLanguage("pt-BR", "Português (Brasil)"),
    NoticeLanguage("fr", "Français"),
    NoticeLanguage("ja", "日本語"),
    NoticeLanguage("ko", "한국어"),
    NoticeLanguage("zh-Hans", "简体中文"),
    NoticeLanguage("ar", "العربية", rtl=True),
)
BY_CODE = {lang.code: lang for lang in LANGUAGES}
LANGUAGE_CHOICES = [(lang.code, lang.name) for lang in LANGUAGES]
REVIEWED = frozenset({"en"})
DRAFT_NOTE = _("Draft translation: have it reviewed by someone fluent before relying on it.")

# Questions with these keys admit a use that puts the catalog at risk when answered "yes".
SIGNAL_CHOICES = ("robots_txt", "tdmrep", "c2pa", "content_usage", "contract")
SIGNAL_NAMES = {
    "robots_txt": "robots.txt",
    "tdmrep": "TDMRep",
    "c2pa": "C2PA / CAWG",
    "content_usage": "Content-Usage",
}

_KEYS = (
    "title", "from", "to", "date", "intro", "reservation", "releases", "recordings",
    "col_title", "col_artist", "deadline", "questions", "respond", "yes", "no",
    "explanation", "q_ai_training", "q_sublicensing", "q_datasets", "q_signals", "contract",
    "none",
)  # fmt: skip

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Reservation of rights and request for information",
        "from": "From", "to": "To", "date": "Date",
        "intro": "{label} reserves all rights in the recordings and releases listed below "
        "against their use for training artificial intelligence, for text and data mining and "
        "for the other uses named in the statement below. Please answer the questions at the "
        "end of this notice.",
        "reservation": "Reservation statement",
        "releases": "Releases", "recordings": "Recordings",
        "col_title": "Title", "col_artist": "Artist",
        "deadline": "Please answer by {date}.",
        "questions": "Questions",
        "respond": "Answer online (no account needed):",
        "yes": "Yes", "no": "No", "explanation": "Explanation",
        "q_ai_training": "Do you use, or let others use, our recordings, metadata or stems to "
        "train AI models?",
        "q_sublicensing": "Does your contract with us give you sublicensing or data rights, "
        "and have you exercised them?",
        "q_datasets": "Have you sold or licensed datasets that contain our content?",
        "q_signals": "Which opt-out signals do you honour?",
        "contract": "Contract clause", "none": "None",
    },
    "sv": {
        "title": "Förbehåll av rättigheter och begäran om information",
        "from": "Från", "to": "Till", "date": "Datum",
        "intro": "{label} förbehåller sig alla rättigheter till inspelningarna och utgåvorna "
        "nedan mot användning för träning av artificiell intelligens, för text- och "
        "datautvinning och för övriga användningar som anges i förbehållet nedan. Besvara "
        "frågorna i slutet av detta meddelande.",
        "reservation": "Förbehåll",
        "releases": "Utgåvor", "recordings": "Inspelningar",
        "col_title": "Titel", "col_artist": "Artist",
        "deadline": "Svara senast {date}.",
        "questions": "Frågor",
        "respond": "Svara på webben (inget konto behövs):",
        "yes": "Ja", "no": "Nej", "explanation": "Förklaring",
        "q_ai_training": "Använder ni, eller låter ni andra använda, våra inspelningar, "
        "metadata eller stems för att träna AI-modeller?",
        "q_sublicensing": "Ger ert avtal med oss rätt till underlicensiering eller data, och "
        "har ni utnyttjat den?",
        "q_datasets": "Har ni sålt eller licensierat dataset som innehåller vårt material?",
        "q_signals": "Vilka opt-out-signaler respekterar ni?",
        "contract": "Avtalsklausul", "none": "Inga",
    },
    "de": {
        "title": "Rechtevorbehalt und Bitte um Auskunft",
        "from": "Von", "to": "An", "date": "Datum",
        "intro": "{label} behält sich alle Rechte an den unten aufgeführten Aufnahmen und "
        "Veröffentlichungen gegen ihre Nutzung zum Training künstlicher Intelligenz, für Text- "
        "und Data-Mining und für die übrigen im Vorbehalt genannten Nutzungen vor. Bitte "
        "beantworten Sie die Fragen am Ende dieses Schreibens.",
        "reservation": "Vorbehaltserklärung",
        "releases": "Veröffentlichungen", "recordings": "Aufnahmen",
        "col_title": "Titel", "col_artist": "Künstler",
        "deadline": "Bitte antworten Sie bis {date}.",
        "questions": "Fragen",
        "respond": "Online antworten (kein Konto nötig):",
        "yes": "Ja", "no": "Nein", "explanation": "Erläuterung",
        "q_ai_training": "Nutzen Sie unsere Aufnahmen, Metadaten oder Stems zum Training von "
        "KI-Modellen, oder lassen Sie andere sie dafür nutzen?",
        "q_sublicensing": "Räumt Ihnen Ihr Vertrag mit uns Unterlizenz- oder Datenrechte ein, "
        "und haben Sie sie ausgeübt?",
        "q_datasets": "Haben Sie Datensätze verkauft oder lizenziert, die unsere Inhalte "
        "enthalten?",
        "q_signals": "Welche Opt-out-Signale beachten Sie?",
        "contract": "Vertragsklausel", "none": "Keine",
    },
    "es": {
        "title": "Reserva de derechos y solicitud de información",
        "from": "De", "to": "Para", "date": "Fecha",
        "intro": "{label} se reserva todos los derechos sobre las grabaciones y los "
        "lanzamientos indicados abajo frente a su uso para entrenar inteligencia artificial, "
        "para la minería de textos y datos y para los demás usos nombrados en la declaración "
        "de abajo. Responda a las preguntas al final de este aviso.",
        "reservation": "Declaración de reserva",
        "releases": "Lanzamientos", "recordings": "Grabaciones",
        "col_title": "Título", "col_artist": "Artista",
        "deadline": "Responda antes del {date}.",
        "questions": "Preguntas",
        "respond": "Responda en línea (no se necesita cuenta):",
        "yes": "Sí", "no": "No", "explanation": "Explicación",
        "q_ai_training": "¿Usan, o dejan que otros usen, nuestras grabaciones, metadatos o "
        "stems para entrenar modelos de IA?",
        "q_sublicensing": "¿Su contrato con nosotros les da derechos de sublicencia o sobre "
        "los datos, y los han ejercido?",
        "q_datasets": "¿Han vendido o licenciado conjuntos de datos que contengan nuestro "
        "contenido?",
        "q_signals": "¿Qué señales de exclusión respetan?",
        "contract": "Cláusula contractual", "none": "Ninguna",
    },
    "pt-BR": {
        "title": "Reserva de direitos e pedido de informações",
        "from": "De", "to": "Para", "date": "Data",
        "intro": "{label} reserva todos os direitos sobre as gravações e os lançamentos "
        "listados abaixo contra seu uso para treinar inteligência artificial, para mineração "
        "de textos e dados e para os demais usos citados na declaração abaixo. Responda às "
        "perguntas no final deste aviso.",
        "reservation": "Declaração de reserva",
        "releases": "Lançamentos", "recordings": "Gravações",
        "col_title": "Título", "col_artist": "Artista",
        "deadline": "Responda até {date}.",
        "questions": "Perguntas",
        "respond": "Responda on-line (não é preciso conta):",
        "yes": "Sim", "no": "Não", "explanation": "Explicação",
        "q_ai_training": "Vocês usam, ou deixam outros usarem, nossas gravações, metadados ou "
        "stems para treinar modelos de IA?",
        "q_sublicensing": "O seu contrato conosco dá direitos de sublicenciamento ou sobre "
        "dados, e vocês os exerceram?",
        "q_datasets": "Vocês venderam ou licenciaram conjuntos de dados com o nosso conteúdo?",
        "q_signals": "Quais sinais de opt-out vocês respeitam?",
        "contract": "Cláusula contratual", "none": "Nenhum",
    },
    "fr": {
        "title": "Réserve de droits et demande d’informations",
        "from": "De", "to": "À", "date": "Date",
        "intro": "{label} se réserve tous les droits sur les enregistrements et les parutions "
        "ci-dessous contre leur utilisation pour entraîner l’intelligence artificielle, pour "
        "la fouille de textes et de données et pour les autres usages nommés dans la "
        "déclaration ci-dessous. Merci de répondre aux questions à la fin de cet avis.",
        "reservation": "Déclaration de réserve",
        "releases": "Parutions", "recordings": "Enregistrements",
        "col_title": "Titre", "col_artist": "Artiste",
        "deadline": "Merci de répondre avant le {date}.",
        "questions": "Questions",
        "respond": "Répondre en ligne (sans compte) :",
        "yes": "Oui", "no": "Non", "explanation": "Explication",
        "q_ai_training": "Utilisez-vous, ou laissez-vous d’autres utiliser, nos "
        "enregistrements, métadonnées ou stems pour entraîner des modèles d’IA ?",
        "q_sublicensing": "Votre contrat avec nous vous donne-t-il des droits de "
        "sous-licence ou sur les données, et les avez-vous exercés ?",
        "q_datasets": "Avez-vous vendu ou concédé sous licence des jeux de données "
        "contenant nos contenus ?",
        "q_signals": "Quels signaux d’opposition respectez-vous ?",
        "contract": "Clause contractuelle", "none": "Aucun",
    },
    "ja": {
        "title": "権利留保の通知および情報提供のお願い",
        "from": "差出人", "to": "宛先", "date": "日付",
        "intro": "{label}は、下記の録音およびリリースについて、人工知能の学習、テキスト・"
        "データマイニング、および下記の声明に記載されたその他の利用に対するすべての権利を"
        "留保します。本通知の末尾の質問にご回答ください。",
        "reservation": "権利留保の声明",
        "releases": "リリース", "recordings": "録音",
        "col_title": "タイトル", "col_artist": "アーティスト",
        "deadline": "{date}までにご回答ください。",
        "questions": "質問",
        "respond": "オンラインで回答（アカウント不要）：",
        "yes": "はい", "no": "いいえ", "explanation": "説明",
        "q_ai_training": "当社の録音、メタデータまたはステムをAIモデルの学習に使用して"
        "いますか、または他者に使用させていますか？",
        "q_sublicensing": "当社との契約はサブライセンス権またはデータに関する権利を与えて"
        "いますか。また、それを行使しましたか？",
        "q_datasets": "当社のコンテンツを含むデータセットを販売またはライセンスしたことが"
        "ありますか？",
        "q_signals": "どのオプトアウト信号を尊重していますか？",
        "contract": "契約条項", "none": "なし",
    },
    "ko": {
        "title": "권리 유보 통지 및 정보 요청",
        "from": "보낸 곳", "to": "받는 곳", "date": "날짜",
        "intro": "{label}은(는) 아래 녹음물과 발매물에 대해 인공지능 학습, 텍스트 및 데이터 "
        "마이닝, 그리고 아래 성명에 명시된 기타 이용에 대한 모든 권리를 유보합니다. 이 "
        "통지 끝의 질문에 답변해 주십시오.",
        "reservation": "권리 유보 성명",
        "releases": "발매물", "recordings": "녹음물",
        "col_title": "제목", "col_artist": "아티스트",
        "deadline": "{date}까지 답변해 주십시오.",
        "questions": "질문",
        "respond": "온라인 답변(계정 불필요):",
        "yes": "예", "no": "아니요", "explanation": "설명",
        "q_ai_training": "당사의 녹음물, 메타데이터 또는 스템을 AI 모델 학습에 사용하거나 "
        "다른 사람이 사용하도록 허용합니까?",
        "q_sublicensing": "당사와의 계약이 재라이선스 또는 데이터 권리를 부여합니까? 그 "
        "권리를 행사했습니까?",
        "q_datasets": "당사 콘텐츠가 포함된 데이터 세트를 판매하거나 라이선스한 적이 "
        "있습니까?",
        "q_signals": "어떤 옵트아웃 신호를 준수합니까?",
        "contract": "계약 조항", "none": "없음",
    },
    "zh-Hans": {
        "title": "权利保留声明及信息请求",
        "from": "发件方", "to": "收件方", "date": "日期",
        "intro": "{label}对下列录音和发行作品保留全部权利，禁止将其用于训练人工智能、文本与"
        "数据挖掘以及下方声明中列出的其他用途。请回答本通知末尾的问题。",
        "reservation": "权利保留声明",
        "releases": "发行作品", "recordings": "录音",
        "col_title": "标题", "col_artist": "艺人",
        "deadline": "请于{date}之前答复。",
        "questions": "问题",
        "respond": "在线答复（无需账户）：",
        "yes": "是", "no": "否", "explanation": "说明",
        "q_ai_training": "贵方是否使用或允许他人使用我方的录音、元数据或分轨来训练人工智能"
        "模型？",
        "q_sublicensing": "贵方与我方的合同是否授予分许可权或数据权利？贵方是否行使过这些"
        "权利？",
        "q_datasets": "贵方是否出售或许可过包含我方内容的数据集？",
        "q_signals": "贵方遵守哪些退出信号？",
        "contract": "合同条款", "none": "无",
    },
    "ar": {
        "title": "إشعار بحفظ الحقوق وطلب معلومات",
        "from": "من", "to": "إلى", "date": "التاريخ",
        "intro": "تحتفظ {label} بجميع الحقوق في التسجيلات والإصدارات المذكورة أدناه ضد "
        "استخدامها في تدريب الذكاء الاصطناعي واستخراج النصوص والبيانات وسائر الاستخدامات "
        "الواردة في البيان أدناه. يرجى الإجابة عن الأسئلة في نهاية هذا الإشعار.",
        "reservation": "بيان حفظ الحقوق",
        "releases": "الإصدارات", "recordings": "التسجيلات",
        "col_title": "العنوان", "col_artist": "الفنان",
        "deadline": "يرجى الرد قبل {date}.",
        "questions": "الأسئلة",
        "respond": "أجب عبر الإنترنت (لا حاجة إلى حساب):",
        "yes": "نعم", "no": "لا", "explanation": "توضيح",
        "q_ai_training": "هل تستخدمون تسجيلاتنا أو بياناتها الوصفية أو مساراتها المنفصلة "
        "لتدريب نماذج الذكاء الاصطناعي، أو تسمحون لغيركم بذلك؟",
        "q_sublicensing": "هل يمنحكم عقدكم معنا حقوق ترخيص من الباطن أو حقوقًا في البيانات، "
        "وهل مارستموها؟",
        "q_datasets": "هل بعتم أو رخصتم مجموعات بيانات تحتوي على محتوانا؟",
        "q_signals": "ما إشارات إلغاء الاشتراك التي تحترمونها؟",
        "contract": "بند تعاقدي", "none": "لا شيء",
    },
}  # fmt: skip

assert all(set(TEXT[lang.code]) == set(_KEYS) for lang in LANGUAGES)


def wording(language: str) -> dict[str, str]:
    return TEXT.get(language, TEXT["en"])


def signal_name(key: str, language: str) -> str:
    if key == "contract":
        return wording(language)["contract"]
    return SIGNAL_NAMES.get(key, key)


_TERRITORY_LANGUAGE = {
    "SE": "sv", "DE": "de", "AT": "de", "CH": "de", "LI": "de",
    "ES": "es", "MX": "es", "AR": "es", "CL": "es", "CO": "es", "PE": "es",
    "BR": "pt-BR", "FR": "fr", "BE": "fr", "LU": "fr", "MC": "fr",
    "JP": "ja", "KR": "ko", "CN": "zh-Hans", "SG": "zh-Hans",
    "SA": "ar", "AE": "ar", "EG": "ar", "QA": "ar", "KW": "ar", "MA": "ar",
}  # fmt: skip


def language_for_territories(territories: list[str]) -> str:
    """The notice language a partner's first known territory suggests (English otherwise)."""
    for territory in territories or []:
        language = _TERRITORY_LANGUAGE.get(str(territory).upper())
        if language:
            return language
    return "en"
