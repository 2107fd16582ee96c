"""Names as analysts type them: folding, transliteration, nesting, ambiguity and suggestions.

The spelling lists below were written from the bundled aliases, the seed
articles (/work/shared/seeds) and the spelling habits of Syrian place names in
English-language reporting (Hasakah/Hassakeh, Deir ez-Zor/Dayr az-Zawr,
Hmeimim/Khmeimim, Rmelan/Rumeilan, al-/al /el-/ash-), and the everyday words for
actors. None was copied from a list of what the matcher already handles.
"""

from __future__ import annotations

import itertools
import json

import pytest

from syriabrief.domain.dataset import Dataset
from syriabrief.domain.model import Site
from syriabrief.domain.names import fold, name_key
from syriabrief.errors import AmbiguousNameError, NotFoundError
from syriabrief.storage.loading import load_dataset
from syriabrief.storage.paths import bundled_path

DATA = load_dataset([bundled_path()])

# (spelling, the site id it means)
SITE_SPELLINGS = [
    # Qasrak
    ("Qasrak", "qasrak"), ("Kasrak", "qasrak"), ("al kasrak", "qasrak"), ("Al-Qasrak", "qasrak"),
    ("Qasrak base", "qasrak"), ("Kasrak base", "qasrak"), ("Qasrek", "qasrak"), ("Kasrak air base", "qasrak"),
    ("Qasrak airbase", "qasrak"), ("al-Kasrak base", "qasrak"), ("Qasraq", "qasrak"), ("the Kasrak base", "qasrak"),
    # Al-Tanf
    ("Al Tanf", "al-tanf"), ("al-Tanf", "al-tanf"), ("Tanf", "al-tanf"), ("At Tanf", "al-tanf"),
    ("At-Tanf base", "al-tanf"), ("Al-Tanf garrison", "al-tanf"), ("Tanf base", "al-tanf"),
    ("al Tanf garrison", "al-tanf"), ("Et-Tanf", "al-tanf"), ("Al-Tanf base", "al-tanf"),
    # the al-Shaddadi base, town and prison, each by its own kind word
    ("Shaddadi base", "al-shaddadi-base"), ("Al-Shaddadi base", "al-shaddadi-base"),
    ("Shadadi base", "al-shaddadi-base"), ("al Shaddadi base", "al-shaddadi-base"),
    ("Ash-Shaddadi base", "al-shaddadi-base"), ("Shaddadah base", "al-shaddadi-base"),
    ("Shaddadi town", "al-shaddadi-town"), ("Shadadi town", "al-shaddadi-town"),
    ("al-Shaddadi town", "al-shaddadi-town"), ("Ash Shaddadah town", "al-shaddadi-town"),
    ("Shaddadi prison", "al-shaddadi-prison"), ("al-Shaddadi jail", "al-shaddadi-prison"),
    ("Shadadi prison", "al-shaddadi-prison"),
    # Rmelan / Kharab al-Jir / Abu Hajar
    ("Rmelan", "rmelan"), ("Rimelan", "rmelan"), ("Rumeilan", "rmelan"), ("Rmeilan", "rmelan"),
    ("Rumaylan", "rmelan"), ("Rmeilan base", "rmelan"), ("Kharab al Jir", "rmelan"), ("Kharab al-Jir", "rmelan"),
    ("Kharab Al Jir", "rmelan"), ("Kharab el-Jir", "rmelan"), ("Kharab Aljir", "rmelan"), ("Abu Hajar", "rmelan"),
    ("Abu Hajar airport", "rmelan"), ("Abou Hajar", "rmelan"), ("Rmelan landing zone", "rmelan"),
    ("Rmeilan airbase", "rmelan"), ("Rumeilan airfield", "rmelan"),
    # Qamishli: the airport by its kind word, the city otherwise
    ("Qamishli airport", "qamishli-airport"), ("Qamishli International Airport", "qamishli-airport"),
    ("Kamishli airport", "qamishli-airport"), ("Qamishlo airport", "qamishli-airport"),
    ("Qamishli air base", "qamishli-airport"), ("Qamishly airport", "qamishli-airport"),
    ("Al-Qamishli airport", "qamishli-airport"), ("Qamishli base", "qamishli-airport"),
    ("Qamishli", "qamishli"), ("Qamishlo", "qamishli"), ("Kamishli", "qamishli"), ("Al-Qamishli", "qamishli"),
    ("Qamishli city", "qamishli"), ("Qameshli", "qamishli"), ("Kamishlo", "qamishli"), ("Qamişlo", "qamishli"),
    # Hmeimim
    ("Hmeimim", "hmeimim"), ("Hmeymim", "hmeimim"), ("Khmeimim", "hmeimim"), ("Humaymim", "hmeimim"),
    ("Hmeimim air base", "hmeimim"), ("Hmeimim airbase", "hmeimim"), ("Khmeimim airbase", "hmeimim"),
    ("Hmaimim", "hmeimim"), ("Hmeimeem", "hmeimim"), ("Humeimim", "hmeimim"), ("Hmeimim airport", "hmeimim"),
    # Tartus
    ("Tartus", "tartus"), ("Tartous", "tartus"), ("Tartus naval base", "tartus"), ("Tartous naval base", "tartus"),
    ("Tartus naval facility", "tartus"), ("Tartus port", "tartus"), ("Tartus base", "tartus"),
    # al-Hol
    ("al-Hol", "al-hol"), ("al Hol", "al-hol"), ("Hol", "al-hol"), ("al-Hawl", "al-hol"), ("Hawl camp", "al-hol"),
    ("Al Hol camp", "al-hol"), ("el-Hol camp", "al-hol"), ("al-Houl camp", "al-hol"),
    # Ain al-Asad
    ("Ain al-Asad", "ain-al-asad"), ("Ain al Asad", "ain-al-asad"), ("Ayn al-Asad", "ain-al-asad"),
    ("Ain al-Assad", "ain-al-asad"), ("Al Asad air base", "ain-al-asad"), ("Ain al-Asad airbase", "ain-al-asad"),
    ("Ain Assad", "ain-al-asad"), ("Ein al-Asad", "ain-al-asad"),
    # as Arabic reports write them
    ("قسرك", "qasrak"), ("قاعدة قسرك", "qasrak"), ("التنف", "al-tanf"), ("قاعدة الشدادي", "al-shaddadi-base"),
    ("خراب الجير", "rmelan"), ("حميميم", "hmeimim"), ("قاعدة طرطوس", "tartus"), ("مطار القامشلي", "qamishli-airport"),
    ("حقل العمر", "al-omar-oil-field"), ("مخيم الهول", "al-hol"), ("عين الأسد", "ain-al-asad"), ("سد الفرات", "tabqa-dam"),
    # Erbil
    ("Erbil", "erbil"), ("Arbil", "erbil"), ("Irbil", "erbil"), ("Hewler", "erbil"), ("Hawler", "erbil"),
    ("Erbil airport", "erbil"), ("Erbil International Airport", "erbil"),
    # oil and gas fields
    ("al-Omar", "al-omar-oil-field"), ("Omar oil field", "al-omar-oil-field"), ("al Omar oilfield", "al-omar-oil-field"),
    ("Al-Omar field", "al-omar-oil-field"), ("Umar oil field", "al-omar-oil-field"),
    ("al-Omar oil fields", "al-omar-oil-field"), ("Green Village", "al-omar-oil-field"),
    ("Conoco", "conoco-gas-field"), ("Conoco gas field", "conoco-gas-field"), ("Conoco field", "conoco-gas-field"),
    ("Conoco gas plant", "conoco-gas-field"),
    # Hasakah: alone, the governorate (which holds the city); the city by its kind word
    ("Hasakah", "hasakah-province"), ("Hasaka", "hasakah-province"), ("al-Hasakah", "hasakah-province"),
    ("Hassakeh", "hasakah-province"), ("Hasakeh", "hasakah-province"), ("Al Hasakah", "hasakah-province"),
    ("Hassake", "hasakah-province"), ("al-Hasaka", "hasakah-province"), ("Haseke", "hasakah-province"),
    ("Hasakah governorate", "hasakah-province"), ("Hasakah province", "hasakah-province"),
    ("Al-Hasakah Governorate", "hasakah-province"), ("Hassakeh province", "hasakah-province"),
    ("Hasakah city", "hasakah"), ("al-Hasakah city", "hasakah"), ("Hassakeh city", "hasakah"),
    # the northeast
    ("northeast Syria", "northeast-syria"), ("north-east Syria", "northeast-syria"), ("NE Syria", "northeast-syria"),
    ("northeastern Syria", "northeast-syria"), ("North East Syria", "northeast-syria"),
    # Raqqa, Tabqa
    ("Raqqa", "raqqa-province"), ("Raqqah", "raqqa-province"), ("al-Raqqa", "raqqa-province"),
    ("Ar-Raqqah", "raqqa-province"), ("Rakka", "raqqa-province"), ("Al Raqqa", "raqqa-province"),
    ("Raqqa governorate", "raqqa-province"), ("Raqqa city", "raqqa"), ("al-Raqqa city", "raqqa"),
    ("Tabqa", "tabqa"), ("al-Tabqa", "tabqa"), ("Tabqah", "tabqa"), ("Tabqa city", "tabqa"),
    ("Tabqa dam", "tabqa-dam"), ("Euphrates dam", "tabqa-dam"), ("al-Thawra dam", "tabqa-dam"),
    ("Tabqa Dam", "tabqa-dam"), ("Thawra dam", "tabqa-dam"),
    # Deir ez-Zor: alone, the governorate; the city by its kind word
    ("Deir ez-Zor", "deir-ez-zor-province"), ("Deir al-Zour", "deir-ez-zor-province"),
    ("Deir ez Zor", "deir-ez-zor-province"), ("Deir Ezzor", "deir-ez-zor-province"),
    ("Dayr az-Zawr", "deir-ez-zor-province"), ("Deir el-Zor", "deir-ez-zor-province"),
    ("Deir Azzour", "deir-ez-zor-province"), ("Deir al-Zor", "deir-ez-zor-province"),
    ("Deirezzor", "deir-ez-zor-province"), ("Deir ez-Zor city", "deir-ez-zor"), ("Deir al-Zour city", "deir-ez-zor"),
    ("Mayadin", "mayadin"), ("al-Mayadin", "mayadin"), ("Mayadeen", "mayadin"), ("Al Mayadeen", "mayadin"),
    ("Mayadin city", "mayadin"),
    # cities, countries, regions
    ("Aleppo", "aleppo-province"), ("Halab", "aleppo-province"), ("Aleppo city", "aleppo"), ("Sheikh Maqsoud", "aleppo"), ("Sheikh Maksoud", "aleppo"),
    ("Ashrafieh", "aleppo"), ("Achrafieh", "aleppo"), ("Ashrafiyeh", "aleppo"),
    ("Damascus", "damascus"), ("Dimashq", "damascus"), ("Damascus city", "damascus"),
    ("Syria", "syria"), ("Syrian Arab Republic", "syria"), ("Iraq", "iraq"), ("Republic of Iraq", "iraq"),
    ("Kurdistan Region", "kurdistan-region-iraq"), ("Iraqi Kurdistan", "kurdistan-region-iraq"),
    ("KRI", "kurdistan-region-iraq"), ("Kurdistan region of Iraq", "kurdistan-region-iraq"),
    ("Russia", "russia"), ("Russian Federation", "russia"), ("Moscow", "moscow"), ("the Kremlin", "moscow"),
    ("Washington", "washington"), ("Washington DC", "washington"), ("Washington, D.C.", "washington"),
    ("White House", "washington"),
    ("Homs", "homs-province"), ("Homs governorate", "homs-province"), ("Latakia", "latakia-province"),
    ("Lattakia", "latakia-province"), ("Latakia province", "latakia-province"), ("Anbar", "anbar-province"),
    ("al-Anbar", "anbar-province"), ("Anbar province", "anbar-province"),
    # the centre, the south and the Aleppo countryside
    ("Tiyas", "t4-air-base"), ("T-4", "t4-air-base"), ("T4 air base", "t4-air-base"), ("Tayfour airbase", "t4-air-base"),
    ("Tadmur", "palmyra"), ("Tadmor", "palmyra"), ("Palmyra airbase", "palmyra-air-base"),
    ("Palmyra air base", "palmyra-air-base"), ("Kobane", "kobani"), ("Kobanê", "kobani"), ("Ain al-Arab", "kobani"),
    ("Ayn al Arab", "kobani"), ("Menbij", "manbij"), ("Manbej", "manbij"), ("Tishrin dam", "tishreen-dam"),
    ("Tishreen", "tishreen-dam"), ("Kuweires", "kweires-air-base"), ("Kweiris airbase", "kweires-air-base"),
    ("Abu Kamal", "albukamal"), ("Boukamal", "albukamal"), ("Al Bukamal", "albukamal"),
    ("Albu Kamal crossing", "albukamal-al-qaim-crossing"), ("al-Qaim crossing", "albukamal-al-qaim-crossing"),
    ("al-Qaim", "al-qaim"), ("Quneitra", "quneitra-province"), ("Quneitra governorate", "quneitra-province"),
    ("Daraa", "daraa-province"), ("Deraa", "daraa-province"), ("Dara'a", "daraa-province"),
    ("Suwayda", "sweida-province"), ("As Suwayda", "sweida-province"), ("Sweida city", "sweida"),
    ("Hermon", "mount-hermon-syria"), ("Mount Hermon", "mount-hermon-syria"),
    ("Jabal al-Shaykh", "mount-hermon-syria"), ("Jabal el Sheikh", "mount-hermon-syria"),
    ("Beit Jin", "beit-jinn"), ("Beit Jinn", "beit-jinn"), ("Kisweh", "al-kiswah"), ("al Kiswa", "al-kiswah"),
    ("Sayyida Zeinab", "sayyida-zaynab"), ("Sayyidah Zainab", "sayyida-zaynab"), ("Sirghaya", "serghaya"),
    ("Tal Rifat", "tal-rifaat"), ("Tell Rifaat", "tal-rifaat"), ("Afrin", "afrin"), ("Efrin", "afrin"),
    ("Afreen", "afrin"), ("Deir Hafir", "deir-hafer"), ("Dayr Hafir", "deir-hafer"), ("Maskana", "maskanah"),
    ("Meskene", "maskanah"), ("Qusair", "qusayr"), ("al-Qusayr", "qusayr"), ("Tall Baydar", "tall-baydar-base"),
    ("Tel Beydar", "tall-baydar-base"), ("Tal Baydar base", "tall-baydar-base"),
    ("Golan buffer zone", "golan-buffer-zone"), ("UNDOF zone", "golan-buffer-zone"), ("buffer zone", "golan-buffer-zone"),
    ("Hamidiyah", "al-hamidiyah-base"), ("al-Hamidiya base", "al-hamidiyah-base"), ("Yarmouk basin", "yarmouk-basin"),
    ("Yarmuk", "yarmouk-basin"), ("Hama airport", "hama-military-airport"), ("Hama", "hama-province"),
    ("Idlib", "idlib-province"), ("Idleb", "idlib-province"), ("Rif Dimashq", "rif-dimashq-province"),
    ("Damascus countryside", "rif-dimashq-province"), ("Rural Damascus", "rif-dimashq-province"),
    ("Ain Issa", "ain-issa-russian-base"), ("Ayn Issa base", "ain-issa-russian-base"),
    ("Tal Samen", "tal-samen-russian-base"), ("Tel al-Samn base", "tal-samen-russian-base"),
    ("Baath city", "madinat-al-baath"), ("Jubata al-Khashab", "jubata-al-khashab-outpost"),
    ("Tel Ahmar", "tal-ahmar-gharbi"), ("Tal al-Hara", "tell-al-hara"),
]  # fmt: skip

