"""How personal data is shown to people who have not revealed it."""

import re


def mask_document(number: str) -> str:
    """330824********1234: region and last four stay, the birth date goes."""
    if len(number) <= 4:
        return "*" * len(number)
    if len(number) >= 14:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    return "*" * (len(number) - 4) + number[-4:]


def mask_phone(number: str) -> str:
    """138****1234."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


# Long digit runs (ID numbers, phones, Excel's numeric IDs) and Excel's scientific notation.
_DIGITS = re.compile(r"\d{7,}[Xx]?")
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[Ee]\+?\d+")


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if len(run) in (15, 18):
        return mask_document(run)
    if len(run) == 11 and run.startswith("1"):
        return mask_phone(run)
    return "*" * (len(run) - 4) + run[-4:]


def mask_in_text(text: str) -> str:
    """Free text (a spreadsheet cell, a problem message) with anything that looks like an ID
    number or a phone masked."""
    text = _SCIENTIFIC.sub(lambda m: "*" * len(m.group(0)), text)
    return _DIGITS.sub(_mask_run, text)
