# The Japanese and Chinese text uses full-width punctuation (commas, question marks, brackets)
# on purpose:
# ruff: noqa: RUF001
"""Support knowledge base seed for the demo store: store-wide and per-merchant FAQ entries.

What the support chatbot will answer from: questions as shoppers ask them about shipping,
returns, customs, payments and orders, each in the store's six languages, with short answers
that give the numbers (thresholds, days, prices). Every entry is a plain dict
`{"topic", "language", "question", "answer", "key"}`; `key` names the question across languages
(`customs.eu_threshold`), so one key has one entry per language.

- `store_faq()`: the store-wide entries, every key in all of `LANGUAGES`.
- `merchant_faq(...)`: 2-4 entries for one merchant (dispatch time, then some of sizing,
  warranty and contact), in the merchant's language and in English, varied by the `rng`.

The facts are how this store works, from docs/checkout.md and docs/taxes-and-duties.md, and
the reference data that `manage.py seed_markets` loads (storefront/fixtures/markets.json):

- markets US, GB, DE (with AT), FR, ES, JP and CN; each merchant ships its own parcel, priced,
  tracked and judged at customs on its own (goods value, shipping excluded);
- EU (IOSS): up to EUR 150 VAT at checkout and no duty, above it duty and import VAT paid to the
  carrier on delivery; UK: the same at GBP 135; US: no de minimis since 29 August 2025, duty and
  state sales tax charged at checkout; Japan: nothing up to JPY 10,000, above it duty and 10 %
  consumption tax collected by the carrier; China: whatever is due is collected on delivery;
- card payments authorised at checkout, captured at once or after a review (orders on hold),
  authorisations expiring after 7 days; cancellation before shipping (void or refund);
- shipping prices (500 g) and delivery days (2 kg) quoted as seeded.

Demo policy, not enforced by the code: returns within 30 days of delivery, refunds showing on
the card within 5-10 business days; merchants' warranties, reply times and addresses
(`support@<name>.example`) are invented. A real store states its own.

Keep the text in step with the rules: storefront/tests/test_demo_faq.py checks the thresholds,
prices and days against the fixture. The EU's EUR 150 duty relief is due to end on
1 July 2026 (see docs/taxes-and-duties.md): the customs entries must change with it.
"""

import re
import unicodedata
import zlib

import numpy as np
from babel import Locale
from django.core.exceptions import ValidationError

from storefront.validators import country_validate

TOPICS = ("shipping", "returns", "customs", "payments", "orders")
LANGUAGES = ("en", "de", "fr", "es", "ja", "zh")


