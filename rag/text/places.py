"""Countries and the demonyms news writes for them: "Malian soldiers" are Mali's.

A question about "the Malian army" is about Mali, a sentence on "Nigerien troops" answers
"which country" with Niger, and a question that already names Mali ("Malian") does not get
Mali for an answer. Spelling rules cannot do this safely ("Nigerian" is Nigeria's, "Nigerien"
Niger's; "Dutch", "Swiss", "Ivorian" follow no rule), so it is a table: every UN member and a
few other states and territories news names, with the forms in common use.
"""

from __future__ import annotations

import re

# country: its demonyms, comma-separated (the adjective first, then nouns and plurals that
# are not the adjective plus "s").
_TABLE = """
Afghanistan: Afghan, Afghani
Albania: Albanian
Algeria: Algerian
Andorra: Andorran
Angola: Angolan
Antigua and Barbuda: Antiguan, Barbudan
Argentina: Argentine, Argentinian, Argentinean
Armenia: Armenian
Australia: Australian, Aussie
Austria: Austrian
Azerbaijan: Azerbaijani, Azeri
Bahamas: Bahamian
Bahrain: Bahraini
Bangladesh: Bangladeshi
Barbados: Barbadian, Bajan
Belarus: Belarusian, Belarussian
Belgium: Belgian
Belize: Belizean
Benin: Beninese, Beninois
Bhutan: Bhutanese
Bolivia: Bolivian
Bosnia and Herzegovina: Bosnian, Herzegovinian
Botswana: Botswanan, Motswana, Batswana
Brazil: Brazilian
Brunei: Bruneian
Bulgaria: Bulgarian
Burkina Faso: Burkinabe, Burkinabé, Burkinese
Burundi: Burundian
Cambodia: Cambodian, Khmer
Cameroon: Cameroonian
Canada: Canadian
Cape Verde: Cape Verdean, Cabo Verdean
Central African Republic: Central African
Chad: Chadian
Chile: Chilean
China: Chinese
Colombia: Colombian
Comoros: Comoran, Comorian
Congo: Congolese
Costa Rica: Costa Rican
Croatia: Croatian, Croat
Cuba: Cuban
Cyprus: Cypriot
Czech Republic: Czech
Denmark: Danish, Dane
Djibouti: Djiboutian
Dominica: Dominican
Dominican Republic: Dominican
Ecuador: Ecuadorian, Ecuadorean
Egypt: Egyptian
El Salvador: Salvadoran, Salvadorean
Equatorial Guinea: Equatorial Guinean, Equatoguinean
Eritrea: Eritrean
Estonia: Estonian
Eswatini: Swazi, Emaswati
Ethiopia: Ethiopian
Fiji: Fijian
Finland: Finnish, Finn
France: French, Frenchman, Frenchmen, Frenchwoman
Gabon: Gabonese
Gambia: Gambian
Georgia: Georgian
Germany: German
Ghana: Ghanaian
Greece: Greek
Grenada: Grenadian
Guatemala: Guatemalan
Guinea: Guinean
Guinea-Bissau: Bissau-Guinean
Guyana: Guyanese
Haiti: Haitian
Honduras: Honduran
Hungary: Hungarian
Iceland: Icelandic, Icelander
India: Indian
Indonesia: Indonesian
Iran: Iranian
Iraq: Iraqi
Ireland: Irish, Irishman, Irishmen
Israel: Israeli
Italy: Italian
Ivory Coast: Ivorian
Jamaica: Jamaican
Japan: Japanese
Jordan: Jordanian
Kazakhstan: Kazakh, Kazakhstani
Kenya: Kenyan
Kiribati: I-Kiribati
Kosovo: Kosovar, Kosovan
Kuwait: Kuwaiti
Kyrgyzstan: Kyrgyz, Kyrgyzstani
Laos: Lao, Laotian
Latvia: Latvian
Lebanon: Lebanese
Lesotho: Basotho, Mosotho
Liberia: Liberian
Libya: Libyan
Liechtenstein: Liechtensteiner
Lithuania: Lithuanian
Luxembourg: Luxembourgish, Luxembourger
Madagascar: Malagasy
Malawi: Malawian
Malaysia: Malaysian
Maldives: Maldivian
Mali: Malian
Malta: Maltese
Marshall Islands: Marshallese
Mauritania: Mauritanian
Mauritius: Mauritian
Mexico: Mexican
Micronesia: Micronesian
Moldova: Moldovan
Monaco: Monegasque, Monacan
Mongolia: Mongolian
Montenegro: Montenegrin
Morocco: Moroccan
Mozambique: Mozambican
Myanmar: Myanmarese, Burmese
Namibia: Namibian
Nauru: Nauruan
Nepal: Nepali, Nepalese
Netherlands: Dutch, Dutchman, Dutchmen, Dutchwoman
New Zealand: New Zealander, Kiwi
Nicaragua: Nicaraguan
Niger: Nigerien
Nigeria: Nigerian
North Korea: North Korean
North Macedonia: Macedonian
Norway: Norwegian
Oman: Omani
Pakistan: Pakistani
Palau: Palauan
Palestine: Palestinian
Panama: Panamanian
Papua New Guinea: Papua New Guinean, Papuan
Paraguay: Paraguayan
Peru: Peruvian
Philippines: Filipino, Filipina, Philippine
Poland: Polish, Pole
Portugal: Portuguese
Qatar: Qatari
Romania: Romanian
Russia: Russian
Rwanda: Rwandan, Rwandese
Saint Lucia: Saint Lucian
Samoa: Samoan
San Marino: Sammarinese
Saudi Arabia: Saudi, Saudi Arabian
Senegal: Senegalese
Serbia: Serbian, Serb
Seychelles: Seychellois
Sierra Leone: Sierra Leonean
Singapore: Singaporean
Slovakia: Slovak, Slovakian
Slovenia: Slovenian, Slovene
Solomon Islands: Solomon Islander
Somalia: Somali
South Africa: South African
South Korea: South Korean
South Sudan: South Sudanese
Spain: Spanish, Spaniard
Sri Lanka: Sri Lankan
Sudan: Sudanese
Suriname: Surinamese
Sweden: Swedish, Swede
Switzerland: Swiss
Syria: Syrian
Taiwan: Taiwanese
Tajikistan: Tajik, Tajikistani
Tanzania: Tanzanian
Thailand: Thai
Timor-Leste: Timorese
Togo: Togolese
Tonga: Tongan
Trinidad and Tobago: Trinidadian, Tobagonian
Tunisia: Tunisian
Turkey: Turkish, Turk
Turkmenistan: Turkmen
Tuvalu: Tuvaluan
Uganda: Ugandan
Ukraine: Ukrainian
United Arab Emirates: Emirati
United Kingdom: British, Briton
United States: American
Uruguay: Uruguayan
Uzbekistan: Uzbek, Uzbekistani
Vanuatu: Ni-Vanuatu
Venezuela: Venezuelan
Vietnam: Vietnamese
Yemen: Yemeni
Zambia: Zambian
Zimbabwe: Zimbabwean
"""

