"""Place-name look-up: ids, names and aliases, case- and accent-insensitive, with suggestions."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable

from corridor.errors import UnknownPlaceError

# Latin letters that Unicode decomposition does not reduce to ASCII
_FOLD = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "ß": "ss", "đ": "d", "ı": "i",
                       "æ": "ae", "œ": "oe", "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о",
                       "ұ": "у", "ү": "у", "һ": "х", "і": "и"})
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalize(text: str) -> str:
    """Fold a place name for matching: lower case, no accents, no spaces or punctuation.

    >>> normalize("Łódź Olechów"), normalize("Xi'an"), normalize("Frankfurt (Oder)")
    ('lodzolechow', 'xian', 'frankfurtoder')
    """
    if text.isascii():  # nothing to fold or strip but case (most ids of a large network)
        return _NON_WORD.sub("", text.lower())
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _NON_WORD.sub("", folded)


class PlaceIndex:
    """Resolves place names to node ids.

    Parameters
    ----------
    entries : iterable of (node_id, names)
        Each node id with every spelling it answers to (id, name, aliases).
    """

    def __init__(self, entries: Iterable[tuple[str, Iterable[str]]]):
        self._keys: dict[str, str] = {}
        self._labels: dict[str, str] = {}
        for node_id, names in entries:
            names = list(names)
            self._labels[node_id] = names[1] if len(names) > 1 else node_id
            for name in names:
                key = normalize(name)
                if key:
                    self._keys.setdefault(key, node_id)

    def resolve(self, name: str) -> str:
        """Return the node id for ``name``; raise UnknownPlaceError with suggestions otherwise."""
        key = normalize(str(name))
        if key in self._keys:
            return self._keys[key]
        raise UnknownPlaceError(str(name), self.suggest(name))

    def suggest(self, name: str, n: int = 5) -> list[str]:
        """Closest known places to ``name``, as 'Name (id)' strings."""
        key = normalize(str(name))
        close = difflib.get_close_matches(key, list(self._keys), n=n * 3, cutoff=0.6)
        close += [k for k in self._keys if key and len(key) >= 3 and key in k]
        ids: list[str] = []
        for k in close:
            node_id = self._keys[k]
            if node_id not in ids:
                ids.append(node_id)
        return [f"{self._labels[i]} ({i})" for i in ids[:n]]
