"""The exit check's facts, declared once. No Rasa imports.

Derived from this table: the reader's words and cues (``core.shop_facts``),
the slot each fact fills (``Fact.value``, asked by ``utter_ask_<slot>`` in
domain.yml), the agents' shop check and its API fields, and the labels the
agents' desk and the hand-off webhook show (``fact_labels``).
Adding a fact means a row here, its question and slot in domain.yml, and its
rule in ``core.eligibility``.
"""
from dataclasses import dataclass
from typing import Dict, Tuple

from core.eligibility import Fact


@dataclass(frozen=True)
class FactSpec:
    """One fact the exit check needs, and how sellers talk about it.

    Cues are regular expressions over normalised text (``core.normalization``).
    """

    fact: Fact
    api_field: str  # name in the agents' API and the hand-off payload
    label: str  # what agents see
    # Words that name the fact: "维权", "强制类目", "保证金".
    mentions: Tuple[str, ...]
    # Phrases meaning the fact holds, even with a negation inside ("没处理完" =
    # a dispute still open) or without naming it ("交过了", "还在卖").
    true_cues: Tuple[str, ...] = ()
    # Phrases meaning the fact does not hold, without a plain "没有"
    # ("处理完了" = closed, "下架了" = off sale).
    false_cues: Tuple[str, ...] = ()

    @property
    def slot(self) -> str:
        return self.fact.value


FACT_TABLE: Tuple[FactSpec, ...] = (
    FactSpec(
        fact=Fact.DISPUTE,
        api_field="dispute",
        label="维权中的订单",
        mentions=("售后纠纷", "维权", "纠纷", "dispute"),
        true_cues=(r"(没|未)\S{0,3}(完|好|结束|解决|关闭|判|结果)", r"快\S{0,3}(完|结束|好|关)", "马上就",
                   "还剩", "处理中", "进行中", "审核中", "申诉中", "正在", "还在", "在维权", r"等\S{0,2}(判|结果|处理)",
                   "又来了", "又有", "新来", "申请了", "发起", "被维权", "提示有"),
        false_cues=(r"(处理|弄|搞|办|判|解决|忙)(完|好)", "结束", "完结", "关闭", "关了", r"(?<![要会快])撤(销|回)?(了|掉)", "已撤", "清零", "搞定", "没了",
                    "没剩", "显示0", "是0", "为0", "都完"),
    ),
    FactSpec(
        fact=Fact.FORCED,
        api_field="forced",
        label="在售的强制类目商品",
        # 连衣裙 is facts.md's example of a forced category (K11).
        # "普通类目" / "非强制类目" name the fact to deny it (a false cue below).
        mentions=("强制类目", "强制的类目", "强制加入的类目", "必须选保障的类目", "强制", "连衣裙", "普通类目",
                  "非强制类目"),
        true_cues=("还在卖", "在卖", "在售", "卖着", "上架着", "还挂着", "属于"),
        false_cues=("下架", "撤下", "不卖", "下了", "下掉", "不做了", r"删\S?了", "停售", "仓库", "没上架", "普通类目", "非强制",
                    "不是强制"),
    ),
    FactSpec(
        fact=Fact.COVERED,
        api_field="covered",
        label="已交保证金或已加入订单险",
        mentions=("消保保证金", "保证金", "订单险", "deposit", "insurance"),
        true_cues=(r"(交|缴|缴纳|充|存|付|补|买|加|开|开通|参加|加入|投保|办|弄)(了|过|好|齐|上)", r"已(经)?\S{0,2}(交|缴|买|加|开|投保)",
                   "都有", "有了", "两个都有", "都交", r"(交|缴|买|加|开|参加|投保)着", "在用", "生效",
                   # a verb of paying with a time word and no 了: "订单险上个月刚买", "保证金早就交"
                   r"(刚|早就|早|已经|之前|去年|上个?月|上周)\S{0,2}(交|缴|买|加入|开通|投保)"),
        # Not (yet, or no longer, or not enough) covered, though a verb of paying is there.
        false_cues=("申请中", "审核中", "没批", "没通过", "被拒", "拒了", "过期", "到期", "失效", "不够", "没交够",
                    "没交齐", "差一些", "只交了一部分", r"(?<![以能])退了",  # not "现在可以退了吧"
                    # part of the category's standard amount is not enough (N1)
                    "一部分", "部分", "一半", "没交满", "没交全", "没交足", "不足", "少交"),
    ),
)

BY_SLOT: Dict[str, FactSpec] = {spec.slot: spec for spec in FACT_TABLE}
BY_API_FIELD: Dict[str, FactSpec] = {spec.api_field: spec for spec in FACT_TABLE}