# key -> language -> (question, answer)
_STORE_FAQ: dict[str, dict[str, tuple[str, str]]] = {
    "shipping.countries": {
        "en": (
            "Which countries do you deliver to?",
            (
                "We deliver to the United States, the United Kingdom, Germany, Austria, France, "
                "Spain, Japan and mainland China. You shop and pay in your market's currency: US "
                "dollars, pounds sterling, euros, yen or yuan."
            ),
        ),
        "de": (
            "In welche Länder liefern Sie?",
            (
                "Wir liefern in die USA, ins Vereinigte Königreich, nach Deutschland, Österreich, "
                "Frankreich, Spanien und Japan sowie nach Festlandchina. Sie kaufen und bezahlen "
                "in der Währung Ihres Marktes: US-Dollar, Pfund Sterling, Euro, Yen oder Yuan."
            ),
        ),
        "fr": (
            "Dans quels pays livrez-vous ?",
            (
                "Nous livrons aux États-Unis, au Royaume-Uni, en Allemagne, en Autriche, en "
                "France, en Espagne, au Japon et en Chine continentale. Vous achetez et payez dans "
                "la devise de votre marché : dollars américains, livres sterling, euros, yens ou "
                "yuans."
            ),
        ),
        "es": (
            "¿A qué países se puede enviar un pedido?",
            (
                "Enviamos a Estados Unidos, al Reino Unido, a Alemania, Austria, Francia, España y "
                "Japón, y a China continental. Compras y pagas en la moneda de tu mercado: dólares "
                "estadounidenses, libras esterlinas, euros, yenes o yuanes."
            ),
        ),
        "ja": (
            "どの国に配送していますか？",
            (
                "アメリカ、イギリス、ドイツ、オーストリア、フランス、スペイン、日本、中国本土にお届"
                "けしています。お買い物とお支払いは、お届け先の国のストアの通貨（米ドル、英ポンド、"
                "ユーロ、日本円、人民元）で行います。"
            ),
        ),
        "zh": (
            "可以配送到哪些国家和地区？",
            (
                "我们配送至美国、英国、德国、奥地利、法国、西班牙、日本和中国大陆。购物和付款均使用"
                "您所在市场的货币：美元、英镑、欧元、日元或人民币。"
            ),
        ),
    },
    "shipping.separate_parcels": {
        "en": (
            "I ordered from two shops. Why are there two parcels and two shipping charges?",
            (
                "Each merchant ships its own items in its own parcel, so an order with items from "
                "several merchants arrives in several parcels. Shipping is charged per parcel, and "
                "the checkout shows each parcel's shipping cost separately before you pay."
            ),
        ),
        "de": (
            (
                "Ich habe bei zwei Shops bestellt. Warum bekomme ich zwei Pakete und zahle zweimal "
                "Versand?"
            ),
            (
                "Jeder Händler verschickt seine Artikel in einem eigenen Paket, daher kommt eine "
                "Bestellung mit Artikeln mehrerer Händler in mehreren Paketen an. Die "
                "Versandkosten werden pro Paket berechnet; an der Kasse sehen Sie die Kosten für "
                "jedes Paket einzeln, bevor Sie bezahlen."
            ),
        ),
        "fr": (
            "J'ai commandé chez deux boutiques : pourquoi deux colis et deux frais de livraison ?",
            (
                "Chaque marchand expédie ses articles dans son propre colis : une commande "
                "comprenant des articles de plusieurs marchands arrive donc en plusieurs colis. "
                "Les frais de livraison sont calculés par colis, et la page de paiement indique le "
                "montant de chaque colis avant que vous ne payiez."
            ),
        ),
        "es": (
            "He pedido a dos tiendas. ¿Por qué recibo dos paquetes y pago dos envíos?",
            (
                "Cada vendedor envía sus artículos en su propio paquete, así que un pedido con "
                "artículos de varios vendedores llega en varios paquetes. El envío se cobra por "
                "paquete y, antes de pagar, verás en la pantalla de pago el coste de envío de cada "
                "uno por separado."
            ),
        ),
        "ja": (
            "2つのショップで注文したら、荷物が2つに分かれて送料も2回かかりました。なぜですか？",
            (
                "各ショップはそれぞれ自分の商品を別々の荷物で発送します。そのため、複数のショップの"
                "商品を含むご注文は、複数の荷物に分かれて届きます。送料は荷物ごとにかかり、お支払い"
                "前に購入手続き画面で荷物ごとの送料をご確認いただけます。"
            ),
        ),
        "zh": (
            "我在两家店铺下了单，为什么分成两个包裹，还收了两次运费？",
            (
                "每个商家都会把自己的商品单独打包发货，因此包含多个商家商品的订单会分成多个包裹送达"
                "。运费按包裹计算，付款前您可以在结算页面分别看到每个包裹的运费。"
            ),
        ),
    },
    "shipping.delivery_time": {
        "en": (
            "How long does delivery take?",
            (
                "The checkout shows a delivery estimate for each parcel, based on your country and "
                "the parcel's weight. For parcels up to 2 kg, it is 2-4 days to Germany and "
                "Austria, 2-5 days to the UK, France and Spain, 3-7 days to the US, 3-8 days to "
                "Japan and 5-12 days to mainland China. Heavier parcels can take a few days longer."
            ),
        ),
        "de": (
            "Wie lange dauert die Lieferung?",
            (
                "An der Kasse sehen Sie für jedes Paket eine voraussichtliche Lieferzeit, abhängig "
                "von Ihrem Land und dem Gewicht des Pakets. Für Pakete bis 2 kg sind es 2-4 Tage "
                "nach Deutschland und Österreich, 2-5 Tage ins Vereinigte Königreich, nach "
                "Frankreich und Spanien, 3-7 Tage in die USA, 3-8 Tage nach Japan und 5-12 Tage "
                "nach Festlandchina. Schwerere Pakete können ein paar Tage länger brauchen."
            ),
        ),
        "fr": (
            "Quel est le délai de livraison ?",
            (
                "La page de paiement indique un délai de livraison estimé pour chaque colis, selon "
                "votre pays et le poids du colis. Pour un colis jusqu'à 2 kg, comptez 2 à 4 jours "
                "pour l'Allemagne et l'Autriche, 2 à 5 jours pour le Royaume-Uni, la France et "
                "l'Espagne, 3 à 7 jours pour les États-Unis, 3 à 8 jours pour le Japon et 5 à 12 "
                "jours pour la Chine continentale. Les colis plus lourds peuvent mettre quelques "
                "jours de plus."
            ),
        ),
        "es": (
            "¿Cuánto tarda la entrega?",
            (
                "En la pantalla de pago verás un plazo de entrega estimado para cada paquete, "
                "según tu país y el peso del paquete. Para paquetes de hasta 2 kg, son de 2 a 4 "
                "días a Alemania y Austria, de 2 a 5 días al Reino Unido, Francia y España, de 3 a "
                "7 días a Estados Unidos, de 3 a 8 días a Japón y de 5 a 12 días a China "
                "continental. Los paquetes más pesados pueden tardar unos días más."
            ),
        ),
        "ja": (
            "届くまでどのくらいかかりますか？",
            (
                "お届け予定日数は、お届け先の国と荷物の重さに応じて、購入手続き画面に荷物ごとに表示"
                "されます。2kgまでの荷物の場合、日本へは3〜8日、アメリカへは3〜7日、ドイツ・オース"
                "トリアへは2〜4日、イギリス・フランス・スペインへは2〜5日、中国本土へは5〜12日が目"
                "安です。重い荷物は数日長くかかることがあります。"
            ),
        ),
        "zh": (
            "送货需要多长时间？",
            (
                "结算页面会根据您所在的国家和包裹重量，为每个包裹显示预计送达时间。2公斤以内的包裹"
                "，寄往中国大陆约需5-12天，日本3-8天，美国3-7天，德国和奥地利2-4天，英国、法国和西"
                "班牙2-5天。较重的包裹可能会多花几天。"
            ),
        ),
    },
    "shipping.cost": {
        "en": (
            "How much does shipping cost?",
            (
                "Shipping is charged per parcel, by destination and weight. A parcel up to 500 g "
                "costs €4.90 to Germany and Austria, €5.90 to France or Spain, £4.90 to the UK, "
                "$7.90 to the US, ¥900 to Japan and CNY 45 to mainland China. The checkout shows "
                "the exact amount for each parcel before you pay."
            ),
        ),
        "de": (
            "Was kostet der Versand?",
            (
                "Versandkosten fallen pro Paket an und richten sich nach Zielland und Gewicht. Ein "
                "Paket bis 500 g kostet nach Deutschland und Österreich 4,90 €, nach Frankreich "
                "oder Spanien 5,90 €, ins Vereinigte Königreich 4,90 Pfund, in die USA 7,90 "
                "US-Dollar, nach Japan 900 Yen und nach Festlandchina 45 Yuan. Den genauen Betrag "
                "für jedes Paket sehen Sie an der Kasse, bevor Sie bezahlen."
            ),
        ),
        "fr": (
            "Combien coûte la livraison ?",
            (
                "Les frais de livraison sont calculés par colis, selon la destination et le poids. "
                "Un colis jusqu'à 500 g coûte 4,90 € pour l'Allemagne et l'Autriche, 5,90 € pour "
                "la France ou l'Espagne, 4,90 £ pour le Royaume-Uni, 7,90 $ pour les États-Unis, "
                "900 yens pour le Japon et 45 yuans pour la Chine continentale. Le montant exact "
                "de chaque colis s'affiche sur la page de paiement avant que vous ne payiez."
            ),
        ),
        "es": (
            "¿Cuánto cuesta el envío?",
            (
                "El envío se cobra por paquete, según el destino y el peso. Un paquete de hasta "
                "500 g cuesta 4,90 € a Alemania y Austria, 5,90 € a Francia o España, 4,90 £ al "
                "Reino Unido, 7,90 $ a Estados Unidos, 900 yenes a Japón y 45 yuanes a China "
                "continental. Antes de pagar, verás el importe exacto de cada paquete en la "
                "pantalla de pago."
            ),
        ),
        "ja": (
            "送料はいくらですか？",
            (
                "送料は荷物ごとに、お届け先と重さによって決まります。500gまでの荷物の場合、日本へは"
                "900円、アメリカへは7.90ドル、イギリスへは4.90ポンド、ドイツ・オーストリアへは4.90"
                "ユーロ、フランス・スペインへは5.90ユーロ、中国本土へは45元です。荷物ごとの正確な送"
                "料は、お支払い前に購入手続き画面に表示されます。"
            ),
        ),
        "zh": (
            "运费是多少？",
            (
                "运费按包裹收取，取决于目的地和重量。500克以内的包裹，寄往中国大陆为45元，日本900日"
                "元，美国7.90美元，英国4.90英镑，德国和奥地利4.90欧元，法国或西班牙5.90欧元。付款前"
                "，结算页面会显示每个包裹的准确运费。"
            ),
        ),
    },
    "returns.window": {
        "en": (
            "How long do I have to return an item?",
            (
                "You can return items within 30 days of delivery. The 30 days count from each "
                "parcel's own delivery date, so items from different merchants may have different "
                "deadlines."
            ),
        ),
        "de": (
            "Wie lange kann ich einen Artikel zurückgeben?",
            (
                "Sie können Artikel innerhalb von 30 Tagen nach der Zustellung zurückgeben. Die "
                "Frist läuft für jedes Paket ab seinem eigenen Zustelldatum, Artikel verschiedener "
                "Händler können also unterschiedliche Fristen haben."
            ),
        ),
        "fr": (
            "Combien de temps ai-je pour retourner un article ?",
            (
                "Vous pouvez retourner un article dans les 30 jours suivant la livraison. Le délai "
                "court à partir de la date de livraison de chaque colis : les articles de "
                "marchands différents peuvent donc avoir des dates limites différentes."
            ),
        ),
        "es": (
            "¿Cuánto tiempo tengo para devolver un artículo?",
            (
                "Puedes devolver artículos en un plazo de 30 días desde la entrega. El plazo "
                "cuenta desde la fecha de entrega de cada paquete, así que los artículos de "
                "distintos vendedores pueden tener fechas límite diferentes."
            ),
        ),
        "ja": (
            "返品はいつまでできますか？",
            (
                "商品到着から30日以内であれば返品いただけます。期限は荷物ごとの配達日から数えるため"
                "、異なるショップの商品は返品期限が異なる場合があります。"
            ),
        ),
        "zh": (
            "退货期限是多久？",
            (
                "您可以在签收后30天内申请退货。退货期限从每个包裹各自的签收日期起算，因此来自不同商"
                "家的商品，退货截止日期可能不同。"
            ),
        ),
    },
    "returns.how": {
        "en": (
            "How do I send something back?",
            (
                "Contact us within 30 days of delivery with your order number and the items you "
                "want to return. We'll tell you where to send them, since items go back to the "
                "merchant that shipped them. Your refund is issued once the merchant has received "
                "the return."
            ),
        ),
        "de": (
            "Wie schicke ich etwas zurück?",
            (
                "Schreiben Sie uns innerhalb von 30 Tagen nach der Zustellung Ihre Bestellnummer "
                "und die Artikel, die Sie zurückgeben möchten. Wir nennen Ihnen dann die "
                "Rücksendeadresse, denn die Artikel gehen an den Händler zurück, der sie "
                "verschickt hat. Die Erstattung erfolgt, sobald die Rücksendung beim Händler "
                "eingegangen ist."
            ),
        ),
        "fr": (
            "Comment renvoyer un article ?",
            (
                "Contactez-nous dans les 30 jours suivant la livraison en indiquant votre numéro "
                "de commande et les articles à retourner. Nous vous indiquerons l'adresse de "
                "retour, car les articles sont renvoyés au marchand qui les a expédiés. Le "
                "remboursement est effectué dès que le marchand a reçu le retour."
            ),
        ),
        "es": (
            "¿Cómo devuelvo un artículo?",
            (
                "Escríbenos en un plazo de 30 días desde la entrega con tu número de pedido y los "
                "artículos que quieres devolver. Te indicaremos adónde enviarlos, ya que cada "
                "artículo vuelve al vendedor que lo envió. El reembolso se emite en cuanto el "
                "vendedor recibe la devolución."
            ),
        ),
        "ja": (
            "返品の方法を教えてください。",
            (
                "商品到着から30日以内に、注文番号と返品したい商品をお知らせください。商品は発送元の"
                "ショップへ返送していただくため、返送先をご案内します。ショップが返品を受け取り次第"
                "、返金手続きを行います。"
            ),
        ),
        "zh": (
            "怎么退货？",
            (
                "请在签收后30天内联系我们，并提供订单号和要退回的商品。商品需退回给发货的商家，我们"
                "会告诉您退货地址。商家收到退货后，我们会为您办理退款。"
            ),
        ),
    },
    "returns.partial": {
        "en": (
            "Can I return just one item from my order?",
            (
                "Yes. You can return any item on its own and we refund that item's price; the rest "
                "of your order is not affected."
            ),
        ),
        "de": (
            "Kann ich auch nur einen Artikel aus meiner Bestellung zurückgeben?",
            (
                "Ja. Sie können jeden Artikel einzeln zurückgeben und erhalten den Preis dieses "
                "Artikels erstattet; der Rest Ihrer Bestellung bleibt davon unberührt."
            ),
        ),
        "fr": (
            "Puis-je retourner un seul article de ma commande ?",
            (
                "Oui. Vous pouvez retourner n'importe quel article séparément : nous vous "
                "remboursons son prix, et le reste de votre commande n'est pas concerné."
            ),
        ),
        "es": (
            "¿Puedo devolver solo un artículo de mi pedido?",
            (
                "Sí. Puedes devolver cualquier artículo por separado y te reembolsamos su precio; "
                "el resto del pedido no se ve afectado."
            ),
        ),
        "ja": (
            "注文の中の1点だけ返品できますか？",
            (
                "はい、商品は1点ずつ返品いただけます。返品した商品の代金を返金し、ご注文のほかの商"
                "品はそのままお使いいただけます。"
            ),
        ),
        "zh": (
            "可以只退订单里的一件商品吗？",
            "可以。任何商品都可以单独退货，我们会退还该商品的价款，订单中的其他商品不受影响。",
        ),
    },
    "returns.refund_time": {
        "en": (
            "When will I get my money back?",
            (
                "Refunds go back to the card you paid with. Once we have issued the refund, it "
                "usually shows on your card statement within 5-10 business days, depending on your "
                "bank."
            ),
        ),
        "de": (
            "Wann bekomme ich mein Geld zurück?",
            (
                "Wir erstatten den Betrag auf die Karte, mit der Sie bezahlt haben. Nach der "
                "Erstattung erscheint er je nach Bank in der Regel innerhalb von 5 bis 10 "
                "Werktagen auf Ihrer Kartenabrechnung."
            ),
        ),
        "fr": (
            "Quand serai-je remboursé ?",
            (
                "Le remboursement est effectué sur la carte utilisée pour le paiement. Une fois le "
                "remboursement émis, il apparaît généralement sur votre relevé sous 5 à 10 jours "
                "ouvrés, selon votre banque."
            ),
        ),
        "es": (
            "¿Cuándo recibiré mi reembolso?",
            (
                "El reembolso se hace en la tarjeta con la que pagaste. Una vez emitido, suele "
                "aparecer en tu extracto en un plazo de 5 a 10 días hábiles, según tu banco."
            ),
        ),
        "ja": (
            "返金はいつ受けられますか？",
            (
                "返金はお支払いに使用されたカードに対して行います。返金手続き後、カードの明細に反映"
                "されるまで通常5〜10営業日かかります（カード会社により異なります）。"
            ),
        ),
        "zh": (
            "退款多久能到账？",
            (
                "退款将原路退回您付款时使用的银行卡。退款办理后，通常会在5-10个工作日内到账，具体时"
                "间取决于您的发卡银行。"
            ),
        ),
    },
    "customs.eu_threshold": {
        "en": (
            "I live in the EU. Will I have to pay customs or VAT when my parcel arrives?",
            (
                "Not if the goods in the parcel are worth €150 or less: VAT is included in what "
                "you pay at checkout (IOSS) and there is no customs duty. Above €150, no VAT is "
                "charged at checkout; the carrier collects customs duty and import VAT from you on "
                "delivery. The checkout shows an estimate of any amount due on delivery."
            ),
        ),
        "de": (
            (
                "Ich wohne in der EU. Muss ich bei der Zustellung Zoll oder Einfuhrumsatzsteuer "
                "zahlen?"
            ),
            (
                "Nicht, wenn die Waren im Paket höchstens 150 € wert sind: Dann ist die "
                "Mehrwertsteuer bereits im Betrag an der Kasse enthalten (IOSS), und es fällt kein "
                "Zoll an. Bei einem Warenwert über 150 € wird an der Kasse keine Mehrwertsteuer "
                "berechnet; Zoll und Einfuhrumsatzsteuer zahlen Sie bei der Zustellung an den "
                "Zusteller. An der Kasse sehen Sie vorab, welcher Betrag voraussichtlich bei der "
                "Zustellung fällig wird."
            ),
        ),
        "fr": (
            (
                "J'habite dans l'UE. Aurai-je des droits de douane ou de la TVA à payer à la "
                "livraison ?"
            ),
            (
                "Non, si les articles du colis valent 150 € ou moins : la TVA est incluse dans le "
                "montant payé à la commande (guichet unique IOSS) et il n'y a pas de droits de "
                "douane. Au-delà de 150 €, aucune TVA n'est facturée à la commande ; le "
                "transporteur vous réclame les droits de douane et la TVA à l'importation à la "
                "livraison. La page de paiement indique une estimation du montant dû à la "
                "livraison."
            ),
        ),
        "es": (
            "Vivo en la UE. ¿Tendré que pagar aduana o IVA cuando llegue el paquete?",
            (
                "No, si los artículos del paquete valen 150 € o menos: el IVA va incluido en lo "
                "que pagas al hacer el pedido (IOSS) y no hay aranceles. Por encima de 150 €, no "
                "se cobra IVA al hacer el pedido; el transportista te cobrará los aranceles y el "
                "IVA de importación en la entrega. En la pantalla de pago verás una estimación de "
                "lo que tendrás que pagar en la entrega."
            ),
        ),
        "ja": (
            "EU在住です。荷物の受け取り時に関税や付加価値税（VAT）を支払う必要はありますか？",
            (
                "荷物の商品価格が150ユーロ以下であれば、VATはご注文時のお支払いに含まれており（IOSS"
                "）、関税もかかりません。150ユーロを超える場合はご注文時にVATは請求されず、配達時に"
                "配送業者が関税と輸入VATを徴収します。配達時に支払う金額の目安は、購入手続き画面に"
                "表示されます。"
            ),
        ),
        "zh": (
            "我住在欧盟，收包裹时需要缴纳关税或增值税吗？",
            (
                "如果包裹内商品价值不超过150欧元，则不需要：增值税已包含在结算时支付的金额中（IOSS"
                "），且无需缴纳关税。超过150欧元时，结算时不收取增值税，关税和进口增值税由承运商在"
                "派送时向您收取。结算页面会显示派送时预计需支付的金额。"
            ),
        ),
    },
    "customs.uk_threshold": {
        "en": (
            "I'm in the UK. Will I pay import VAT or duty on delivery?",
            (
                "For parcels with goods worth £135 or less, UK VAT is charged at checkout and "
                "there is no customs duty, so nothing is due on delivery. Above £135, no VAT is "
                "charged at checkout; the carrier collects import VAT and any customs duty before "
                "handing over the parcel."
            ),
        ),
        "de": (
            (
                "Ich wohne im Vereinigten Königreich. Muss ich bei der Zustellung "
                "Einfuhrumsatzsteuer oder Zoll zahlen?"
            ),
            (
                "Bei Paketen mit einem Warenwert bis einschließlich 135 Pfund wird die britische "
                "Mehrwertsteuer an der Kasse berechnet und es fällt kein Zoll an, bei der "
                "Zustellung ist also nichts zu zahlen. Über 135 Pfund wird an der Kasse keine "
                "Mehrwertsteuer berechnet; der Zusteller erhebt die Einfuhrumsatzsteuer und "
                "gegebenenfalls Zoll, bevor er das Paket übergibt."
            ),
        ),
        "fr": (
            (
                "J'habite au Royaume-Uni. Aurai-je de la TVA ou des droits de douane à payer à la "
                "livraison ?"
            ),
            (
                "Pour un colis dont les articles valent 135 £ ou moins, la TVA britannique est "
                "facturée à la commande et il n'y a pas de droits de douane : rien n'est à payer à "
                "la livraison. Au-delà de 135 £, aucune TVA n'est facturée à la commande ; le "
                "transporteur perçoit la TVA à l'importation et les éventuels droits de douane "
                "avant de vous remettre le colis."
            ),
        ),
        "es": (
            (
                "Vivo en el Reino Unido. ¿Tendré que pagar IVA de importación o aranceles en la "
                "entrega?"
            ),
            (
                "En los paquetes con artículos de 135 £ o menos, el IVA británico se cobra al "
                "hacer el pedido y no hay aranceles, así que no pagas nada en la entrega. Por "
                "encima de 135 £, no se cobra IVA al hacer el pedido; el transportista cobra el "
                "IVA de importación y los aranceles que correspondan antes de entregarte el "
                "paquete."
            ),
        ),
        "ja": (
            "イギリス在住です。配達時に輸入VATや関税を支払う必要はありますか？",
            (
                "商品価格が135ポンド以下の荷物は、英国のVATをご注文時にお支払いいただき、関税はかか"
                "らないため、配達時のお支払いはありません。135ポンドを超える場合はご注文時にVATは請"
                "求されず、荷物のお渡し前に配送業者が輸入VATと関税（該当する場合）を徴収します。"
            ),
        ),
        "zh": (
            "我在英国，收货时需要缴纳进口增值税或关税吗？",
            (
                "包裹内商品价值不超过135英镑时，英国增值税在结算时收取，且无需缴纳关税，因此收货时"
                "无需付款。超过135英镑时，结算时不收取增值税，承运商会在交付包裹前向您收取进口增值"
                "税及可能产生的关税。"
            ),
        ),
    },
    "customs.us_duty": {
        "en": (
            "Do I pay customs duty on parcels shipped to the US from abroad?",
            (
                "Yes. Since 29 August 2025 there is no duty-free de minimis allowance for imports "
                "into the US, so even small parcels owe duty. We charge the duty and your state's "
                "sales tax at checkout, so there is nothing to pay on delivery."
            ),
        ),
        "de": (
            "Muss ich für Pakete aus dem Ausland in die USA Zoll zahlen?",
            (
                "Ja. Seit dem 29. August 2025 gibt es bei der Einfuhr in die USA keine "
                "Zollfreigrenze (De-minimis-Regel) mehr, auch kleine Pakete sind also "
                "zollpflichtig. Wir berechnen den Zoll und die Sales Tax Ihres Bundesstaats an der "
                "Kasse, bei der Zustellung ist nichts mehr zu zahlen."
            ),
        ),
        "fr": (
            (
                "Dois-je payer des droits de douane sur un colis envoyé aux États-Unis depuis "
                "l'étranger ?"
            ),
            (
                "Oui. Depuis le 29 août 2025, les États-Unis n'accordent plus de franchise de "
                "droits (de minimis) à l'importation : même les petits colis sont soumis aux "
                "droits de douane. Nous facturons les droits et la taxe de vente (sales tax) de "
                "votre État lors de la commande ; il n'y a donc rien à payer à la livraison."
            ),
        ),
        "es": (
            "¿Pago aranceles por los paquetes que llegan a Estados Unidos desde el extranjero?",
            (
                "Sí. Desde el 29 de agosto de 2025, Estados Unidos ya no aplica la franquicia de "
                "minimis a las importaciones, así que incluso los paquetes pequeños pagan "
                "aranceles. Cobramos los aranceles y el impuesto sobre las ventas (sales tax) de "
                "tu estado al hacer el pedido, así que no tendrás que pagar nada en la entrega."
            ),
        ),
        "ja": (
            "海外からアメリカに届く荷物に関税はかかりますか？",
            (
                "はい。2025年8月29日以降、アメリカでは少額輸入品の免税制度（デミニミス）が適用され"
                "なくなったため、小さな荷物にも関税がかかります。関税とお住まいの州の売上税はご注文"
                "時にお支払いいただくため、配達時のお支払いはありません。"
            ),
        ),
        "zh": (
            "从海外寄往美国的包裹需要交关税吗？",
            (
                "需要。自2025年8月29日起，美国取消了进口小额免税政策（de minimis），即使是小包裹也"
                "需缴纳关税。关税和您所在州的销售税会在结算时一并收取，收货时无需再付款。"
            ),
        ),
    },
    "customs.japan_threshold": {
        "en": (
            "Will I pay customs duty or consumption tax on a parcel to Japan?",
            (
                "If the goods in a parcel are worth ¥10,000 or less, there is no customs duty or "
                "import consumption tax. Above ¥10,000, the carrier collects customs duty and 10% "
                "consumption tax when it delivers the parcel; the checkout shows an estimate of "
                "the amount."
            ),
        ),
        "de": (
            "Fallen für ein Paket nach Japan Zoll oder Verbrauchsteuer an?",
            (
                "Bei einem Warenwert bis einschließlich 10.000 Yen pro Paket fallen weder Zoll "
                "noch Einfuhr-Verbrauchsteuer an. Darüber erhebt der Zusteller bei der Zustellung "
                "Zoll und 10 % japanische Verbrauchsteuer; an der Kasse sehen Sie vorab eine "
                "Schätzung des Betrags."
            ),
        ),
        "fr": (
            (
                "Aurai-je des droits de douane ou une taxe à la consommation à payer pour un colis "
                "envoyé au Japon ?"
            ),
            (
                "Si les articles d'un colis valent 10 000 yens ou moins, il n'y a ni droits de "
                "douane ni taxe à la consommation à l'importation. Au-delà de 10 000 yens, le "
                "transporteur perçoit les droits de douane et la taxe à la consommation de 10 % à "
                "la livraison ; la page de paiement en indique une estimation."
            ),
        ),
        "es": (
            "¿Pagaré aranceles o impuesto al consumo por un paquete enviado a Japón?",
            (
                "Si los artículos de un paquete valen 10.000 yenes o menos, no hay aranceles ni "
                "impuesto al consumo de importación. Por encima de 10.000 yenes, el transportista "
                "cobra los aranceles y el 10 % de impuesto al consumo en la entrega; en la "
                "pantalla de pago verás una estimación del importe."
            ),
        ),
        "ja": (
            "日本宛ての荷物に関税や消費税はかかりますか？",
            (
                "1つの荷物の商品価格が1万円以下であれば、関税も輸入消費税もかかりません。1万円を超"
                "える場合は、配達時に配送業者が関税と消費税（10%）を徴収します。金額の目安は購入手"
                "続き画面に表示されます。"
            ),
        ),
        "zh": (
            "寄往日本的包裹需要缴纳关税或消费税吗？",
            (
                "单个包裹内商品价值不超过1万日元的，无需缴纳关税和进口消费税。超过1万日元的，承运商"
                "会在派送时收取关税和10%的消费税，结算页面会显示预计金额。"
            ),
        ),
    },
    "customs.china": {
        "en": (
            "Will I pay import duty or tax on parcels to mainland China?",
            (
                "If import duty or tax is due on a parcel, the carrier collects it on delivery; no "
                "customs charges are taken at checkout. The checkout shows, for each parcel, an "
                "estimate of any amount due on delivery."
            ),
        ),
        "de": (
            "Fallen für Pakete nach Festlandchina Einfuhrabgaben an?",
            (
                "Wenn für ein Paket Zoll oder Einfuhrsteuern fällig werden, erhebt sie der "
                "Zusteller bei der Zustellung; an der Kasse werden keine Einfuhrabgaben berechnet. "
                "An der Kasse sehen Sie für jedes Paket eine Schätzung des Betrags, der bei der "
                "Zustellung fällig werden kann."
            ),
        ),
        "fr": (
            (
                "Aurai-je des droits ou des taxes d'importation à payer pour un colis envoyé en "
                "Chine continentale ?"
            ),
            (
                "Si des droits ou des taxes d'importation sont dus sur un colis, le transporteur "
                "les perçoit à la livraison ; aucun frais de douane n'est facturé à la commande. "
                "La page de paiement indique, pour chaque colis, une estimation du montant "
                "éventuellement dû à la livraison."
            ),
        ),
        "es": (
            "¿Pagaré aranceles o impuestos de importación por los paquetes a China continental?",
            (
                "Si un paquete debe aranceles o impuestos de importación, el transportista los "
                "cobra en la entrega; al hacer el pedido no se cobra nada por aduana. En la "
                "pantalla de pago verás, para cada paquete, una estimación de lo que podrías tener "
                "que pagar en la entrega."
            ),
        ),
        "ja": (
            "中国本土宛ての荷物に関税や輸入税はかかりますか？",
            (
                "荷物に関税や輸入税がかかる場合は、配達時に配送業者が徴収します。ご注文時に関税など"
                "を請求することはありません。配達時に支払う可能性のある金額の目安は、荷物ごとに購入"
                "手続き画面に表示されます。"
            ),
        ),
        "zh": (
            "寄往中国大陆的包裹需要缴纳进口关税或税费吗？",
            (
                "如包裹需缴纳关税或进口环节税，将由承运商在派送时向您收取，结算时不收取关税和进口税"
                "。结算页面会为每个包裹显示派送时可能需支付的预估金额。"
            ),
        ),
    },
    "customs.per_parcel": {
        "en": (
            "Does the customs threshold apply to my whole order or to each parcel?",
            (
                "To each parcel: every merchant's parcel is assessed on its own, on the value of "
                "the goods in it, shipping not included. For example, two €100 parcels from two "
                "merchants are both under the EU's €150 threshold. A parcel from a merchant inside "
                "your own customs territory, such as a German shop delivering to France, does not "
                "go through customs at all."
            ),
        ),
        "de": (
            "Gilt die Zollfreigrenze für meine ganze Bestellung oder für jedes Paket?",
            (
                "Für jedes Paket: Das Paket jedes Händlers wird für sich betrachtet, nach dem Wert "
                "der Waren darin, ohne Versandkosten. Zwei Pakete zu je 100 € von zwei Händlern "
                "liegen also beide unter der EU-Grenze von 150 €. Ein Paket von einem Händler aus "
                "Ihrem eigenen Zollgebiet, etwa von einem deutschen Shop nach Frankreich, geht gar "
                "nicht durch den Zoll."
            ),
        ),
        "fr": (
            "Le seuil de douane s'applique-t-il à toute ma commande ou à chaque colis ?",
            (
                "À chaque colis : le colis de chaque marchand est évalué séparément, sur la valeur "
                "des articles qu'il contient, hors frais de livraison. Par exemple, deux colis de "
                "100 € envoyés par deux marchands sont tous deux sous le seuil européen de 150 €. "
                "Un colis expédié depuis votre propre territoire douanier, par exemple par une "
                "boutique allemande vers la France, ne passe pas du tout par la douane."
            ),
        ),
        "es": (
            "¿El límite de aduana se aplica a todo el pedido o a cada paquete?",
            (
                "A cada paquete: el paquete de cada vendedor se valora por separado, según el "
                "valor de los artículos que contiene, sin contar el envío. Por ejemplo, dos "
                "paquetes de 100 € de dos vendedores están ambos por debajo del límite de 150 € de "
                "la UE. Un paquete de un vendedor de tu mismo territorio aduanero, como una tienda "
                "alemana que envía a Francia, no pasa por aduana."
            ),
        ),
        "ja": (
            "免税の基準額は注文全体と荷物ごと、どちらに適用されますか？",
            (
                "荷物ごとに適用されます。各ショップの荷物は、送料を除いた中身の商品価格でそれぞれ判"
                "定されます。たとえば、EU宛てに2つのショップから100ユーロずつの荷物が届く場合、どち"
                "らも150ユーロの基準額以下です。同じ関税地域内のショップから届く荷物（ドイツのショ"
                "ップからフランスへの発送など）は、通関の対象になりません。"
            ),
        ),
        "zh": (
            "免税额度是按整个订单算，还是按每个包裹算？",
            (
                "按每个包裹计算：每个商家的包裹单独判定，依据的是包裹内商品的价值，不含运费。例如，"
                "两个商家各寄出一个100欧元的包裹，两个包裹都低于欧盟150欧元的门槛。来自同一关境内商"
                "家的包裹（例如德国店铺发往法国）则完全无需清关。"
            ),
        ),
    },
    "payments.methods": {
        "en": (
            "How can I pay?",
            (
                "You pay by credit or debit card, in your market's currency. At checkout we "
                "authorise the amount due now on your card; any charges the carrier collects on "
                "delivery are paid to the carrier, not to us."
            ),
        ),
        "de": (
            "Wie kann ich bezahlen?",
            (
                "Sie bezahlen mit Kredit- oder Debitkarte in der Währung Ihres Marktes. An der "
                "Kasse autorisieren wir den sofort fälligen Betrag auf Ihrer Karte; Abgaben, die "
                "der Zusteller bei der Zustellung erhebt, zahlen Sie direkt an ihn, nicht an uns."
            ),
        ),
        "fr": (
            "Quels sont les moyens de paiement ?",
            (
                "Vous payez par carte de crédit ou de débit, dans la devise de votre marché. Lors "
                "de la commande, nous demandons une autorisation sur votre carte pour le montant "
                "dû immédiatement ; les sommes éventuellement perçues par le transporteur à la "
                "livraison lui sont payées directement."
            ),
        ),
        "es": (
            "¿Cómo puedo pagar?",
            (
                "Pagas con tarjeta de crédito o débito, en la moneda de tu mercado. Al hacer el "
                "pedido autorizamos en tu tarjeta el importe que se paga en ese momento; lo que "
                "cobre el transportista en la entrega se le paga directamente a él."
            ),
        ),
        "ja": (
            "支払い方法は何がありますか？",
            (
                "クレジットカードまたはデビットカードで、ご利用のストアの通貨でお支払いいただけます"
                "。ご注文時に、その時点でお支払いいただく金額についてカードのオーソリ（与信確保）を"
                "行います。配達時に配送業者が徴収する税金などは、配送業者に直接お支払いください。"
            ),
        ),
        "zh": (
            "可以用什么方式付款？",
            (
                "您可以使用信用卡或借记卡，以所在市场的货币付款。结算时，我们会在您的卡上预授权当时"
                "应付的金额；派送时由承运商收取的税费，请直接支付给承运商。"
            ),
        ),
    },
    "payments.when_charged": {
        "en": (
            "When will my card be charged?",
            (
                "At checkout the amount is authorised on your card. Most orders are charged "
                "straight away; some are held for a review first and charged once they are "
                "confirmed. An authorisation lasts 7 days: an order that is not confirmed by then "
                "is cancelled and you are not charged."
            ),
        ),
        "de": (
            "Wann wird meine Karte belastet?",
            (
                "An der Kasse wird der Betrag auf Ihrer Karte autorisiert. Die meisten "
                "Bestellungen werden sofort belastet; manche werden zuerst geprüft und erst nach "
                "der Bestätigung belastet. Eine Autorisierung gilt 7 Tage: Ist eine Bestellung bis "
                "dahin nicht bestätigt, wird sie storniert und Ihnen wird nichts berechnet."
            ),
        ),
        "fr": (
            "Quand ma carte sera-t-elle débitée ?",
            (
                "Lors de la commande, le montant est autorisé sur votre carte. La plupart des "
                "commandes sont débitées immédiatement ; certaines font d'abord l'objet d'une "
                "vérification et sont débitées une fois confirmées. Une autorisation est valable 7 "
                "jours : une commande qui n'est pas confirmée dans ce délai est annulée et vous "
                "n'êtes pas débité."
            ),
        ),
        "es": (
            "¿Cuándo se cobra el importe en mi tarjeta?",
            (
                "Al hacer el pedido se autoriza el importe en tu tarjeta. La mayoría de los "
                "pedidos se cobran en el momento; algunos pasan antes por una revisión y se cobran "
                "cuando se confirman. Una autorización dura 7 días: si un pedido no se confirma en "
                "ese plazo, se cancela y no se te cobra nada."
            ),
        ),
        "ja": (
            "カードへの請求はいつですか？",
            (
                "ご注文時に、カードで金額のオーソリ（与信確保）を行います。ほとんどのご注文はすぐに"
                "請求が確定しますが、一部のご注文は確認を経てから確定します。オーソリの有効期間は7"
                "日間で、それまでに確定しなかったご注文はキャンセルとなり、請求は発生しません。"
            ),
        ),
        "zh": (
            "什么时候从我的卡上扣款？",
            (
                "结算时，我们会在您的卡上预授权相应金额。大多数订单会立即扣款；部分订单需要先经过审"
                "核，确认后再扣款。预授权有效期为7天：如果订单在此期间未获确认，将被取消，您不会被"
                "扣款。"
            ),
        ),
    },
    "payments.declined": {
        "en": (
            "My payment was declined. What should I do?",
            (
                "When a card is declined, no order is placed and nothing is reserved or charged. "
                "Check the card details or ask your bank, then try again or use another card."
            ),
        ),
        "de": (
            "Meine Zahlung wurde abgelehnt. Was kann ich tun?",
            (
                "Wird eine Karte abgelehnt, kommt keine Bestellung zustande, und es wird nichts "
                "reserviert oder belastet. Prüfen Sie die Kartendaten oder fragen Sie bei Ihrer "
                "Bank nach, und versuchen Sie es dann erneut oder mit einer anderen Karte."
            ),
        ),
        "fr": (
            "Mon paiement a été refusé. Que faire ?",
            (
                "Lorsqu'une carte est refusée, aucune commande n'est passée et rien n'est réservé "
                "ni débité. Vérifiez les informations de la carte ou contactez votre banque, puis "
                "réessayez ou utilisez une autre carte."
            ),
        ),
        "es": (
            "Me han rechazado el pago. ¿Qué hago?",
            (
                "Si se rechaza la tarjeta, no se crea ningún pedido y no se reserva ni se cobra "
                "nada. Revisa los datos de la tarjeta o consulta con tu banco, y vuelve a "
                "intentarlo o usa otra tarjeta."
            ),
        ),
        "ja": (
            "カード決済が承認されませんでした。どうすればいいですか？",
            (
                "カードが承認されなかった場合、ご注文は成立せず、商品の確保や請求も行われません。カ"
                "ード情報をご確認いただくかカード会社にお問い合わせのうえ、もう一度お試しいただくか"
                "、別のカードをご利用ください。"
            ),
        ),
        "zh": (
            "付款被拒了，怎么办？",
            (
                "银行卡被拒时，订单不会生成，也不会为您保留商品或扣款。请核对卡片信息或联系发卡银行"
                "，然后重试或换一张卡支付。"
            ),
        ),
    },
    "payments.prices_tax": {
        "en": (
            "Do prices include tax?",
            (
                "In the UK, EU (Germany, Austria, France, Spain) and Japan stores, product prices "
                "are shown with VAT or consumption tax at the standard rate included. In the US "
                "store, prices are shown before sales tax, which is added at checkout for your "
                "state. The checkout then shows exactly what you pay now and anything the carrier "
                "will collect on delivery."
            ),
        ),
        "de": (
            "Sind die Preise inklusive Steuern?",
            (
                "In den Shops für das Vereinigte Königreich, die EU (Deutschland, Österreich, "
                "Frankreich, Spanien) und Japan werden Preise inklusive Mehrwert- bzw. "
                "Verbrauchsteuer zum Regelsatz angezeigt. Im US-Shop sind die Preise ohne Sales "
                "Tax angegeben; diese wird an der Kasse für Ihren Bundesstaat hinzugerechnet. An "
                "der Kasse sehen Sie dann genau, was Sie jetzt bezahlen und was der Zusteller "
                "gegebenenfalls bei der Zustellung erhebt."
            ),
        ),
        "fr": (
            "Les prix sont-ils TTC ?",
            (
                "Dans les boutiques Royaume-Uni, UE (Allemagne, Autriche, France, Espagne) et "
                "Japon, les prix sont affichés TVA ou taxe à la consommation comprise, au taux "
                "normal. Dans la boutique États-Unis, ils sont affichés hors taxe de vente (sales "
                "tax), ajoutée lors de la commande selon votre État. La page de paiement indique "
                "ensuite précisément ce que vous payez maintenant et ce que le transporteur "
                "percevra éventuellement à la livraison."
            ),
        ),
        "es": (
            "¿Los precios incluyen impuestos?",
            (
                "En las tiendas del Reino Unido, la UE (Alemania, Austria, Francia, España) y "
                "Japón, los precios se muestran con el IVA o el impuesto al consumo incluido, al "
                "tipo general. En la tienda de Estados Unidos se muestran sin el impuesto sobre "
                "las ventas (sales tax), que se añade al hacer el pedido según tu estado. La "
                "pantalla de pago te muestra después exactamente lo que pagas ahora y lo que, en "
                "su caso, cobrará el transportista en la entrega."
            ),
        ),
        "ja": (
            "表示価格は税込みですか？",
            (
                "イギリス、EU（ドイツ、オーストリア、フランス、スペイン）、日本のストアでは、標準税"
                "率のVATまたは消費税を含む税込価格で表示しています。アメリカのストアでは売上税を含"
                "まない価格で表示し、お住まいの州の売上税をご注文時に加算します。今お支払いいただく"
                "金額と、配達時に配送業者が徴収する金額（ある場合）は、購入手続き画面で正確に確認で"
                "きます。"
            ),
        ),
        "zh": (
            "商品价格含税吗？",
            (
                "在英国、欧盟（德国、奥地利、法国、西班牙）和日本站点，商品价格已按标准税率包含增值"
                "税或消费税。在美国站点，价格不含销售税，销售税会在结算时按您所在的州加收。结算页面"
                "会准确显示当前需支付的金额，以及派送时承运商可能收取的金额。"
            ),
        ),
    },
    "orders.cancel": {
        "en": (
            "Can I cancel my order?",
            (
                "Yes, as long as it has not shipped yet. If the amount was only authorised on your "
                "card, the authorisation is released and you are not charged; if it was already "
                "charged, we refund the full amount to your card (allow 5-10 business days). Once "
                "a parcel has shipped, you can return it within 30 days of delivery instead."
            ),
        ),
        "de": (
            "Kann ich meine Bestellung stornieren?",
            (
                "Ja, solange sie noch nicht versandt wurde. Wurde der Betrag auf Ihrer Karte nur "
                "autorisiert, wird die Autorisierung aufgehoben und Ihnen nichts berechnet; wurde "
                "er bereits belastet, erstatten wir den vollen Betrag auf Ihre Karte (Gutschrift "
                "in 5 bis 10 Werktagen). Ist ein Paket schon unterwegs, können Sie es stattdessen "
                "innerhalb von 30 Tagen nach der Zustellung zurückgeben."
            ),
        ),
        "fr": (
            "Puis-je annuler ma commande ?",
            (
                "Oui, tant qu'elle n'a pas été expédiée. Si le montant a seulement été autorisé "
                "sur votre carte, l'autorisation est levée et vous n'êtes pas débité ; s'il a déjà "
                "été débité, nous vous remboursons intégralement sur votre carte (comptez 5 à 10 "
                "jours ouvrés). Une fois un colis expédié, vous pouvez le retourner dans les 30 "
                "jours suivant la livraison."
            ),
        ),
        "es": (
            "¿Puedo cancelar mi pedido?",
            (
                "Sí, mientras no se haya enviado. Si el importe solo estaba autorizado en tu "
                "tarjeta, se anula la autorización y no se te cobra nada; si ya se había cobrado, "
                "te reembolsamos el importe completo en la tarjeta (de 5 a 10 días hábiles). Si un "
                "paquete ya se ha enviado, puedes devolverlo en un plazo de 30 días desde la "
                "entrega."
            ),
        ),
        "ja": (
            "注文をキャンセルできますか？",
            (
                "はい、発送前であればキャンセルできます。カードのオーソリ（与信確保）のみの段階では"
                "オーソリを取り消すため、請求は発生しません。すでに請求が確定している場合は、全額を"
                "カードに返金します（反映まで5〜10営業日）。発送済みの荷物は、到着から30日以内であ"
                "れば返品いただけます。"
            ),
        ),
        "zh": (
            "可以取消订单吗？",
            (
                "可以，只要订单尚未发货。如果您的卡只做了预授权，我们会撤销预授权，不会扣款；如果已"
                "经扣款，我们会将全款退回您的卡（5-10个工作日到账）。已经发出的包裹，可在签收后30天"
                "内退货。"
            ),
        ),
    },
    "orders.tracking": {
        "en": (
            "Where can I find my tracking number?",
            (
                "Each parcel gets a tracking number as soon as its merchant ships it, and you'll "
                "find it on your order page. If your order includes items from several merchants, "
                "each parcel has its own tracking number and may ship on a different day."
            ),
        ),
        "de": (
            "Wo finde ich meine Sendungsnummer?",
            (
                "Jedes Paket erhält eine Sendungsnummer, sobald der Händler es verschickt; Sie "
                "finden sie auf der Seite Ihrer Bestellung. Enthält Ihre Bestellung Artikel "
                "mehrerer Händler, hat jedes Paket seine eigene Sendungsnummer und kann an einem "
                "anderen Tag verschickt werden."
            ),
        ),
        "fr": (
            "Où trouver mon numéro de suivi ?",
            (
                "Chaque colis reçoit un numéro de suivi dès que son marchand l'expédie ; vous le "
                "trouverez sur la page de votre commande. Si votre commande comprend des articles "
                "de plusieurs marchands, chaque colis a son propre numéro de suivi et peut partir "
                "un jour différent."
            ),
        ),
        "es": (
            "¿Dónde encuentro el número de seguimiento?",
            (
                "Cada paquete recibe un número de seguimiento en cuanto su vendedor lo envía, y lo "
                "encontrarás en la página de tu pedido. Si tu pedido incluye artículos de varios "
                "vendedores, cada paquete tiene su propio número de seguimiento y puede salir en "
                "un día distinto."
            ),
        ),
        "ja": (
            "追跡番号はどこで確認できますか？",
            (
                "追跡番号は、ショップが荷物を発送した時点で荷物ごとに発行され、注文詳細ページでご確"
                "認いただけます。複数のショップの商品を含むご注文では、荷物ごとに追跡番号が異なり、"
                "発送日も異なる場合があります。"
            ),
        ),
        "zh": (
            "在哪里查看物流单号？",
            (
                "每个包裹在商家发货后即生成物流单号，您可以在订单详情页查看。如果订单包含多个商家的"
                "商品，每个包裹都有各自的物流单号，发货日期也可能不同。"
            ),
        ),
    },
    "orders.on_hold": {
        "en": (
            "Why is my order on hold?",
            (
                "Some orders are reviewed before we confirm them. While an order is on hold, the "
                "amount is only authorised on your card, not charged. We then either confirm the "
                "order and charge your card, or cancel it and release the authorisation; as an "
                "authorisation expires after 7 days, you are never charged for an order we don't "
                "confirm."
            ),
        ),
        "de": (
            "Warum wird meine Bestellung noch geprüft?",
            (
                "Manche Bestellungen prüfen wir, bevor wir sie bestätigen. Solange eine Bestellung "
                "in Prüfung ist, ist der Betrag auf Ihrer Karte nur autorisiert, nicht belastet. "
                "Danach bestätigen wir die Bestellung und belasten Ihre Karte, oder wir stornieren "
                "sie und geben die Autorisierung frei; da eine Autorisierung nach 7 Tagen "
                "verfällt, wird Ihnen eine nicht bestätigte Bestellung nie berechnet."
            ),
        ),
        "fr": (
            "Pourquoi ma commande est-elle en attente ?",
            (
                "Certaines commandes sont vérifiées avant d'être confirmées. Tant qu'une commande "
                "est en attente, le montant est seulement autorisé sur votre carte, pas débité. "
                "Ensuite, soit nous confirmons la commande et débitons votre carte, soit nous "
                "l'annulons et levons l'autorisation ; comme une autorisation expire au bout de 7 "
                "jours, une commande non confirmée ne vous est jamais facturée."
            ),
        ),
        "es": (
            "¿Por qué mi pedido está en espera?",
            (
                "Algunos pedidos se revisan antes de confirmarse. Mientras un pedido está en "
                "espera, el importe solo está autorizado en tu tarjeta, no cobrado. Después, o "
                "confirmamos el pedido y cobramos la tarjeta, o lo cancelamos y anulamos la "
                "autorización; como una autorización caduca a los 7 días, nunca se te cobra un "
                "pedido que no confirmemos."
            ),
        ),
        "ja": (
            "注文が「保留中」になっているのはなぜですか？",
            (
                "一部のご注文は、確定前に確認を行っています。保留中は、金額をカードでオーソリ（与信"
                "確保）しているだけで、請求は確定していません。確認後、ご注文を確定してカードに請求"
                "するか、キャンセルしてオーソリを取り消します。オーソリは7日で失効するため、確定し"
                "なかったご注文が請求されることはありません。"
            ),
        ),
        "zh": (
            "为什么我的订单处于待审核状态？",
            (
                "部分订单在确认前需要审核。订单待审核期间，相应金额只是在您的卡上预授权，并未扣款。"
                "审核后，我们会确认订单并扣款，或取消订单并撤销预授权；由于预授权7天后即失效，未确"
                "认的订单绝不会向您扣款。"
            ),
        ),
    },
    "orders.partial_delivery": {
        "en": (
            "Only part of my order has arrived. Where is the rest?",
            (
                "Items from different merchants travel in separate parcels, which can ship and "
                "arrive on different days. Your order page shows which parcels have shipped, each "
                "with its own tracking number; the order is marked as shipped once every merchant "
                "has sent its parcel."
            ),
        ),
        "de": (
            "Es ist nur ein Teil meiner Bestellung angekommen. Wo ist der Rest?",
            (
                "Artikel verschiedener Händler reisen in getrennten Paketen, die an "
                "unterschiedlichen Tagen verschickt werden und ankommen können. Auf der Seite "
                "Ihrer Bestellung sehen Sie, welche Pakete bereits verschickt wurden, jedes mit "
                "eigener Sendungsnummer; als versandt gilt die Bestellung, sobald alle Händler ihr "
                "Paket abgeschickt haben."
            ),
        ),
        "fr": (
            "Je n'ai reçu qu'une partie de ma commande. Où est le reste ?",
            (
                "Les articles de marchands différents voyagent dans des colis séparés, qui peuvent "
                "partir et arriver à des jours différents. La page de votre commande indique les "
                "colis déjà expédiés, chacun avec son numéro de suivi ; la commande passe au "
                "statut expédiée une fois que tous les marchands ont envoyé leur colis."
            ),
        ),
        "es": (
            "Solo me ha llegado una parte del pedido. ¿Dónde está el resto?",
            (
                "Los artículos de distintos vendedores viajan en paquetes separados, que pueden "
                "salir y llegar en días diferentes. En la página de tu pedido verás qué paquetes "
                "se han enviado ya, cada uno con su número de seguimiento; el pedido figura como "
                "enviado cuando todos los vendedores han enviado su paquete."
            ),
        ),
        "ja": (
            "注文の一部しか届いていません。残りはどこですか？",
            (
                "異なるショップの商品は別々の荷物で届くため、発送日や到着日が異なることがあります。"
                "注文詳細ページでは、発送済みの荷物をそれぞれの追跡番号とともに確認できます。すべて"
                "のショップが発送を終えると、ご注文は「発送済み」になります。"
            ),
        ),
        "zh": (
            "我只收到了部分商品，其余的在哪里？",
            (
                "不同商家的商品分别装在不同的包裹中，发货和送达的日期可能不同。订单详情页会显示哪些"
                "包裹已发出，以及各自的物流单号；所有商家都发货后，订单状态才会变为已发货。"
            ),
        ),
    },
}

