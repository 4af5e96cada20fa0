"""Bring a seller's message into one canonical form before NLU.

Sellers write 帐期 for 账期, traditional characters, full-width punctuation,
pinyin initials (zqbz), spaces and "？？？". The same function runs on training
data (through ``components.text_normalizer``) and on live messages, so the model
only ever sees the canonical form.

Steps, in order:
1. Unicode NFKC per character (full-width letters, digits and punctuation to ASCII).
2. Lower case.
3. Traditional to simplified Chinese with OpenCC (``t2s``).
4. Known misspellings of domain terms and colloquial spellings (帐期 → 账期,
   咋 → 怎么, …).
5. Full pinyin (zhang qi bao zhang → 账期保障) spelled with the words of the
   training data (``core.pinyin``).
6. Pinyin initials of domain terms (zqbz → 账期保障), derived with pypinyin from
   the jieba user dictionary, so a new term gets its initials for free.
7. Spaces between Chinese characters dropped, other runs of spaces folded,
   repeated punctuation folded ("???" → "?").

Nothing here imports Rasa.
"""
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List

import opencc
from pypinyin import Style, lazy_pinyin

from core.pinyin import PinyinReader

# Misspellings and variants of domain terms, and colloquial spellings of common
# question words, seen in sellers' messages. Traditional characters are not
# listed here: OpenCC converts them.
MISSPELLINGS: Dict[str, str] = {
    "咋": "怎么",
    "肿么": "怎么",
    "啥": "什么",
    "神马": "什么",
    "木有": "没有",
    "莫有": "没有",
    "冇": "没有",
    "米有": "没有",
    "帐期": "账期",
    "账起": "账期",
    "帐起": "账期",
    "账期保证": "账期保障",
    "千n": "千牛",
    "维全": "维权",
    "微权": "维权",
    "类木": "类目",
    "保正金": "保证金",
    "定单险": "订单险",
    "退步掉": "退不掉",
    "退布掉": "退不掉",
    "订单脸": "订单险",
}

# Where the NLU pipeline keeps a message as the seller wrote it (spaces and
# all), next to the normalised text Rasa passes on.
TEXT_AS_WRITTEN = "text_as_written"

# Initials shorter than this are too ambiguous to expand ("bz" could be anything).
MIN_INITIALS = 3

_CJK = r"\u4e00-\u9fff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
_REPEATED_PUNCT = re.compile(r"([?!.,~。，！？、…])\1+")
_LATIN_WORD = re.compile(r"[a-z]+")


def load_terms(dictionary_dir: Path, tag: str = "n") -> List[str]:
    """Words tagged ``tag`` in the jieba user-dictionary files (``word freq tag``).

    Only nouns get pinyin initials: sellers abbreviate names of things (zqbz,
    bzj), and verbs' initials collide with English (退不掉 would steal "tbd").
    """
    terms: List[str] = []
    for path in sorted(Path(dictionary_dir).glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 3 and not parts[0].startswith("#") and parts[2] == tag:
                terms.append(parts[0])
    return terms


def initials_map(terms: Iterable[str]) -> Dict[str, str]:
    """Map pinyin initials to the one Chinese term they stand for.

    Initials shared by two different terms are left out: guessing would be worse
    than leaving the letters for the classifier.
    """
    found: Dict[str, set] = {}
    for term in terms:
        if not re.fullmatch(rf"[{_CJK}]+", term):
            continue
        letters = "".join(lazy_pinyin(term, style=Style.FIRST_LETTER))
        if len(letters) >= MIN_INITIALS:
            found.setdefault(letters, set()).add(term)
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1}


_SURROGATES = re.compile(r"[\ud800-\udfff]")


def load_sentences(dictionary_dir: Path) -> List[str]:
    """The training examples (``data/nlu`` beside the dictionary folder) and dictionary words."""
    sentences: List[str] = []
    for path in sorted((Path(dictionary_dir).parent / "nlu").glob("*.yml")):
        sentences += _EXAMPLE.findall(path.read_text(encoding="utf-8"))
    for path in sorted(Path(dictionary_dir).glob("*.txt")):
        sentences += [line.split()[0] for line in path.read_text(encoding="utf-8").splitlines()
                      if line.strip() and not line.startswith("#")]
    return sentences


_EXAMPLE = re.compile(r"^\s*- (.+)$", re.MULTILINE)


class Normalizer:
    """Callable that turns raw seller text into the canonical form."""

    def __init__(self, terms: Iterable[str] = (), sentences: Iterable[str] = ()) -> None:
        self._initials = initials_map(terms)
        self._pinyin = PinyinReader(sentences)
        self._t2s = opencc.OpenCC("t2s")

    def __call__(self, text: str) -> str:
        text = _SURROGATES.sub("", text)  # lone halves are not text (OpenCC cannot encode them)
        text = "".join(_nfkc_char(ch) for ch in text).lower()
        text = self._t2s.convert(text)
        for wrong, right in MISSPELLINGS.items():
            text = text.replace(wrong, right)
        text = self._pinyin(text)
        text = _LATIN_WORD.sub(self._expand_initials, text)
        text = _SPACE_BETWEEN_CJK.sub("", text)
        text = _SPACES.sub(" ", text).strip()
        return _REPEATED_PUNCT.sub(r"\1", text)

    def _expand_initials(self, match: "re.Match[str]") -> str:
        return self._initials.get(match.group(0), match.group(0))


def _nfkc_char(ch: str) -> str:
    """NFKC for one character, unless it would expand into several (㈠ → (一))."""
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 else ch


@lru_cache(maxsize=4)
def normalizer_for(dictionary_dir: str) -> Normalizer:
    """One shared normaliser per dictionary folder (building it reads files)."""
    return Normalizer(load_terms(Path(dictionary_dir)), load_sentences(Path(dictionary_dir)))