ACTOR_SPELLINGS = [
    ("قسد", "sdf"), ("قوات سوريا الديمقراطية", "sdf"), ("الولايات المتحدة", "us"), ("القوات الأمريكية", "us"),
    ("روسيا", "russia"), ("تركيا", "turkey"), ("إيران", "iran"), ("الجيش السوري", "syrian-army"),
    ("التحالف الدولي", "us-led-coalition"), ("داعش", "isis"),
    ("US", "us"), ("U.S.", "us"), ("USA", "us"), ("United States", "us"), ("America", "us"), ("Americans", "us"),
    ("the Americans", "us"), ("American forces", "us"), ("US forces", "us"), ("U.S. troops", "us"),
    ("US military", "us"), ("American troops", "us"), ("the US", "us"), ("Pentagon", "us"), ("US Army", "us"),
    ("CENTCOM", "centcom"), ("Central Command", "centcom"), ("US Central Command", "centcom"),
    ("coalition", "us-led-coalition"), ("the coalition", "us-led-coalition"), ("US-led coalition", "us-led-coalition"),
    ("US led coalition", "us-led-coalition"), ("international coalition", "us-led-coalition"),
    ("Global Coalition", "us-led-coalition"), ("anti-ISIS coalition", "us-led-coalition"),
    ("CJTF-OIR", "us-led-coalition"), ("OIR", "us-led-coalition"), ("coalition forces", "us-led-coalition"),
    ("Operation Inherent Resolve", "us-led-coalition"),
    ("government", "syrian-government"), ("the government", "syrian-government"),
    ("Syrian government", "syrian-government"), ("Damascus", "syrian-government"),
    ("Syrian authorities", "syrian-government"), ("the regime", "syrian-government"),
    ("Syrian regime", "syrian-government"), ("interim government", "syrian-government"),
    ("Syrian state", "syrian-government"),
    ("Syrian army", "syrian-army"), ("SAA", "syrian-army"), ("Syrian Arab Army", "syrian-army"),
    ("government forces", "syrian-army"), ("Syrian government forces", "syrian-army"),
    ("government troops", "syrian-army"), ("regime forces", "syrian-army"), ("Syrian troops", "syrian-army"),
    ("Syrian military", "syrian-army"),
    ("SDF", "sdf"), ("S.D.F.", "sdf"), ("Syrian Democratic Forces", "sdf"), ("QSD", "sdf"), ("Qasad", "sdf"),
    ("Kurdish forces", "sdf"), ("Kurdish fighters", "sdf"), ("Kurdish-led forces", "sdf"),
    ("Kurdish led SDF", "sdf"), ("the Kurds", "sdf"), ("the Autonomous Administration", "sdf"),
    ("Autonomous Administration", "sdf"), ("AANES", "sdf"),
    ("YPG", "ypg"), ("People's Protection Units", "ypg"), ("Peoples Protection Units", "ypg"),
    ("Kurdish People’s Protection Units", "ypg"),
    ("Mazloum Abdi", "mazloum-abdi"), ("Mazlum Abdi", "mazloum-abdi"), ("Mazloum Kobani", "mazloum-abdi"),
    ("General Mazloum", "mazloum-abdi"), ("Mazloum Abdy", "mazloum-abdi"),
    ("al-Sharaa", "al-sharaa"), ("Ahmed al-Sharaa", "al-sharaa"), ("Ahmad al-Sharaa", "al-sharaa"),
    ("Sharaa", "al-sharaa"), ("al-Shara", "al-sharaa"), ("Ahmed al Sharaa", "al-sharaa"),
    ("President Sharaa", "al-sharaa"), ("Jolani", "al-sharaa"), ("al-Julani", "al-sharaa"),
    ("Abu Mohammed al-Jolani", "al-sharaa"), ("al-Joulani", "al-sharaa"), ("Syrian president", "al-sharaa"),
    ("Assad", "assad"), ("Bashar al-Assad", "assad"), ("Bashar al-Asad", "assad"), ("al-Assad", "assad"),
    ("Bashar Assad", "assad"),
    ("Russia", "russia"), ("Russians", "russia"), ("the Russians", "russia"), ("Russian forces", "russia"),
    ("Moscow", "russia"), ("Kremlin", "russia"), ("the Kremlin", "russia"), ("Russian troops", "russia"),
    ("Putin", "putin"), ("Vladimir Putin", "putin"), ("President Putin", "putin"),
    ("ISIS", "isis"), ("ISIL", "isis"), ("IS", "isis"), ("Islamic State", "isis"), ("Daesh", "isis"),
    ("Daech", "isis"), ("Da'esh", "isis"), ("Islamic State group", "isis"), ("the Islamic State", "isis"),
    ("Iraqi government", "iraqi-government"), ("Baghdad", "iraqi-government"), ("Iraq", "iraqi-government"),
    ("Iraqi authorities", "iraqi-government"),
    ("Iraqi army", "iraqi-army"), ("Iraqi forces", "iraqi-army"), ("Iraqi security forces", "iraqi-army"),
    ("Iraqi troops", "iraqi-army"),
    ("KRG", "kurdistan-regional-government"), ("Kurdistan Regional Government", "kurdistan-regional-government"),
    ("Kurdish Regional Government", "kurdistan-regional-government"),
    ("Turkey", "turkey"), ("Türkiye", "turkey"), ("Turkiye", "turkey"), ("Ankara", "turkey"),
    ("Turkish forces", "turkish-armed-forces"), ("Turks", "turkey"), ("Turkish army", "turkish-armed-forces"),
    ("Iran", "iran"), ("Tehran", "iran"), ("Iranians", "iran"),
    ("Iran-backed militias", "iran-backed-militias"), ("Iranian-backed militias", "iran-backed-militias"),
    ("pro-Iran militias", "iran-backed-militias"), ("Iranian proxies", "iran-backed-militias"),
    ("HTS", "opposition-forces"), ("Hayat Tahrir al-Sham", "opposition-forces"),
    ("Hay'at Tahrir al-Sham", "opposition-forces"), ("Hayat Tahrir ash-Sham", "opposition-forces"),
    ("rebels", "opposition-forces"), ("opposition forces", "opposition-forces"),
    ("Arab tribes", "tribal-fighters"), ("tribal fighters", "tribal-fighters"),
    ("Arab tribal fighters", "tribal-fighters"), ("tribesmen", "tribal-fighters"),
    ("Tom Barrack", "tom-barrack"), ("Barrack", "tom-barrack"), ("US envoy", "tom-barrack"),
    ("Thomas Barrack", "tom-barrack"),
    ("Syrian Ministry of Defence", "syrian-defence-ministry"), ("Ministry of Defense", "syrian-defence-ministry"),
    ("Defence Ministry", "syrian-defence-ministry"), ("Syrian MoD", "syrian-defence-ministry"),
    ("Interior Ministry", "syrian-interior-ministry"), ("Syrian Interior Ministry", "syrian-interior-ministry"),
    ("Ministry of Interior", "syrian-interior-ministry"), ("General Security", "syrian-interior-ministry"),
    ("Syrian Civil Aviation Authority", "syrian-civil-aviation-authority"),
    ("civil aviation authority", "syrian-civil-aviation-authority"),
    # Israel, Iran and its allies, Turkey and the SNA, Russia's forces, the coalition's members
    ("IDF", "idf"), ("Israelis", "israel"), ("Israeli army", "idf"), ("Israeli forces", "idf"),
    ("Israeli Air Force", "israeli-air-force"), ("IAF", "israeli-air-force"), ("Israeli jets", "israeli-air-force"),
    ("Netanyahu", "netanyahu"), ("Hizbollah", "hezbollah"), ("Hizballah", "hezbollah"), ("Hezbollah", "hezbollah"),
    ("IRGC", "irgc"), ("Revolutionary Guards", "irgc"), ("Quds Force", "irgc"), ("Iranian forces", "irgc"),
    ("PMF", "pmf"), ("Hashd", "pmf"), ("Hashd al-Shaabi", "pmf"), ("Popular Mobilisation Forces", "pmf"),
    ("Kataib Hezbollah", "kataib-hezbollah"), ("Kata'ib Hizballah", "kataib-hezbollah"), ("Nujaba", "nujaba"),
    ("Fatemiyoun", "fatemiyoun"), ("Fatemiyoon", "fatemiyoun"), ("Zeinabiyoun", "zainabiyoun"),
    ("SNA", "sna"), ("Syrian National Army", "sna"), ("Turkish-backed factions", "sna"),
    ("Turkish backed factions", "sna"), ("Amshat", "sultan-suleiman-shah-division"),
    ("Hamzat", "hamza-division"), ("Sultan Murad", "sultan-murad-division"), ("Jabhat al-Shamiya", "levant-front"),
    ("TSK", "turkish-armed-forces"), ("Turkish military", "turkish-armed-forces"),
    ("Russian army", "russian-armed-forces"), ("Russian military police", "russian-military-police"),
    ("Russian Navy", "russian-navy"), ("Russian Air Force", "russian-aerospace-forces"),
    ("Sergey Lavrov", "sergei-lavrov"), ("Peskov", "dmitry-peskov"), ("Evkurov", "yunus-bek-yevkurov"),
    ("Britain", "uk"), ("British forces", "royal-air-force"), ("French forces", "french-armed-forces"),
    ("Jordanian Air Force", "jordanian-armed-forces"), ("Royal Jordanian Air Force", "jordanian-armed-forces"),
    ("Maghawir al-Thawra", "syrian-free-army"), ("Jaish Maghawir al-Thawra", "syrian-free-army"),
]  # fmt: skip

