"""Read full pinyin as Chinese words: "zhang qi bao zhang zen me tui chu" → 账期保障怎么退出.

Sellers type pinyin when their input method is off, with or without spaces or
tones ("zhangqibaozhang", "zhàng qī", "zhang4 qi1"). Only the words the bot
knows matter, so the vocabulary is every stretch of up to ``MAX_WORD_SYLLABLES``
characters of the training examples and the domain dictionary: a run of latin
words that split into valid pinyin syllables (at least ``MIN_SYLLABLES``) is
replaced by the fewest known stretches that spell it, the more frequent winning
a tie. Runs that are not
pinyin ("how to", "hold", "zqbz") are left alone. Nothing here imports Rasa.
"""
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Tuple

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PINYIN_DICT

MIN_SYLLABLES = 2
# One unspaced word must be longer to count as pinyin: English words split into
# syllables too ("mean" = me + an, "change" = chan + ge).
MIN_SYLLABLES_ONE_WORD = 3
MAX_WORD_SYLLABLES = 6
MAX_WORD_LETTERS = 60  # a longer run of letters is not a pinyin word
_RUN = re.compile(r"[a-z]+[1-5]?(?:\s+[a-z]+[1-5]?)*")
_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")


def strip_tones(text: str) -> str:
    """"zhàng qī" → "zhang qi", "lü" → "lv"; other characters unchanged."""
    out = []
    for ch in text:
        if ch in "üǖǘǚǜ":
            out.append("v")
            continue
        base = unicodedata.normalize("NFKD", ch)[0]
        out.append(base if ch != base and base.isascii() and base.isalpha() else ch)
    return "".join(out)


@lru_cache(maxsize=1)
def syllables() -> frozenset:
    """Every toneless pinyin syllable (pypinyin's character table)."""
    found = set()
    for readings in PINYIN_DICT.values():
        for reading in readings.split(","):
            found.add(strip_tones(reading))
    return frozenset(s for s in found if s.isascii() and s.isalpha())


def split_syllables(letters: str) -> Optional[List[str]]:
    """``letters`` as the fewest pinyin syllables, or None if it is not pinyin."""
    if len(letters) > MAX_WORD_LETTERS:
        return None
    valid = syllables()
    fewest: List[Optional[int]] = [0] + [None] * len(letters)  # syllables up to each position
    back = [0] * (len(letters) + 1)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - 6), end):
            count = fewest[start]
            if count is not None and letters[start:end] in valid and (
                    fewest[end] is None or count + 1 < fewest[end]):
                fewest[end], back[end] = count + 1, start
    if fewest[-1] is None:
        return None
    pieces, end = [], len(letters)
    while end:
        pieces.append(letters[back[end]:end])
        end = back[end]
    return pieces[::-1]


class PinyinReader:
    """Turns pinyin runs in normalised text into the known words they spell."""

    def __init__(self, sentences: Iterable[str]) -> None:
        counts: Counter = Counter()
        for sentence in sentences:
            for chunk in _CJK_WORD.findall(sentence):
                sounds = lazy_pinyin(chunk, style=Style.NORMAL)  # one per character, in context
                for start in range(len(chunk)):
                    for end in range(start + 1, min(len(chunk), start + MAX_WORD_SYLLABLES) + 1):
                        counts[(tuple(sounds[start:end]), chunk[start:end])] += 1
        self._by_sound: Dict[Tuple[str, ...], Tuple[str, int]] = {}
        for (sound, text), count in counts.items():
            known = self._by_sound.get(sound)
            if known is None or count > known[1]:
                self._by_sound[sound] = (text, count)

    def _spell(self, sounds: List[str]) -> Optional[str]:
        """The fewest known stretches for ``sounds`` (most frequent on a tie)."""
        best: List[Optional[Tuple[int, int, str]]] = [None] * (len(sounds) + 1)
        best[0] = (0, 0, "")
        for end in range(1, len(sounds) + 1):
            for start in range(max(0, end - MAX_WORD_SYLLABLES), end):
                entry = self._by_sound.get(tuple(sounds[start:end]))
                if best[start] is None or entry is None:
                    continue
                pieces, frequency, text = best[start]
                candidate = (pieces + 1, frequency - entry[1], text + entry[0])
                if best[end] is None or candidate[:2] < best[end][:2]:
                    best[end] = candidate
        return best[-1][2] if best[-1] else None

    def _convert(self, tokens: List[str]) -> List[str]:
        """Pinyin tokens spelled out as one Chinese word when they are pinyin and known."""
        sounds: List[str] = []
        for token in tokens:
            sounds += split_syllables(token.rstrip("12345")) or []
        needed = MIN_SYLLABLES if len(tokens) > 1 else MIN_SYLLABLES_ONE_WORD
        spelled = self._spell(sounds) if len(sounds) >= needed else None
        return [spelled] if spelled else tokens

    def _replace(self, match: "re.Match[str]") -> str:
        out: List[str] = []
        group: List[str] = []
        for token in match.group(0).split() + [""]:
            if token and split_syllables(token.rstrip("12345")):
                group.append(token)
                continue
            out += self._convert(group) if group else []
            group = []
            if token:
                out.append(token)
        return " ".join(out)

    def __call__(self, text: str) -> str:
        return _RUN.sub(self._replace, strip_tones(text))