# Other names news gives the same country ("the US", "Britain", "DRC").
_ALIASES = """
United States: US, USA, U.S., America, United States of America
United Kingdom: UK, U.K., Britain, Great Britain
Ivory Coast: Côte d'Ivoire, Cote d'Ivoire, Côte d’Ivoire
Congo: Democratic Republic of the Congo, DRC, DR Congo, Republic of the Congo
Czech Republic: Czechia
Myanmar: Burma
Eswatini: Swaziland
North Macedonia: Macedonia
Cape Verde: Cabo Verde
Timor-Leste: East Timor
Netherlands: Holland
South Korea: Korea
Turkey: Türkiye
United Arab Emirates: UAE
"""


def _rows(text: str) -> list[tuple[str, list[str]]]:
    rows = []
    for line in text.strip().splitlines():
        country, _, rest = line.partition(":")
        rows.append((country.strip(), [f.strip() for f in rest.split(",") if f.strip()]))
    return rows


def _key(name: str) -> str:
    return re.sub(r"[’']", "'", name).lower()


_COUNTRY_OF: dict[str, str] = {}
_DEMONYM_OF: dict[str, list[str]] = {}
_DEMONYMS: set[str] = set()
for _country, _forms in _rows(_TABLE):
    _COUNTRY_OF[_key(_country)] = _country
    _DEMONYM_OF[_country] = _forms
    for _form in _forms:
        _COUNTRY_OF.setdefault(_key(_form), _country)
        _DEMONYMS.add(_key(_form))
        if not _form.endswith(("ese", "ss", "sh")):
            _COUNTRY_OF.setdefault(_key(_form) + "s", _country)  # "Malians", "Iraqis"
            _DEMONYMS.add(_key(_form) + "s")