# Names that mean more than one place: each must ask, naming every one of them.
AMBIGUOUS = [
    ("Shaddadi", {"al-shaddadi-base", "al-shaddadi-town"}),
    ("Shadadi", {"al-shaddadi-base", "al-shaddadi-town"}),
    ("Al-Shaddadi", {"al-shaddadi-base", "al-shaddadi-town"}),
    ("Ash-Shaddadah", {"al-shaddadi-base", "al-shaddadi-town"}),
    ("al Shaddadi", {"al-shaddadi-base", "al-shaddadi-town"}),
    # The data gives Tal al-Ahmar al-Gharbi the alias "Tlul al-Humr", a spelling of another record's name.
    ("Tulul al-Humr", {"tal-ahmar-gharbi", "tulul-al-humr"}),
    # "al-Qaim crossing" also answers to "al-Qaim": a crossing named after the town across the border.
    ("Qaim", {"al-qaim", "albukamal-al-qaim-crossing"}),
]


def _outcome(kind: str, spelling: str) -> str | None:
    """The id the spelling resolves to; None when it resolves to nothing (or asks which)."""
    try:
        return getattr(DATA, kind)(spelling).id
    except (NotFoundError, AmbiguousNameError):
        return None


def test_at_least_130_spellings_and_95_percent_resolve_right_with_none_wrong():
    cases = [("site", s, i) for s, i in SITE_SPELLINGS] + [("actor", s, i) for s, i in ACTOR_SPELLINGS]
    assert len(cases) >= 130
    assert len({(k, s) for k, s, _ in cases}) == len(cases), "a spelling is listed twice"
    outcomes = [(kind, spelling, expected, _outcome(kind, spelling)) for kind, spelling, expected in cases]
    wrong = [(s, e, got) for _, s, e, got in outcomes if got is not None and got != e]
    unresolved = [s for _, s, _, got in outcomes if got is None]
    assert wrong == []
    assert (len(cases) - len(unresolved)) / len(cases) >= 0.95, unresolved