# key -> variants (language -> (question, answer)), str.format templates with {name},
# {from_}, {days}, {units}, {months}, {email}, {hours} and {langs}.
_MERCHANT_TEMPLATES: dict[str, tuple[dict[str, tuple[str, str]], ...]] = {
    "merchant.dispatch": (
        {
            "en": (
                "How quickly does {name} ship orders?",
                (
                    "We ship {from_} and usually dispatch orders within {days}. You get a tracking "
                    "number as soon as the parcel leaves us, and the delivery estimate shown at "
                    "checkout applies from then."
                ),
            ),
            "de": (
                "Wie schnell verschickt {name} Bestellungen?",
                (
                    "Wir versenden {from_} und verschicken Bestellungen in der Regel innerhalb von "
                    "{days}. Sobald das Paket bei uns abgeht, erhalten Sie eine Sendungsnummer; ab "
                    "dann gilt die an der Kasse angezeigte Lieferzeit."
                ),
            ),
            "fr": (
                "Quel est le délai d'expédition de la boutique {name} ?",
                (
                    "Nous expédions {from_} et envoyons généralement les commandes sous {days}. "
                    "Vous recevez un numéro de suivi dès que le colis part de chez nous ; le délai "
                    "de livraison affiché lors de la commande s'applique à partir de ce moment."
                ),
            ),
            "es": (
                "¿Cuánto tarda {name} en enviar los pedidos?",
                (
                    "Enviamos {from_} y normalmente despachamos los pedidos en un plazo de {days}. "
                    "Recibirás un número de seguimiento en cuanto el paquete salga de nuestro "
                    "almacén; a partir de ese momento se aplica el plazo de entrega que viste al "
                    "pagar."
                ),
            ),
            "ja": (
                "{name}の発送までの日数を教えてください。",
                (
                    "{from_}発送しており、通常{days}に発送します。発送時に追跡番号をお知らせし、そ"
                    "こからは購入手続き画面に表示されたお届け予定日数が目安となります。"
                ),
            ),
            "zh": (
                "{name}多久发货？",
                (
                    "我们{from_}发货，通常在{days}内发出订单。包裹发出后您会收到物流单号，之后的送"
                    "达时间以结算页面显示的预计时间为准。"
                ),
            ),
        },
        {
            "en": (
                "When will {name} send my parcel?",
                (
                    "Your parcel usually leaves us within {days} of your order being confirmed, "
                    "and it ships {from_}. Items from other merchants in the same order come in "
                    "their own parcels, on their own schedule."
                ),
            ),
            "de": (
                "Wann schickt {name} mein Paket los?",
                (
                    "Ihr Paket verlässt uns in der Regel innerhalb von {days} nach Bestätigung der "
                    "Bestellung und wird {from_} verschickt. Artikel anderer Händler aus derselben "
                    "Bestellung kommen in eigenen Paketen und nach eigenem Zeitplan."
                ),
            ),
            "fr": (
                "Quand la boutique {name} expédiera-t-elle mon colis ?",
                (
                    "Comptez {days} entre la confirmation de votre commande et l'expédition de "
                    "votre colis, envoyé {from_}. Les articles d'autres marchands de la même "
                    "commande arrivent dans leurs propres colis, selon leur propre calendrier."
                ),
            ),
            "es": (
                "¿Cuándo enviará {name} mi paquete?",
                (
                    "Normalmente tu paquete sale en un plazo de {days} desde que se confirma el "
                    "pedido, y se envía {from_}. Los artículos de otros vendedores del mismo "
                    "pedido llegan en sus propios paquetes y con sus propios plazos."
                ),
            ),
            "ja": (
                "{name}の商品はいつ発送されますか？",
                (
                    "通常、ご注文の確定から{days}に{from_}発送します。同じご注文に含まれるほかのシ"
                    "ョップの商品は、別の荷物としてそれぞれの日程で届きます。"
                ),
            ),
            "zh": (
                "{name}什么时候寄出我的包裹？",
                (
                    "通常在订单确认后{days}内{from_}发出。同一订单中其他商家的商品会单独包装，按各"
                    "自的时间发货。"
                ),
            ),
        },
    ),
    "merchant.sizing": (
        {
            "en": (
                "Where do I find sizes and measurements for products from {name}?",
                (
                    "Every product page lists sizes and measurements {units}. If you are between "
                    "two sizes, we recommend the larger one."
                ),
            ),
            "de": (
                "Wo finde ich Größen und Maße der Produkte von {name}?",
                (
                    "Auf jeder Produktseite finden Sie Größen und Maße {units}. Wenn Sie zwischen "
                    "zwei Größen liegen, empfehlen wir die größere."
                ),
            ),
            "fr": (
                "Où trouver les tailles et les mesures des produits de la boutique {name} ?",
                (
                    "Chaque fiche produit indique les tailles et les mesures {units}. Si vous "
                    "hésitez entre deux tailles, nous vous conseillons la plus grande."
                ),
            ),
            "es": (
                "¿Dónde encuentro las tallas y medidas de los productos de {name}?",
                (
                    "Cada ficha de producto indica las tallas y medidas {units}. Si dudas entre "
                    "dos tallas, te recomendamos la más grande."
                ),
            ),
            "ja": (
                "{name}の商品のサイズや寸法はどこで確認できますか？",
                (
                    "各商品ページに、サイズと寸法（{units}表記）を記載しています。2つのサイズで迷わ"
                    "れた場合は、大きいほうをおすすめします。"
                ),
            ),
            "zh": (
                "在哪里查看{name}商品的尺码和尺寸？",
                (
                    "每个商品页面都标有尺码和尺寸（单位：{units}）。如果介于两个尺码之间，建议选择"
                    "大一号。"
                ),
            ),
        },
        {
            "en": (
                "How do I pick the right size at {name}?",
                (
                    "Compare the measurements on the product page (given {units}) with an item you "
                    "already own. If you're still unsure, write to us before ordering and we'll "
                    "help you choose."
                ),
            ),
            "de": (
                "Wie finde ich bei {name} die richtige Größe?",
                (
                    "Vergleichen Sie die Maße auf der Produktseite (angegeben {units}) mit einem "
                    "Stück, das Sie bereits besitzen. Wenn Sie unsicher sind, schreiben Sie uns "
                    "vor der Bestellung, wir helfen Ihnen gern bei der Auswahl."
                ),
            ),
            "fr": (
                "Comment choisir la bonne taille dans la boutique {name} ?",
                (
                    "Comparez les mesures de la fiche produit (indiquées {units}) avec celles d'un "
                    "article que vous possédez déjà. En cas de doute, écrivez-nous avant de "
                    "commander : nous vous aiderons à choisir."
                ),
            ),
            "es": (
                "¿Cómo elijo la talla correcta en {name}?",
                (
                    "Compara las medidas de la ficha de producto (indicadas {units}) con las de un "
                    "artículo que ya tengas. Si aún tienes dudas, escríbenos antes de hacer el "
                    "pedido y te ayudaremos a elegir."
                ),
            ),
            "ja": (
                "{name}でサイズを選ぶコツはありますか？",
                (
                    "商品ページの寸法（{units}表記）を、お手持ちの似た商品と比べてみてください。そ"
                    "れでも迷われる場合は、ご注文前にお問い合わせいただければサイズ選びをお手伝いし"
                    "ます。"
                ),
            ),
            "zh": (
                "在{name}怎么选对尺码？",
                (
                    "请将商品页面上的尺寸（单位：{units}）与您已有的类似商品进行对比。如果仍不确定"
                    "，欢迎下单前联系我们，我们会帮您挑选。"
                ),
            ),
        },
    ),
    "merchant.warranty": (
        {
            "en": (
                "Is there a warranty on products from {name}?",
                (
                    "Yes: in addition to your statutory rights, we give a {months}-month warranty "
                    "against manufacturing defects. If something is faulty, write to us with your "
                    "order number and a photo, and we will repair, replace or refund it."
                ),
            ),
            "de": (
                "Gibt es eine Garantie auf Produkte von {name}?",
                (
                    "Ja: Zusätzlich zu Ihren gesetzlichen Rechten geben wir {months} Monate "
                    "Garantie auf Herstellungsfehler. Ist etwas defekt, schreiben Sie uns mit "
                    "Ihrer Bestellnummer und einem Foto; wir reparieren, ersetzen oder erstatten "
                    "den Artikel."
                ),
            ),
            "fr": (
                "Les produits de la boutique {name} sont-ils garantis ?",
                (
                    "Oui : en plus de vos droits légaux, nous offrons une garantie de {months} "
                    "mois contre les défauts de fabrication. Si un article est défectueux, "
                    "écrivez-nous avec votre numéro de commande et une photo : nous le réparons, "
                    "le remplaçons ou le remboursons."
                ),
            ),
            "es": (
                "¿Los productos de {name} tienen garantía?",
                (
                    "Sí: además de tus derechos legales, ofrecemos una garantía de {months} meses "
                    "contra defectos de fabricación. Si algo está defectuoso, escríbenos con tu "
                    "número de pedido y una foto, y lo repararemos, sustituiremos o reembolsaremos."
                ),
            ),
            "ja": (
                "{name}の商品に保証はありますか？",
                (
                    "はい。法律で定められた権利に加えて、製造上の欠陥に対する{months}か月の保証をお"
                    "付けしています。不具合があった場合は、注文番号と写真を添えてご連絡ください。修"
                    "理、交換または返金で対応します。"
                ),
            ),
            "zh": (
                "{name}的商品有保修吗？",
                (
                    "有。除法定权利外，我们还对制造缺陷提供{months}个月的保修。如商品有故障，请附上"
                    "订单号和照片联系我们，我们将为您维修、更换或退款。"
                ),
            ),
        },
        {
            "en": (
                "What if something I bought from {name} is faulty?",
                (
                    "Contact us with your order number and a photo of the fault. Our products have "
                    "a {months}-month warranty against manufacturing defects, on top of your "
                    "statutory rights, and we repair, replace or refund faulty items."
                ),
            ),
            "de": (
                "Was tun, wenn ein Artikel von {name} defekt ist?",
                (
                    "Schreiben Sie uns mit Ihrer Bestellnummer und einem Foto des Mangels. Auf "
                    "unsere Produkte geben wir zusätzlich zu Ihren gesetzlichen Rechten {months} "
                    "Monate Garantie auf Herstellungsfehler und reparieren, ersetzen oder "
                    "erstatten defekte Artikel."
                ),
            ),
            "fr": (
                "Que faire si un article de la boutique {name} est défectueux ?",
                (
                    "Contactez-nous en indiquant votre numéro de commande, avec une photo du "
                    "défaut. Nos produits sont garantis {months} mois contre les défauts de "
                    "fabrication, en plus de vos droits légaux, et nous réparons, remplaçons ou "
                    "remboursons les articles défectueux."
                ),
            ),
            "es": (
                "¿Qué hago si un artículo de {name} tiene un defecto?",
                (
                    "Escríbenos con tu número de pedido y una foto del defecto. Nuestros productos "
                    "tienen una garantía de {months} meses contra defectos de fabricación, además "
                    "de tus derechos legales, y reparamos, sustituimos o reembolsamos los "
                    "artículos defectuosos."
                ),
            ),
            "ja": (
                "{name}で買った商品に不具合があった場合はどうすればいいですか？",
                (
                    "注文番号と不具合箇所の写真を添えてご連絡ください。当店の商品には、法律で定めら"
                    "れた権利に加えて、製造上の欠陥に対する{months}か月の保証があり、修理、交換また"
                    "は返金で対応します。"
                ),
            ),
            "zh": (
                "在{name}买的商品有质量问题怎么办？",
                (
                    "请提供订单号和问题部位的照片与我们联系。除法定权利外，我们的商品还享有{months}"
                    "个月的制造缺陷保修，我们会对有问题的商品进行维修、更换或退款。"
                ),
            ),
        },
    ),
    "merchant.contact": (
        {
            "en": (
                "How can I contact {name}?",
                (
                    "Write to {email} with your order number. We reply within {hours} hours on "
                    "business days, {langs}."
                ),
            ),
            "de": (
                "Wie erreiche ich {name}?",
                (
                    "Schreiben Sie an {email} und geben Sie Ihre Bestellnummer an. Wir antworten "
                    "an Werktagen innerhalb von {hours} Stunden, {langs}."
                ),
            ),
            "fr": (
                "Comment contacter la boutique {name} ?",
                (
                    "Écrivez-nous à {email} en indiquant votre numéro de commande. Nous répondons "
                    "sous {hours} heures les jours ouvrés, {langs}."
                ),
            ),
            "es": (
                "¿Cómo puedo contactar con {name}?",
                (
                    "Escríbenos a {email} indicando tu número de pedido. Respondemos en un plazo "
                    "de {hours} horas en días hábiles, {langs}."
                ),
            ),
            "ja": (
                "{name}への問い合わせ方法を教えてください。",
                (
                    "注文番号を添えて、{email}までメールでお問い合わせください。営業日であれば"
                    "{hours}時間以内に、{langs}ご返信します。"
                ),
            ),
            "zh": (
                "如何联系{name}？",
                "请发送邮件至{email}，并注明订单号。我们会在工作日{hours}小时内{langs}回复。",
            ),
        },
        {
            "en": (
                "Who do I ask about an order or a product from {name}?",
                (
                    "Our team answers questions about orders and products at {email}, usually "
                    "within {hours} hours on business days. We can help {langs}; please include "
                    "your order number if you have one."
                ),
            ),
            "de": (
                (
                    "An wen wende ich mich bei Fragen zu einer Bestellung oder einem Produkt von "
                    "{name}?"
                ),
                (
                    "Unser Team beantwortet Fragen zu Bestellungen und Produkten unter {email}, an "
                    "Werktagen meist innerhalb von {hours} Stunden. Wir helfen Ihnen gern {langs} "
                    "weiter; geben Sie, falls vorhanden, Ihre Bestellnummer an."
                ),
            ),
            "fr": (
                "À qui poser une question sur une commande ou un produit de la boutique {name} ?",
                (
                    "Notre équipe répond aux questions sur les commandes et les produits à "
                    "l'adresse {email}, généralement sous {hours} heures les jours ouvrés. Nous "
                    "pouvons vous aider {langs} ; indiquez votre numéro de commande si vous en "
                    "avez un."
                ),
            ),
            "es": (
                "¿A quién pregunto por un pedido o un producto de {name}?",
                (
                    "Nuestro equipo responde a las preguntas sobre pedidos y productos en {email}, "
                    "normalmente en un plazo de {hours} horas en días hábiles. Podemos ayudarte "
                    "{langs}; si tienes número de pedido, inclúyelo en tu mensaje."
                ),
            ),
            "ja": (
                "{name}の注文や商品について、どこに質問すればいいですか？",
                (
                    "ご注文や商品に関するご質問は、{email}で承っています。営業日であれば通常{hours}"
                    "時間以内にご返信します。{langs}対応しております。注文番号がある場合は、あわせ"
                    "てお知らせください。"
                ),
            ),
            "zh": (
                "关于{name}的订单或商品，应该向谁咨询？",
                (
                    "我们的团队通过{email}解答订单和商品相关问题，工作日通常在{hours}小时内回复。我"
                    "们可以{langs}为您提供帮助；如有订单号，请一并提供。"
                ),
            ),
        },
    ),
}

