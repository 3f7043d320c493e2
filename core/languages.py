"""The languages the directory and the people's profiles name: two-letter codes (ISO 639-1, a few ISO 639-3 where
no two-letter code exists), read from codes or English names as HSDS data and people write them."""

from __future__ import annotations


def _text(value) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


LANGUAGE_CODES = {
    "english": "en",
    "spanish": "es",
    "español": "es",
    "chinese": "zh",
    "mandarin": "zh",
    "vietnamese": "vi",
    "korean": "ko",
    "tagalog": "tl",
    "filipino": "tl",
    "arabic": "ar",
    "russian": "ru",
    "french": "fr",
    "haitian creole": "ht",
    "portuguese": "pt",
    "polish": "pl",
    "urdu": "ur",
    "hindi": "hi",
    "bengali": "bn",
    "somali": "so",
    "amharic": "am",
    "persian": "fa",
    "farsi": "fa",
    "german": "de",
    "italian": "it",
    "japanese": "ja",
    "ukrainian": "uk",
    "nepali": "ne",
    "burmese": "my",
    "khmer": "km",
    "lao": "lo",
    "swahili": "sw",
    "slovak": "sk",
    "greek": "el",
    "hebrew": "he",
    "turkish": "tr",
    "punjabi": "pa",
    "gujarati": "gu",
    "tamil": "ta",
    "telugu": "te",
    "yiddish": "yi",
    "romanian": "ro",
    "dari": "prs",
    "pashto": "ps",
    "tigrinya": "ti",
    "hmong": "hmn",
    "cantonese": "yue",
}
# ISO 639-2/3 codes (HSDS allows them) -> the two-letter codes the directory uses.
LANGUAGE_CODES_3 = {
    "eng": "en",
    "spa": "es",
    "zho": "zh",
    "chi": "zh",
    "vie": "vi",
    "kor": "ko",
    "tgl": "tl",
    "ara": "ar",
    "rus": "ru",
    "fra": "fr",
    "fre": "fr",
    "hat": "ht",
    "por": "pt",
    "pol": "pl",
    "urd": "ur",
    "hin": "hi",
    "ben": "bn",
    "som": "so",
    "amh": "am",
    "fas": "fa",
    "per": "fa",
    "deu": "de",
    "ger": "de",
    "ita": "it",
    "jpn": "ja",
    "ukr": "uk",
    "nep": "ne",
    "mya": "my",
    "bur": "my",
    "khm": "km",
    "lao": "lo",
    "swa": "sw",
    "slk": "sk",
    "slo": "sk",
    "ell": "el",
    "gre": "el",
    "heb": "he",
    "tur": "tr",
    "pan": "pa",
    "tam": "ta",
    "hmn": "hmn",
    "yue": "yue",
    "prs": "prs",
    "pus": "ps",
    "tir": "ti",
}
# The English name of each code, for the documents we export (the first name listed above for it).
LANGUAGE_NAMES = {}
for _name, _code in LANGUAGE_CODES.items():
    LANGUAGE_NAMES.setdefault(_code, _name.title())


def language_code(entry: dict) -> str | None:
    code = _text(entry.get("code")).lower()
    name = _text(entry.get("name")).lower()
    for candidate in (code, name):
        if len(candidate) == 2 and candidate.isalpha():
            return candidate
        if candidate in LANGUAGE_CODES_3:
            return LANGUAGE_CODES_3[candidate]
        if candidate in LANGUAGE_CODES:
            return LANGUAGE_CODES[candidate]
    return None


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, "")


def parse_language_codes(value) -> tuple[list[str], list[str]]:
    """Language codes ("es") or English names ("Spanish"), separated by commas, semicolons or new lines (or a
    list) -> (the codes, in order and once each; what was not recognized)."""
    if value is None:
        items = []
    elif isinstance(value, (list, tuple)):
        items = [str(item) for item in value]
    else:
        items = str(value).replace(";", ",").replace("\n", ",").split(",")
    codes, unknown = [], []
    for item in (item.strip() for item in items):
        if not item:
            continue
        code = language_code({"code": item, "name": item})
        if code is None:
            unknown.append(item)
        elif code not in codes:
            codes.append(code)
    return codes, unknown