def test_every_listed_spelling_names_a_record_that_exists():
    for kind, spellings in (("sites", SITE_SPELLINGS), ("actors", ACTOR_SPELLINGS)):
        assert {i for _, i in spellings} <= set(getattr(DATA, kind))


@pytest.mark.parametrize("spelling, choices", AMBIGUOUS)
def test_a_name_two_places_share_asks_which(spelling, choices):
    with pytest.raises(AmbiguousNameError) as caught:
        DATA.site(spelling)
    message = str(caught.value)
    names = {DATA.sites[c].name for c in choices}
    assert {name for name, _ in caught.value.choices} == names and set(caught.value.ids) == choices
    assert "did you mean" in message and all(f"({DATA.sites[c].kind.replace('_', ' ')})" in message for c in choices)
    for name in names:  # each choice, typed as shown, resolves
        assert DATA.site(name).id in choices


def test_a_place_and_what_lies_in_it_are_one_answer_the_place():
    assert DATA.site("Qamishlo").id == "qamishli"  # the Kurdish name of the city, not its airport
    assert DATA.site("Hasakah").id == "hasakah-province"
    assert DATA.site("Tabqa").id == "tabqa"  # not the dam


# Records of the bundled data that share a name (each asks which, above).
SHARED_NAMES = [{"al-shaddadi-base", "al-shaddadi-town"}, {"tal-ahmar-gharbi", "tulul-al-humr"}]