# Which support topic a merchant entry answers to.
_MERCHANT_TOPICS = {
    "merchant.dispatch": "shipping",
    "merchant.sizing": "orders",
    "merchant.warranty": "returns",
    "merchant.contact": "orders",
}
# Every merchant gets its dispatch time, then 1 to 3 of these.
_MERCHANT_OPTIONAL = ("merchant.sizing", "merchant.warranty", "merchant.contact")

# "from <country>" where the plain CLDR name reads wrong (articles, official long names).
_FROM_COUNTRY = {
    "en": {
        "US": "from the United States",
        "GB": "from the United Kingdom",
        "NL": "from the Netherlands",
        "AE": "from the United Arab Emirates",
        "PH": "from the Philippines",
        "HK": "from Hong Kong",
    },
    "de": {
        "US": "aus den USA",
        "GB": "aus dem Vereinigten Königreich",
        "NL": "aus den Niederlanden",
        "CH": "aus der Schweiz",
        "TR": "aus der Türkei",
        "SK": "aus der Slowakei",
        "AE": "aus den Vereinigten Arabischen Emiraten",
        "PH": "von den Philippinen",
        "HK": "aus Hongkong",
    },
    "fr": {
        "US": "depuis les États-Unis",
        "GB": "depuis le Royaume-Uni",
        "NL": "depuis les Pays-Bas",
        "AE": "depuis les Émirats arabes unis",
        "PH": "depuis les Philippines",
        "KR": "depuis la Corée du Sud",
        "MX": "depuis le Mexique",
        "KH": "depuis le Cambodge",
        "MZ": "depuis le Mozambique",
        "ZW": "depuis le Zimbabwe",
        "IL": "depuis Israël",
        "SG": "depuis Singapour",
        "TW": "depuis Taïwan",
        "HK": "depuis Hong Kong",
    },
    "es": {
        "GB": "desde el Reino Unido",
        "NL": "desde los Países Bajos",
        "AE": "desde los Emiratos Árabes Unidos",
        "HK": "desde Hong Kong",
    },
    "ja": {"US": "アメリカから", "HK": "香港から"},
    "zh": {"HK": "从中国香港"},
}
_FROM_TEMPLATE = {
    "en": "from {}",
    "de": "aus {}",
    "es": "desde {}",
    "ja": "{}から",
    "zh": "从{}",
}

