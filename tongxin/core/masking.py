"""How personal data is shown to people who have not revealed it."""


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