def test_no_two_unrelated_records_share_a_key_but_those_that_share_a_name():
    """Every pair of bundled names: where keys collide, the records nest, or they share a name in the data."""
    for records, index in ((DATA.actors, DATA.actor_names), (DATA.sites, DATA.site_names)):
        keys: dict[str, set[str]] = {}
        for record in records.values():
            for name in (record.name, *record.aliases):
                if sum(c.isalpha() for c in fold(name)) >= 4:  # shorter names have no key (names.MIN_KEY_LETTERS)
                    keys.setdefault(name_key(name), set()).add(record.id)
        for key, owners in keys.items():
            for a, b in itertools.combinations(sorted(owners), 2):
                nested = a in index.ancestors(b) or b in index.ancestors(a)
                assert nested or {a, b} in SHARED_NAMES, (key, a, b)


def test_folding_and_keys():
    assert fold("Ash-Shaddādah") == "shaddadah"
    assert fold("  AL  Tanf ") == fold("al-Tanf") == fold("At-Tanf") == "tanf"
    assert fold("U.S.") == "us" and fold("the Kremlin") == "kremlin"
    assert fold("Al") == "al"  # an article alone is a word
    assert name_key("Deir ez-Zor") == name_key("Dayr az-Zawr") == name_key("Deir Ezzor") == name_key("Deir al-Zour")
    assert name_key("Hassakeh") == name_key("Hasakah")
    assert name_key("Khmeimim") == name_key("Hmeymim") == name_key("Humaymim")
    assert name_key("Iraq") != name_key("Iran") and name_key("US") != name_key("IS")


