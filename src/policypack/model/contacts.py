"""Contact details a school gives, checked the way staff will use them: dialled, written to, typed in.

Phone numbers are checked against the UK numbering plan (the `phonenumbers` package), with
the short numbers staff and children are told to call (999, 112, 101, 111, 116 helplines)
and Ofcom's ranges reserved for fiction (the example school's 01632 960 xxx). E-mail
addresses are checked for their form only (`email-validator`, no look-up on the network).
Every message names what is wrong in the value as written, with an example of the right form.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

PHONE_EXAMPLE = "for example 01632 960 101 or 029 2000 1234 ext 22"
# An extension as schools write it, at the end: "ext 22", "ext. 22", "extension 22", "x22".
EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x)\s*(\d{1,6})\s*$", re.IGNORECASE)
PHONE_CHARACTERS = set("0123456789 ()-.+")
# The numbers everyone in the UK may call without an area code.
SHORT_NUMBERS = {"999": "emergency", "112": "emergency", "101": "police non-emergency", "111": "NHS 111"}
HELPLINE = re.compile(r"116\d{3}")  # 116 000, 116 111 (Childline), 116 123 (Samaritans)...
# Ofcom keeps these for drama and examples: never given to a real line.
FICTION = (re.compile(r"01632960\d{3}"), re.compile(r"07700900\d{3}"))


def phone_digits(phone: str) -> str:
    """The number as dialled within the UK (0 and the digits, no extension, no +44)."""
    number = EXTENSION.sub("", phone)
    digits = re.sub(r"\D", "", number)
    if number.lstrip().startswith("+44"):
        digits = "0" + digits[2:].removeprefix("0")  # "+44 (0)29..." as well as "+44 29..."
    return digits


def is_fiction(phone: str) -> bool:
    """True for a number in one of Ofcom's ranges for drama: nobody answers it."""
    return any(pattern.fullmatch(phone_digits(phone)) for pattern in FICTION)


def check_phone(value: str) -> str:
    """The number as written, stripped, if it is one a UK phone can dial; else ValueError in plain words."""
    text = value.strip()
    number = EXTENSION.sub("", text)
    for index, char in enumerate(number, 1):
        if char not in PHONE_CHARACTERS:
            raise ValueError(
                f"'{text}' has {_character(char)} at character {index} where a digit goes; a phone number is "
                f"digits with spaces, brackets or dashes, and may end with an extension, {PHONE_EXAMPLE}"
            )
    digits = phone_digits(text)
    if number.lstrip().startswith("+") and not number.lstrip().startswith("+44"):
        raise ValueError(f"'{text}' is not a UK number: give the number staff dial from the UK, {PHONE_EXAMPLE}")
    if digits in SHORT_NUMBERS or HELPLINE.fullmatch(digits) or is_fiction(text):
        return text
    try:
        parsed = phonenumbers.parse(number, "GB")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and phonenumbers.is_valid_number(parsed) and parsed.country_code == 44:
        return text
    raise ValueError(_why_not(text, digits))


def _why_not(text: str, digits: str) -> str:
    short = "999, 101, 111 and 116 helplines are the only numbers without an area code"
    if not digits.startswith("0"):
        return f"'{text}' has no area code: a UK number starts with 0 ({short}), {PHONE_EXAMPLE}"
    if len(digits) < 10:
        return (
            f"'{text}' is too short to dial: it has {len(digits)} digits where a UK number with its area code "
            f"has 10 or 11, {PHONE_EXAMPLE}"
        )
    if len(digits) > 11:
        return f"'{text}' has {len(digits)} digits, more than a UK number's 11: is it two numbers? {PHONE_EXAMPLE}"
    return f"'{text}' is not a UK number in use: check the area code and the digits, {PHONE_EXAMPLE}"


def _character(char: str) -> str:
    if char.isalpha():
        return f"the letter '{char}'"
    return "a space that is not a plain space" if char.isspace() else f"'{char}'"


def check_email(value: str) -> str:
    """The address as written, stripped, if its form is right (nothing is looked up)."""
    text = value.strip()
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        reason = str(exc).rstrip(".").replace("@-sign", "@").replace("email address", "address").replace(". It", ": it")
        raise ValueError(
            f"'{text}' is not an e-mail address: {reason[:1].lower()}{reason[1:]}; for example dsl@school.example.org"
        ) from None
    return text


HOST_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")


def check_website(value: str) -> str:
    """An https address of a named site, with nothing a reader could not type from paper."""
    text = value.strip()
    example = "for example https://www.school.example.org/safeguarding"
    if not text.startswith("https://"):
        raise ValueError(f"'{text}' must start with https:// (a secure web address), {example}")
    if any(char.isspace() for char in text):
        raise ValueError(f"'{text}' has a space in it: a web address has none, {example}")
    parts = urlsplit(text)
    host = parts.hostname or ""
    labels = host.split(".")
    if parts.username or parts.password or "@" in parts.netloc:
        raise ValueError(f"'{text}' has a user name or password in it, which must not be printed, {example}")
    if len(labels) < 2 or not all(HOST_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        raise ValueError(f"'{text}' does not name a web site after https://, {example}")
    return text
