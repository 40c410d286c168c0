"""Word lists for demo people, streets and units. Written for this project; any likeness is the point.

Names are grouped by the family's language. A group has given names for girls and boys of today's
children, given names for their parents' generation, and surnames as (masculine, feminine) pairs, which
differ only where the language inflects surnames by sex.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NameGroup:
    girls: tuple[str, ...]
    boys: tuple[str, ...]
    women: tuple[str, ...]
    men: tuple[str, ...]
    surnames: tuple[tuple[str, str], ...]


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _same(text: str) -> tuple[tuple[str, str], ...]:
    """Surnames separated by '|' that read the same for both sexes."""
    return tuple((s.strip(), s.strip()) for s in text.split("|"))


FINNISH = NameGroup(
    girls=_split(
        "Aino Eevi Olivia Sofia Helmi Aada Isla Ellen Lilja Venla Emma Pihla Linnea Siiri Enni Kerttu "
        "Elsa Hilla Minea Saana Vilma Iida Lumi Alma Viola Nella Oona Selma Stella Kaisla Hertta Ilona"
    ),
    boys=_split(
        "Leo Eino Oliver Elias Onni Väinö Eeli Noel Leevi Toivo Emil Lenni Veeti Niilo Aatos Otto Aaro "
        "Vilho Oiva Elmeri Eetu Jooa Luka Hugo Aleksi Kasper Valtteri Daniel Benjamin Urho Topias Nooa"
    ),
    women=_split(
        "Maria Laura Johanna Anna Sanna Katja Hanna Minna Tiina Jenni Heidi Elina Susanna Niina Satu "
        "Riikka Anu Kaisa Piia Jonna Noora Emmi Suvi Veera Henna Milla Salla Marjo Paula Kirsi"
    ),
    men=_split(
        "Mikko Juha Janne Antti Jukka Ville Tuomas Markus Teemu Jani Sami Marko Petri Lauri Matti Pekka "
        "Jussi Tommi Joonas Aleksi Ilkka Heikki Olli Timo Henri Toni Risto Kalle Jarkko Eero"
    ),
    surnames=_same(
        "Virtanen|Korhonen|Mäkinen|Nieminen|Mäkelä|Hämäläinen|Laine|Heikkinen|Koskinen|Järvinen|"
        "Lehtonen|Lehtinen|Saarinen|Salminen|Heinonen|Niemi|Heikkilä|Kinnunen|Salonen|Turunen|Salo|"
        "Laitinen|Tuominen|Rantanen|Karjalainen|Jokinen|Mattila|Savolainen|Lahtinen|Ahonen|Hiltunen|"
        "Hirvonen|Leinonen|Miettinen|Kallio|Pitkänen|Aaltonen|Manninen|Hakala|Lappalainen|Seppälä|"
        "Väisänen|Kettunen|Peltonen|Kärkkäinen|Anttila|Rissanen|Koivisto|Nurmi|Vainio|Räsänen|"
        "Toivonen|Oksanen|Honkanen|Halonen|Ojala|Korpela|Hyvönen|Lindholm|Ketola|Åkerlund|Pesonen"
    ),
)

SWEDISH = NameGroup(
    girls=_split(
        "Ellen Alva Saga Ella Elsa Vera Stella Ida Wilma Lilly Alma Selma Klara Signe Olivia Freja Ebba "
        "Alice Maja Ines Agnes Edith Linnea Tyra"
    ),
    boys=_split(
        "Oliver William Elias Emil Anton Leo Isak Viktor Hugo Theo Axel Alfred Edvin Oskar Linus Max "
        "Felix Vincent Nils Otto Ludvig Sixten Valter Gustav"
    ),
    women=_split(
        "Anna Maria Karin Johanna Sara Emma Jenny Camilla Sofia Malin Linda Petra Susanna Hanna Annika "
        "Mikaela Jessica Frida Louise Tove"
    ),
    men=_split(
        "Johan Mikael Andreas Fredrik Daniel Henrik Peter Jonas Patrik Erik Thomas Niklas Marcus "
        "Christian Mathias Kristoffer Sebastian Joakim Robert Tobias"
    ),
    surnames=_same(
        "Lindqvist|Johansson|Nyström|Lindholm|Karlsson|Andersson|Eriksson|Nyman|Lindroos|Holmström|"
        "Sjöberg|Åberg|Lindberg|Wikström|Forsström|Björklund|Grönroos|Sundström|Blomqvist|Granholm|"
        "Westerlund|Ekström|Enqvist|Lundqvist|Strandberg|Mattsson|Backman|Holmberg|Söderholm|Wickström|"
        "af Hällström|Öhman"
    ),
)

SOMALI = NameGroup(
    girls=_split("Amina Hodan Fadumo Sahra Hamdi Ifrah Nasra Khadra Ayaan Hibo Sagal Ilhan Naima Ubah"),
    boys=_split("Abdi Mohamed Ahmed Hassan Yusuf Liban Abdirahman Mahad Omar Ismail Guled Farah Bilal"),
    women=_split("Fadumo Hodan Asha Halima Sahra Hawa Maryan Deeqa Ladan Faiza"),
    men=_split("Mohamed Abdullahi Ahmed Hassan Ali Abdikadir Osman Jama Mahamed Said"),
    surnames=_same("Ali|Hassan|Mohamed|Abdi|Warsame|Farah|Jama|Osman|Ahmed|Yusuf|Hersi|Nur|Aden|Mohamud"),
)

ARABIC = NameGroup(
    girls=_split("Fatima Maryam Zainab Layla Noor Sara Huda Amira Rania Yasmin Lina Dunya Rojin Hevin"),
    boys=_split("Ali Omar Yusuf Hussein Karim Ahmad Mustafa Hamza Adam Ibrahim Zaid Khalid Aras Rebin"),
    women=_split("Fatima Zahra Amal Hanan Samira Rasha Nadia Suha Leila Shirin"),
    men=_split("Ahmed Mohammed Hussein Ali Haider Karim Samir Tariq Omar Kawa"),
    surnames=_same(
        "Al-Sayed|Hussein|Abbas|Haddad|Khalil|Salih|Mahmoud|Jaber|Nasser|Al-Obaidi|Kareem|Hamdan|Rashid|Barzani"
    ),
)

PERSIAN = NameGroup(
    girls=_split("Parisa Shirin Maryam Nasrin Roya Leila Yasaman Niloufar Sahar Tara"),
    boys=_split("Dariush Arash Kian Reza Amir Babak Navid Sina Aryan Kourosh"),
    women=_split("Mahsa Fereshteh Zohreh Parisa Nasrin Azadeh"),
    men=_split("Mehdi Hamid Ali Saeed Hossein Farhad"),
    surnames=_same("Ahmadi|Hosseini|Karimi|Rahimi|Moradi|Rezaei|Jafari|Mohammadi|Sadeghi|Nazari"),
)

SLAVIC = NameGroup(
    girls=_split("Anastasia Sofia Polina Darja Viktoria Alina Ksenia Maria Vasilisa Jeva Zlata Uljana"),
    boys=_split("Aleksandr Maksim Artjom Ivan Dmitri Mihail Nikita Kirill Jaroslav Bogdan Timofei Matvei"),
    women=_split("Jelena Olga Natalja Tatjana Irina Svetlana Julia Oksana Marina Anna"),
    men=_split("Sergei Andrei Aleksei Dmitri Vladimir Igor Oleksandr Mykola Pavel Denis"),
    surnames=(
        ("Ivanov", "Ivanova"),
        ("Smirnov", "Smirnova"),
        ("Petrov", "Petrova"),
        ("Kuznetsov", "Kuznetsova"),
        ("Volkov", "Volkova"),
        ("Sokolov", "Sokolova"),
        ("Popov", "Popova"),
        ("Morozov", "Morozova"),
        ("Ševtšenko", "Ševtšenko"),
        ("Kovalenko", "Kovalenko"),
        ("Bondarenko", "Bondarenko"),
        ("Melnyk", "Melnyk"),
        ("Tkatšuk", "Tkatšuk"),
    ),
)

ESTONIAN = NameGroup(
    girls=_split("Mari Kertu Liis Kätlin Triin Grete Eliise Mia Lisandra Emma Hanna-Liisa Õie Mirtel"),
    boys=_split("Rasmus Robin Markus Martin Sander Oskar Kaspar Tõnis Karl Mihkel Henri Artur Jüri"),
    women=_split("Kadri Kristiina Piret Kaja Maarja Tiina Anneli Merle Ülle Helen"),
    men=_split("Andres Tarmo Margus Priit Rein Indrek Jaan Toomas Urmas Siim"),
    surnames=_same("Tamm|Saar|Sepp|Mägi|Kask|Kukk|Rebane|Ilves|Pärn|Koppel|Kõiv|Lepik|Ots|Laur|Šmidt"),
)

ENGLISH = NameGroup(
    girls=_split("Emily Olivia Charlotte Grace Sophie Ella Amelia Lily Chloe Hannah Isabella Ruby Zoe"),
    boys=_split("Jack Oliver Harry George James Thomas William Samuel Daniel Henry Lucas Noah Finn"),
    women=_split("Sarah Rebecca Claire Laura Rachel Kate Helen Jennifer Emma Lucy"),
    men=_split("David Michael Richard Paul Andrew Mark Chris Matthew Simon Ben"),
    surnames=_same(
        "Smith|Jones|Brown|Taylor|Wilson|Evans|Johnson|Walker|Wright|Thompson|Robinson|Hughes|O'Connor|Murphy|McKenzie"
    ),
)

VIETNAMESE = NameGroup(
    girls=_split("Linh Anh Mai Thảo Ngọc Trang Hương Lan Vy Châu"),
    boys=_split("Minh Huy Đức Nam Quang Tuấn Bảo Long Khang Phúc"),
    women=_split("Hoa Thu Hạnh Lan Nga Phương"),
    men=_split("Hùng Dũng Thanh Sơn Tùng Việt"),
    surnames=_same("Nguyễn|Trần|Lê|Phạm|Hoàng|Vũ|Đặng|Bùi|Đỗ|Ngô"),
)

CHINESE = NameGroup(
    girls=_split("Mei Xinyi Yuxin Jing Lihua Ying Xiaoling Yan Ruoxi Zixuan"),
    boys=_split("Wei Hao Jun Yichen Zihan Ming Lei Tao Haoran Yuchen"),
    women=_split("Li Na Xiu Hong Fang Juan"),
    men=_split("Jian Qiang Bo Gang Feng Hui"),
    surnames=_same("Wang|Li|Zhang|Liu|Chen|Yang|Huang|Zhao|Wu|Zhou"),
)

TURKISH = NameGroup(
    girls=_split("Elif Zeynep Ayşe Defne Ecem Yağmur Melis Ebru Azra Asel"),
    boys=_split("Emir Yusuf Mert Kerem Burak Barış Çağan Efe Arda Ömer"),
    women=_split("Fatma Emine Hatice Gül Selin Derya"),
    men=_split("Mehmet Mustafa Ahmet Hakan Murat Serkan"),
    surnames=_same("Yılmaz|Kaya|Demir|Şahin|Çelik|Yıldız|Öztürk|Aydın|Arslan|Doğan"),
)

ALBANIAN = NameGroup(
    girls=_split("Arta Drita Besa Elira Flutura Blerta Erza Rina"),
    boys=_split("Arben Besnik Dritan Ermal Fatos Gent Luan Dion"),
    women=_split("Valbona Mimoza Teuta Lindita Shpresa"),
    men=_split("Agron Bujar Ilir Shkelzen Valon"),
    surnames=_same("Hoxha|Krasniqi|Berisha|Gashi|Shala|Morina|Kelmendi|Bytyqi"),
)

SPANISH = NameGroup(
    girls=_split("Lucía Martina Valentina Camila Paula Sofía Elena Carmen Jimena Abril"),
    boys=_split("Mateo Santiago Diego Pablo Alejandro Javier Hugo Tomás Martín Joaquín"),
    women=_split("Ana María Isabel Marta Cristina Laura Patricia"),
    men=_split("José Carlos Miguel Juan Andrés Luis Fernando"),
    surnames=_same("García|Fernández|López|Martínez|Sánchez|Pérez|Gómez|Núñez|Rodríguez|Díaz"),
)

# Mother tongue → the name group of the family.
GROUP_BY_LANGUAGE: dict[str, NameGroup] = {
    "fi": FINNISH,
    "sv": SWEDISH,
    "so": SOMALI,
    "ar": ARABIC,
    "ku": ARABIC,
    "fa": PERSIAN,
    "ru": SLAVIC,
    "uk": SLAVIC,
    "et": ESTONIAN,
    "en": ENGLISH,
    "vi": VIETNAMESE,
    "zh": CHINESE,
    "tr": TURKISH,
    "sq": ALBANIAN,
    "es": SPANISH,
}

# Mother tongues other than Finnish and Swedish, with their relative weights among such children.
OTHER_LANGUAGES: tuple[tuple[str, float], ...] = (
    ("ru", 18.0),
    ("et", 12.0),
    ("so", 12.0),
    ("ar", 12.0),
    ("en", 9.0),
    ("uk", 8.0),
    ("fa", 5.0),
    ("ku", 4.0),
    ("zh", 4.0),
    ("vi", 4.0),
    ("sq", 4.0),
    ("tr", 4.0),
    ("es", 4.0),
)

# Street names: a stem and a suffix in Finnish and Swedish, optionally with a prefix.
STREET_STEMS: tuple[tuple[str, str], ...] = tuple(
    (fi, sv)
    for fi, sv in (
        pair.split("/")
        for pair in _split(
            "Koivu/Björk Kuusi/Gran Mänty/Tall Vaahtera/Lönn Pihlaja/Rönn Tammi/Ek Lehmus/Lind Saarni/Ask "
            "Haapa/Asp Leppä/Al Kataja/En Kallio/Berg Mäki/Backe Niitty/Äng Pelto/Åker Järvi/Sjö Ranta/Strand "
            "Metsä/Skog Lähde/Käll Puro/Bäck Kivi/Sten Hiekka/Sand Kukka/Blom Marja/Bär Omena/Äppel "
            "Kirsikka/Körsbär Kettu/Räv Karhu/Björn Susi/Varg Joutsen/Svan Kurki/Tran Haukka/Hök Lokki/Mås "
            "Satama/Hamn Mylly/Kvarn Kirkko/Kyrk Koulu/Skol Tori/Torg Silta/Bro Portti/Port Torni/Torn "
            "Linna/Borg Kartano/Gård Puisto/Park Lintu/Fågel Tähti/Stjärn Kuu/Mån Aurinko/Sol Tuuli/Vind "
            "Aalto/Våg Lumi/Snö Kaste/Dagg Sammal/Moss Kaisla/Vass Apila/Klöver Ruusu/Ros Sorsa/And "
            "Hirvi/Älg Orava/Ekorr Kyntö/Plog Paja/Smedje Ratsu/Ryttar Laiva/Skepps Airo/Åre"
        )
    )
)
STREET_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("tie", "vägen"),
    ("katu", "gatan"),
    ("kuja", "gränden"),
    ("polku", "stigen"),
    ("kaari", "bågen"),
    ("rinne", "brinken"),
    ("piha", "gården"),
    ("laakso", "dalen"),
)
STREET_PREFIXES: tuple[tuple[str, str], ...] = (
    ("", ""),
    ("Iso ", "Stora "),
    ("Pikku ", "Lilla "),
    ("Vanha ", "Gamla "),
    ("Uusi ", "Nya "),
)

# Names for daycare units that are not named after their district.
UNIT_WORDS_FI: tuple[str, ...] = _split(
    "Ankkuri Tuulenpesä Satakieli Mustikka Kielo Omena Metsätähti Kotikallio Sateenkaari Aurinkorinne "
    "Lumikello Leppäkerttu Peikkometsä Pilvilinna Vaahtera Kuusikko Karhunpesä Mansikka Puolukka "
    "Kissankello Sinisiipi Kultasiipi Tervapääsky Pääskynpesä Oravanpesä Myllytupa Satulinna "
    "Pikkumetsä Kalliolinna Merituuli Aallokko Simpukka Meritähti Majakka Kaarna Kompassi Taikametsä "
    "Vilpola Tenavatalo Muksula Touhutalo Leikkitupa Lastenlinna Pajupilli Paimenhuilu Kotikolo "
    "Hiirenkorva Hattara Tähtitaivas Revontuli Kuunsäde Päivänsäde Kimalainen Mehiläinen Sammakko "
    "Jänönloikka Siilipiilo Kettukallio Kanerva Kurjenmiekka Ruiskukka Sinivuokko Valkovuokko"
)
UNIT_WORDS_SV: tuple[str, ...] = _split(
    "Solstrålen Blåbäret Tallkotten Ekorren Regnbågen Skogsbacken Sjöstjärnan Snäckan Vitsippan "
    "Äppelgården Trollebo Humlan Lärkan Myrstacken Kastanjen Fyren Ankaret Måsen Blåklockan "
    "Smultronet Nyckelpigan Vallmon Havsörnen Tornet Kvarnen Solrosen Lingonet Mumintrollet"
)