def test_the_loose_key_needs_a_name_that_looks_like_the_match():
    for typed in ("Rock", "Rick", "Sa", "Ras"):
        with pytest.raises(NotFoundError):
            DATA.site(typed)


# --- suggestions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, never",
    [
        ("Roj camp", "al-hol"),  # another camp in Hasakah: not a spelling of al-Hol
        ("Ghuwayran prison", "al-shaddadi-prison"),
        ("Mansoura dam", "tabqa-dam"),
        ("Kobani airport", "qamishli-airport"),
        ("Hasakah airport", "qamishli-airport"),
        ("Tal Abyad base", "al-tanf"),
    ],
)
def test_suggestions_never_offer_another_place_of_the_same_kind(typed, never):
    with pytest.raises(NotFoundError) as caught:
        DATA.site(typed)
    offered = {DATA.site(s).id for s in caught.value.suggestions if _outcome("site", s)}
    assert never not in offered, caught.value


def test_suggestions_still_offer_a_misspelling_of_the_same_place():
    with pytest.raises(NotFoundError) as caught:
        DATA.site("Qarsak base")
    assert "Qasrak base" in caught.value.suggestions
    with pytest.raises(NotFoundError) as caught:
        DATA.actor("Syrian Democratic Forcez")
    assert caught.value.suggestions == ["Syrian Democratic Forces"]