# The merchant's language and English, named in each language that can mention them.
_LANGUAGE_NAMES = {
    "en": {
        "de": "German",
        "fr": "French",
        "es": "Spanish",
        "ja": "Japanese",
        "zh": "Chinese",
    },
    "de": {"de": "Deutsch", "en": "Englisch"},
    "fr": {"fr": "français", "en": "anglais"},
    "es": {"es": "español", "en": "inglés"},
    "ja": {"ja": "日本語", "en": "英語"},
    "zh": {"zh": "中文", "en": "英语"},
}
_IN_LANGUAGES = {  # (the merchant's language, English) -> "in X or English"
    "en": "in {} or English",
    "de": "auf {} oder Englisch",
    "fr": "en {} ou en anglais",
    "es": "en {} o en inglés",
    "ja": "{}または英語で",
    "zh": "用{}或英语",
}

_INCH_COUNTRIES = frozenset({"US", "GB"})  # measurements given in inches as well
_UNITS = {
    "en": ("in centimetres", "in inches and centimetres"),
    "de": ("in Zentimetern", "in Zoll und Zentimetern"),
    "fr": ("en centimètres", "en pouces et en centimètres"),
    "es": ("en centímetros", "en pulgadas y centímetros"),
    "ja": ("センチ", "インチ・センチ"),
    "zh": ("厘米", "英寸和厘米"),
}