for _country, _forms in _rows(_ALIASES):
    for _form in _forms:
        _COUNTRY_OF.setdefault(_key(_form), _country)
_COUNTRY_OF[_key("Dominican")] = "Dominican Republic"  # the one news means far more often


def _bare(name: str) -> str:
    bare = re.sub(r"'s?$", "", re.sub(r"^the\s+", "", _key(name.strip())))
    # "U.S" is "U.S." whose last dot a sentence's end took (or a span's trim).
    return re.sub(r"^((?:[a-z]\.)+[a-z])$", r"\1.", bare)


def country_of(name: str) -> str | None:
    """The country ``name`` is, or belongs to: "Malian" → "Mali", "Mali’s" → "Mali", "the US"
    → "United States"; None for anything else ("Timbuktu", "JNIM")."""
    return _COUNTRY_OF.get(_bare(name))


def is_country(name: str) -> bool:
    """ "Mali", "Burkina Faso", "the UK": the name of a country itself, not its demonym."""
    return country_of(name) is not None and _bare(name) not in _DEMONYMS


def is_demonym(name: str) -> bool:
    """ "Malian", "Britons", "Japanese": a people or an adjective of a country, not its name."""
    bare = _bare(name)
    return bare in _DEMONYMS and bare not in _COUNTRY_KEYS


_COUNTRY_KEYS = frozenset(_key(c) for c in _DEMONYM_OF)


def same_country(a: str, b: str) -> bool:
    """ "Malian" and "Mali" (or "Mali" and "Malians") name one country."""
    ca = country_of(a)
    return ca is not None and ca == country_of(b)


def spellings(name: str) -> list[str]:
    """ "Malian" → ["Malian", "Mali"]; "Mali" → ["Mali", "Malian"]: the forms a text may use for
    the country ``name`` names, itself first; [name] for any other name."""
    country = country_of(name)
    if country is None:
        return [name]
    forms = [name, country, *_DEMONYM_OF.get(country, [])]
    return list(dict.fromkeys(forms))


# The fifty US states: a "which city" question is not answered by one. New York and Washington
# are left out, since each also names a city.
_STATE_NAMES = """Alabama, Alaska, Arizona, Arkansas, California, Colorado, Connecticut, Delaware,
    Florida, Georgia, Hawaii, Idaho, Illinois, Indiana, Iowa, Kansas, Kentucky, Louisiana, Maine,
    Maryland, Massachusetts, Michigan, Minnesota, Mississippi, Missouri, Montana, Nebraska,
    Nevada, New Hampshire, New Jersey, New Mexico, North Carolina, North Dakota, Ohio, Oklahoma,
    Oregon, Pennsylvania, Rhode Island, South Carolina, South Dakota, Tennessee, Texas, Utah,
    Vermont, Virginia, West Virginia, Wisconsin, Wyoming"""
_US_STATES = frozenset(_key(" ".join(s.split())) for s in re.split(r",", _STATE_NAMES))


def is_us_state(name: str) -> bool:
    """ "Virginia", "North Carolina": a US state (not New York or Washington, also cities)."""
    return _bare(name) in _US_STATES