@pytest.mark.parametrize(("typed", "offered"), [
    ("SFD", ["SDF"]),  # the same letters in another order
    ("IRG", ["IRGC"]),  # one left out
    ("FSA", []),  # one changed: another force (SAA is the Syrian army), never offered
])  # fmt: skip
def test_a_short_name_is_taken_for_an_acronym_when_suggesting(typed, offered):
    with pytest.raises(NotFoundError) as caught:
        DATA.actor(typed)
    assert caught.value.suggestions == offered


def test_a_short_word_not_in_capitals_is_suggested_as_a_word():
    with pytest.raises(NotFoundError) as caught:
        DATA.site("Hul")  # a word, not an acronym: al-Hawl is offered
    assert caught.value.suggestions == ["al-Hawl"]


# --- nesting --------------------------------------------------------------------------


def test_within_gives_the_site_and_everything_nested_under_it():
    assert DATA.within("qamishli") == {"qamishli", "qamishli-airport"}
    hasakah = DATA.within("hasakah-province")
    assert {"qasrak", "rmelan", "al-hol", "qamishli-airport", "al-shaddadi-prison", "hasakah"} <= hasakah
    assert "tabqa" not in hasakah
    assert DATA.within("qasrak") == {"qasrak"}
    assert DATA.within("syria") >= hasakah | {"al-tanf", "hmeimim", "tartus", "damascus"}
    assert not DATA.within("syria") & {"erbil", "ain-al-asad", "moscow"}