def store_faq() -> list[dict]:
    """Every store-wide entry, key by key in topic order, each key in all of `LANGUAGES`."""
    return [
        {
            "topic": key.split(".", 1)[0],
            "language": language,
            "question": texts[language][0],
            "answer": texts[language][1],
            "key": key,
        }
        for key, texts in _STORE_FAQ.items()
        for language in LANGUAGES
    ]


def merchant_faq(
    *,
    merchant_name: str,
    country: str,
    language: str,
    ships_from_days: tuple[int, int],
    rng: np.random.Generator,
) -> list[dict]:
    """2-4 entries about one merchant, each in the merchant's language and in English (once
    when that is English), in the shape of `store_faq()`'s, with keys `merchant.*`.

    `merchant.dispatch` (ships from `country` within `ships_from_days` business days) always
    comes first; 1 to 3 of sizing, warranty and contact follow. Which ones, their wording and
    their details (warranty months, reply hours) come from `rng`: the same generator state gives
    the same entries. `language` is a tag whose base language is one of `LANGUAGES` (`de-AT`
    gives `de` entries); `country` is an ISO 3166 code. Bad input raises `ValueError`."""
    name = merchant_name.strip()
    if not name:
        raise ValueError("merchant_name must not be empty.")
    base = language.strip().replace("_", "-").split("-", 1)[0].lower()
    if base not in LANGUAGES:
        raise ValueError(f"{language!r} is not one of the FAQ languages {LANGUAGES}.")
    try:
        country_validate(country)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from error
    low, high = (int(days) for days in ships_from_days)
    if not 0 <= low <= high or high < 1:
        raise ValueError("ships_from_days must be (low, high) with 0 <= low <= high, high >= 1.")

    count = int(rng.integers(1, len(_MERCHANT_OPTIONAL) + 1))
    picked = {int(i) for i in rng.choice(len(_MERCHANT_OPTIONAL), size=count, replace=False)}
    keys = ["merchant.dispatch"] + [k for i, k in enumerate(_MERCHANT_OPTIONAL) if i in picked]
    languages = (base,) if base == "en" else (base, "en")

    entries = []
    for key in keys:
        variants = _MERCHANT_TEMPLATES[key]
        variant = variants[int(rng.integers(len(variants)))]
        details = {}
        if key == "merchant.warranty":
            details["months"] = int(rng.choice((12, 24, 36)))
        elif key == "merchant.contact":
            details["hours"] = int(rng.choice((24, 48)))
        for entry_language in languages:
            fields = {
                "name": name,
                "from_": _from_country(country, entry_language),
                "days": _business_days(low, high, entry_language),
                "units": _UNITS[entry_language][country in _INCH_COUNTRIES],
                "email": _support_email(name),
                "langs": _in_languages(base, entry_language),
                **details,
            }
            question, answer = variant[entry_language]
            entries.append(
                {
                    "topic": _MERCHANT_TOPICS[key],
                    "language": entry_language,
                    "question": question.format(**fields),
                    "answer": answer.format(**fields),
                    "key": key,
                }
            )
    return entries


