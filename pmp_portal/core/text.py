"""Latvian alphabetical order.

Unicode's default collation puts "Ābele" before "Abols" (it treats the macron as a secondary
difference). Latvian dictionaries sort every letter with a diacritic as a letter of its own,
after its base: A < Ā < B < C < Č … Z < Ž. Python has no built-in for that and ICU would be a
heavy system dependency for a few short lists, so the key is written here.
"""

from collections.abc import Callable, Iterable

# The Latvian alphabet, with Q, W, X, Y at their Latin places for foreign names.
_ALPHABET = "aābcčdeēfgģhiījkķlļmnņoprqsštuūvwxyzž"
_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
_DIGITS_AND_SPACE = 0  # spaces and digits sort before letters, as in a phone book
_OTHER = len(_ALPHABET) + 1


def latvian_key(text: str) -> tuple[tuple[int, int], ...]:
    """Sort key for ``text`` in Latvian order; case only breaks ties."""
    key = []
    for char in text.strip():
        lower = char.lower()
        if lower in _RANK:
            key.append((_RANK[lower] + 1, 0 if char == lower else 1))
        elif lower.isspace():
            key.append((_DIGITS_AND_SPACE, 0))
        elif lower.isdigit():
            key.append((_DIGITS_AND_SPACE, 1 + int(lower)))
        elif lower.isalnum():
            key.append((_OTHER, ord(lower)))
        # Punctuation and quotes ("PII “Pīlādzītis”") do not take part in the order.
    return tuple(key)


def latvian_sorted[T](items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    return sorted(items, key=lambda item: latvian_key(key(item)))