def test_every_bundled_site_in_a_country_the_data_has_lies_in_something():
    countries = {s.name for s in DATA.sites.values() if s.kind == "country"}
    for site in DATA.sites.values():
        if site.kind != "country" and site.country in countries:
            assert site.parent in DATA.sites, site.id


def test_within_survives_a_cycle_that_validation_would_refuse():
    data = Dataset([], [Site("a", "A", parent="b"), Site("b", "B", parent="a")], [])
    assert data.within("a") == {"a", "b"}
    assert data.site_names.ancestors("a") == ["b"]


def test_a_store_without_parents_reads_as_before():
    site = Site.from_json({"id": "x", "name": "X"})
    assert site.parent is None and site.to_json()["parent"] is None
    assert json.loads(json.dumps(site.to_json())) == Site.from_json(site.to_json()).to_json()


def test_find_answers_as_resolve_does_but_none_for_unknown_or_shared_names():
    for kind, spellings in (("site", SITE_SPELLINGS), ("actor", ACTOR_SPELLINGS)):
        index = getattr(DATA, f"{kind}_names")
        for spelling, _ in spellings:
            assert index.find(spelling) == _outcome(kind, spelling), spelling
    assert DATA.site_names.find("Shaddadi") is None and DATA.site_names.find("Xyzzy") is None


def test_two_sites_may_share_a_name_only_when_plainly_two_places():
    from syriabrief.domain.model import Site
    from syriabrief.domain.names import name_clashes

    def clashes(kind, lat, lon):
        raqqa = Site("tall-abyad", "Tall Abyad", kind="town", lat=36.6975, lon=38.9567)
        return name_clashes("site", [Site("other", "Tall Abyad", kind=kind, lat=lat, lon=lon)], [raqqa])

    assert clashes("town", 34.70, 36.72) == []  # some 280 km away, in Homs: another town
    assert clashes("base", 36.70, 38.95) == []  # the base beside the town
    assert clashes("town", 36.72, 38.96)  # 3 km away: the same town twice
    assert clashes("town", None, None)  # no point to tell them apart