def _from_country(country: str, language: str) -> str:
    if country in _FROM_COUNTRY[language]:
        return _FROM_COUNTRY[language][country]
    name = Locale(language).territories[country]
    if language != "fr":
        return _FROM_TEMPLATE[language].format(name)
    # French needs the article: l'Allemagne, la France, le Japon.
    first = unicodedata.normalize("NFD", name)[0].upper()
    if first in "AEIOU":
        return f"depuis l'{name}"
    return f"depuis la {name}" if name.endswith("e") else f"depuis le {name}"


def _business_days(low: int, high: int, language: str) -> str:
    """ "1-3 business days", or one number when the range is one day or starts at 0."""
    single = low in (0, high)
    if language == "en":
        if single:
            return "1 business day" if high == 1 else f"{high} business days"
        return f"{low}-{high} business days"
    if language == "de":  # dative, after "innerhalb von"
        if single:
            return "einem Werktag" if high == 1 else f"{high} Werktagen"
        return f"{low}-{high} Werktagen"
    if language == "fr":
        if single:
            return "1 jour ouvré" if high == 1 else f"{high} jours ouvrés"
        return f"{low} à {high} jours ouvrés"
    if language == "es":
        if single:
            return "1 día hábil" if high == 1 else f"{high} días hábiles"
        return f"{low} a {high} días hábiles"
    if language == "ja":
        return f"{high}営業日以内" if single else f"{low}〜{high}営業日以内"
    return f"{high}个工作日" if single else f"{low}-{high}个工作日"


def _in_languages(merchant_language: str, language: str) -> str:
    """How the merchant answers: "in German or English", or "in English"."""
    if merchant_language == "en":
        return "in English"
    return _IN_LANGUAGES[language].format(_LANGUAGE_NAMES[language][merchant_language])


def _support_email(name: str) -> str:
    """A reserved-domain address (RFC 2606) made from the name; non-Latin names get a hash."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    if not slug:
        slug = f"shop-{zlib.crc32(name.encode()):08x}"
    return f"support@{slug}.example"
