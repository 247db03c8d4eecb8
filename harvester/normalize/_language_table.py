"""Language names and codes, one language a line: ISO 639-1 | 639-2 codes | names.

Names are given in English, in the language itself, and in German, Danish/
Norwegian, Dutch, Swedish, French, Spanish and Italian where they differ. The
loader in languages.py also accepts every name without its accents.
"""

TABLE = """
en|eng|English;Englisch;Engelsk;Engels;Engelska;Anglais;Inglés;Inglese;Inglês
de|ger deu|German;Deutsch;Tysk;Duits;Tyska;Allemand;Alemán;Tedesco;Alemão
fr|fre fra|French;Français;Französisch;Fransk;Frans;Franska;Francés;Francese;Francês
da|dan|Danish;Dansk;Dänisch;Deens;Danska;Danois;Danés;Danese;Dinamarquês
nl|dut nld|Dutch;Nederlands;Niederländisch;Nederlandsk;Hollandsk;Nederländska;Holländska;\
Néerlandais;Neerlandés;Holandés;Olandese;Holandês;Flemish;Vlaams;Flämisch
sv|swe|Swedish;Svenska;Schwedisch;Svensk;Zweeds;Suédois;Sueco;Svedese
es|spa|Spanish;Español;Castellano;Castilian;Spanisch;Spansk;Spaans;Spanska;Espagnol;\
Spagnolo;Espanhol
it|ita|Italian;Italiano;Italienisch;Italiensk;Italiaans;Italienska;Italien
pt|por|Portuguese;Português;Portugiesisch;Portugisisk;Portugees;Portugisiska;Portugais;\
Portugués;Portoghese
fi|fin|Finnish;Suomi;Finnisch;Finsk;Fins;Finska;Finnois;Finlandés;Finlandese
no|nor|Norwegian;Norsk;Norwegisch;Noors;Norska;Norvégien;Noruego;Norvegese
nb|nob|Norwegian Bokmål;Bokmål;Norsk bokmål
nn|nno|Norwegian Nynorsk;Nynorsk;Norsk nynorsk
is|ice isl|Icelandic;Íslenska;Isländisch;Islandsk;IJslands;Isländska;Islandais;Islandés;Islandese
zh|chi zho|Chinese;中文;汉语;漢語;Mandarin;Chinesisch;Kinesisk;Chinees;Kinesiska;Chinois;\
Chino;Cinese
ja|jpn|Japanese;日本語;Japanisch;Japansk;Japans;Japanska;Japonais;Japonés;Giapponese
ko|kor|Korean;한국어;Koreanisch;Koreansk;Koreaans;Koreanska;Coréen;Coreano
ru|rus|Russian;Русский;Russisch;Russisk;Ryska;Russe;Ruso;Russo
pl|pol|Polish;Polski;Polnisch;Polsk;Pools;Polska;Polonais;Polaco;Polacco
ar|ara|Arabic;العربية;Arabisch;Arabisk;Arabiska;Arabe;Árabe;Arabo
tr|tur|Turkish;Türkçe;Türkisch;Tyrkisk;Turks;Turkiska;Turc;Turco
cs|cze ces|Czech;Čeština;Tschechisch;Tjekkisk;Tsjechisch;Tjeckiska;Tchèque;Checo;Ceco
sk|slo slk|Slovak;Slovenčina;Slowakisch;Slovakisk;Slowaaks;Slovakiska;Slovaque;Eslovaco;\
Slovacco
sl|slv|Slovenian;Slovene;Slovenščina;Slowenisch;Slovensk;Sloveens;Slovène;Esloveno;Sloveno
hu|hun|Hungarian;Magyar;Ungarisch;Ungarsk;Hongaars;Ungerska;Hongrois;Húngaro;Ungherese
ro|rum ron|Romanian;Română;Rumänisch;Rumænsk;Roemeens;Rumänska;Roumain;Rumano;Rumeno
bg|bul|Bulgarian;Български;Bulgarisch;Bulgarsk;Bulgaars;Bulgariska;Bulgare;Búlgaro;Bulgaro
hr|hrv|Croatian;Hrvatski;Kroatisch;Kroatisk;Kroatiska;Croate;Croata
sr|srp|Serbian;Српски;Srpski;Serbisch;Serbisk;Servisch;Serbiska;Serbe;Serbio;Serbo
bs|bos|Bosnian;Bosanski;Bosnisch;Bosnisk;Bosniska;Bosnien;Bosnio;Bosniaco
uk|ukr|Ukrainian;Українська;Ukrainisch;Ukrainsk;Oekraïens;Ukrainska;Ukrainien;Ucraniano;\
Ucraino
el|gre ell|Greek;Ελληνικά;Griechisch;Græsk;Gresk;Grieks;Grekiska;Grec;Griego;Greco
he|heb|Hebrew;עברית;Hebräisch;Hebraisk;Hebreeuws;Hebreiska;Hébreu;Hebreo;Ebraico
fa|per fas|Persian;Farsi;فارسی;Persisch;Persisk;Perzisch;Persiska;Persan;Persa;Persiano
hi|hin|Hindi;हिन्दी;हिंदी
bn|ben|Bengali;Bangla;বাংলা;Bengalisch;Bengalsk;Bengaals;Bengaliska
ur|urd|Urdu;اردو
id|ind|Indonesian;Bahasa Indonesia;Indonesisch;Indonesisk;Indonesiska;Indonésien;Indonesio;\
Indonesiano
ms|may msa|Malay;Bahasa Melayu;Melayu;Malaiisch;Malajisk;Maleis;Malajiska;Malais;Malayo;Malese
vi|vie|Vietnamese;Tiếng Việt;Vietnamesisch;Vietnamesisk;Vietnamees;Vietnamesiska;Vietnamien;\
Vietnamita
th|tha|Thai;ไทย;Thailändisch;Thailandsk;Thais;Thailändska;Thaï;Tailandés;Tailandese
et|est|Estonian;Eesti;Estnisch;Estisk;Estisch;Estniska;Estonien;Estonio;Estone
lv|lav|Latvian;Latviešu;Lettisch;Lettisk;Lets;Lettiska;Letton;Letón;Lettone
lt|lit|Lithuanian;Lietuvių;Litauisch;Litauisk;Litouws;Litauiska;Lituanien;Lituano
ca|cat|Catalan;Català;Katalanisch;Katalansk;Catalaans;Katalanska;Catalán;Catalano
eu|baq eus|Basque;Euskara;Baskisch;Baskisk;Baskiska;Vasco;Basco
gl|glg|Galician;Galego;Galicisch;Galicisk;Galiciska;Galicien;Gallego;Galiziano
ga|gle|Irish;Gaeilge;Irisch;Irsk;Iers;Iriska;Irlandais;Irlandés;Irlandese
cy|wel cym|Welsh;Cymraeg;Walisisch;Walisisk;Kymrisch;Walesiska;Gallois;Galés;Gallese
la|lat|Latin;Latina;Latein;Latijn;Latín;Latino
eo|epo|Esperanto
af|afr|Afrikaans
sw|swa|Swahili;Kiswahili;Suaheli
ta|tam|Tamil;தமிழ்
ka|geo kat|Georgian;ქართული;Georgisch;Georgisk;Georgiska;Géorgien
hy|arm hye|Armenian;Հայերեն;Armenisch;Armensk;Armeens;Armeniska;Arménien
sq|alb sqi|Albanian;Shqip;Albanisch;Albansk;Albanees;Albanska;Albanais
mk|mac mkd|Macedonian;Македонски;Mazedonisch;Makedonsk;Macedonisch;Makedonska;Macédonien
be|bel|Belarusian;Беларуская;Weißrussisch;Belarussisch;Hviderussisk
mt|mlt|Maltese;Malti;Maltesisch;Maltesisk;Maltees;Maltesiska;Maltais
lb|ltz|Luxembourgish;Lëtzebuergesch;Luxemburgisch;Luxembourgsk;Luxemburgs;Luxemburgiska
fo|fao|Faroese;Føroyskt;Färöisch;Færøsk;Faeröers;Färöiska;Féroïen
kl|kal|Greenlandic;Kalaallisut;Grönländisch;Grønlandsk;Groenlands;Grönländska
se|sme|Northern Sami;Sámegiella;Nordsamisch;Nordsamisk;Noord-Samisch;Nordsamiska;Sami
fy|fry|Western Frisian;Frisian;Frysk;Friesisch;Frisisk;Fries;Frisiska
tl|tgl fil|Tagalog;Filipino
"""

# Every ISO 639-1 code, so that a valid code outside TABLE is still accepted.
ISO639_1 = frozenset(
    str.split(
        """aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv
    cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr
    ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw
    ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv
    ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr
    ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi
    yo za zh zu"""
    )
)
# Withdrawn codes still seen in the wild.
RETIRED = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "sh": "sr"}
