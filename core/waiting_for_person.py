"""What the bot does with a seller's message while a person has been asked for. No Rasa imports.

After a hand-off the seller is never left talking to silence:
- the first message gets one short acknowledgement (not one per message);
- "算了", "不用了", "不要人工了", "机器人"… take the hand-off back: the bot carries
  on with what it already knew (and answers the question, if the message asks one);
- when no agent has written within HANDOFF_TIMEOUT seconds, the seller is told
  and the bot carries on (at the timer, or at the seller's next message if the
  timer was lost with a restart);
- once an agent has written, the bot stays quiet until the agent resumes it.
"""
import re
from typing import Any, Dict, Iterable, Optional

from core.intent_rules import is_question
from core.settings import positive_number

DEFAULT_TIMEOUT_SECONDS = 600.0
TIMEOUT_INTENT = "EXTERNAL_handoff_timeout"  # what Rasa's reminder triggers (actions/handoff.py)
TAKE_BACK_INTENT = "cancel"

ACKNOWLEDGE = "acknowledge"
QUIET = "quiet"
TAKE_BACK = "take_back"
TIMED_OUT = "timed_out"
ASKED_AGAIN = "asked_again"  # a new request for a person after the wait ran out: a new hand-off

# The slots that hold a hand-off, as they are when it ends (the seller took it back, the wait ran out,
# or an agent resumed the bot: actions/handoff.py and channels/handoff_api.py).
ENDED_HANDOFF_SLOTS = {"handed_off": False, "handoff_since": None, "handoff_acknowledged": None,
                       "handoff_during_check": None}

# "算了", "不用了", "不要人工了", "不转了", "用机器人吧", "取消转人工", "没事了", "拜拜"
_TAKE_BACK = re.compile(
    r"算了|算啦|不用了|不需要了|不要了|不等了|不转了|没事了|没事啦|没事儿|不麻烦了|不用麻烦|不麻烦(人工|你们|客服)|"
    r"不找了|自己(弄|搞)好了|搞定了|解决了|^取消|取消吧|取消了|cancel|never ?mind|拜拜|再见|^🙅|"
    r"(不要|不用|不需要|不找|别找|取消|不想要|不想找)(转)?(人工|客服|真人|小二)|"
    r"(问|找|用|回到|换回|还是用|让|跟|和)机器人|机器人你|^机器人[吧啊呀了]?$|你(来)?(回答|告诉)我", re.IGNORECASE)
# "不要机器人", "机器人没用" ask for the opposite; "不取消 我继续等", "算了还是等人工吧", "别算了",
# "我没说不要人工", and a question ("不用了吗?", "算了吗？") keep the request.
_KEEPS_WAITING = re.compile(
    r"(不要|不用|别用|不想要|不想用)机器人|机器人(没用|不行|答不了|听不懂)|"
    r"不取消|别取消|不要取消|继续等|还是等|等人工|等客服|等真人|不是不要|不是不用|不算了|别算了|不是算了|"
    r"没说(不要|算了|不用|取消)|我(就|再|继续)?等(着|一下|一会|吧)|"
    r"(算了|不用了|不要了|不等了|没事了|取消)(吗|么|嘛|[?？])")
def timeout_seconds(env: Optional[Dict[str, str]] = None) -> float:
    """HANDOFF_TIMEOUT in seconds (default 600: 10 minutes); unreadable or ≤ 0 means the default."""
    return positive_number("HANDOFF_TIMEOUT", DEFAULT_TIMEOUT_SECONDS, float, env)


def takes_back(intent: Optional[str], text: str) -> bool:
    """Whether the seller withdraws the request for a person."""
    text = re.sub(r"\s", "", text or "")
    if _KEEPS_WAITING.search(text):
        return False
    return intent == TAKE_BACK_INTENT or bool(_TAKE_BACK.search(text))


def question_besides_take_back(text: str) -> bool:
    """Whether ``text`` asks a question besides taking the hand-off back ("取消 我就想知道退出入口在哪")."""
    rest = _TAKE_BACK.sub("", re.sub(r"\s", "", text or ""))
    return len(re.sub(r"[\W_]", "", rest)) >= 4 and is_question(rest)


def agent_has_written(events: Iterable[Dict[str, Any]], since: Optional[float]) -> bool:
    """Whether an agent's message (metadata ``agent``) came after the hand-off at ``since``."""
    return any(e.get("event") == "bot" and (e.get("metadata") or {}).get("agent")
               and (since is None or (e.get("timestamp") or 0) >= since) for e in events)


def waiting_turn(intent: Optional[str], text: str, *, since: Optional[float], now: float, timeout: float,
                 acknowledged: bool, agent_wrote: bool) -> str:
    """What to do with this message: ACKNOWLEDGE, QUIET, TAKE_BACK, TIMED_OUT or ASKED_AGAIN."""
    overdue = since is not None and now - since >= timeout and not agent_wrote
    if intent == TIMEOUT_INTENT:
        return TIMED_OUT if overdue else QUIET
    taken_back = takes_back(intent, text)
    if overdue and intent == "request_human" and not taken_back:
        return ASKED_AGAIN
    if taken_back:
        return TAKE_BACK
    if overdue:
        return TIMED_OUT
    if agent_wrote or acknowledged:
        return QUIET
    return ACKNOWLEDGE
