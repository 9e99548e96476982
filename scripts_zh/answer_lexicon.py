"""Words and patterns of spoken answers (口语、方言、同音字), grouped by what they signal."""

from __future__ import annotations

import re

from scripts_zh.answer_class import AnswerClass

# Words that ASR often writes with homophones; matched on toneless pinyin and rewritten.
CANONICAL_PHRASES = (
    "不清楚",
    "不知道",
    "不明白",
    "不了解",
    "不晓得",
    "清楚",
    "知道",
    "明白",
    "了解",
    "理解",
    "晓得",
    "记得",
    "本人",
    "不是",
    "不对",
    "没有",
    "是的",
    "好的",
    "对的",
    "没问题",
    "问题",
    "可以",
    "退保",
    "投诉",
    "举报",
    "人工",
    "转人工",
    "客服",
    "真人",
    "什么",
    "怎么",
    "多少",
    "签字",
)
# Real words that sound like a lexicon phrase but are not it.
PROTECTED_WORDS = ("全部", "部分", "每", "本来", "基本")
# One-syllable answers recognised by sound when they make up the whole clause (市的 → 是的).
SINGLE_SYLLABLE_ANSWERS = {"shi": "是", "dui": "对", "xing": "行", "hao": "好", "zhong": "中"}

NEGATORS = "不没冇唔莫未"
# Things the customer may say they know (or do not): the objects of negation that mean doubt.
KNOW_WORDS = (
    "清楚",
    "知道",
    "明白",
    "了解",
    "理解",
    "晓得",
    "记得",
    "确定",
    "注意",
    "懂",
    "会",
    "知",
)
# What may stand between a negator and the known thing: 不太清楚, 没大听明白, 不怎么清楚.
NEGATION_GAP = "太很大怎么咋是特别十分完全都也还那一点能听看弄搞整闹得"
# Before a negated knowing, these cancel it: 不是不清楚, 没有不明白的, 谁说我不知道.
DOUBLE_NEGATION_RE = re.compile(r"(不是|没有|没|谁说|并不是)[我也都有什么啥子]{0,3}$")

# "No problem / no objection" (没问题, 没意见, 没有异议) is a yes, not a denial.
NO_PROBLEM_RE = re.compile(
    r"(没|冇|没有|没得)(什么|啥|啥子|别的|一点|任何)?(问题|疑问|毛病|意见|异议)"
)
# Phrases containing a negator that are not a denial: no problem, no need, no mistake, but.
NOT_A_DENIAL_RE = re.compile(NO_PROBLEM_RE.pattern + r"|没错|不错|无误|不用|不过|不得了")
# With a knowing word in the clause, a negated guarantee is what the customer knows
# (知道红利不保证, 分红不保证我知道的), not a denial.
RESTATED_RISK_RE = re.compile(r"(不|没有|没)(能|会|是)?(保证|保本|保底|固定|确定|一定)")
KNOWING_RE = re.compile(r"清楚|知道|明白|了解|晓得|理解")

# A request to surrender (退保, 撤单, 不要了): policy service (保全) takes it.
SURRENDER_REQUEST_RES = (
    re.compile(
        r"(?<![不没别])(要求|要|想|申请|办理?|帮我|给我|打算|准备)(把它|把这个|把|这个)?"
        r"(办)?(个)?(退(?!休))"
    ),
    re.compile(r"^(申请)?退保(退保|吧|了)?$|^(退(了|掉))+(吧|算了)?$|怎么退保|如何退保"),
    re.compile(r"(?<![不别])(不想要|不想买|撤单|撤销|撤保|解约|退款|退钱|钱退|退给我|退回来)"),
    re.compile(r"(?<![不别])不(想)?(要|买)(这个|这份|这|那个)?(保险|保单)?了"),
)
# A complaint (电话投诉): 是不是骗子电话 asks whether the call is genuine, it is not a complaint.
COMPLAINT_RES = (
    re.compile(r"投诉|举报|12378|告你们|(?<!诈)骗(?!子电话|人电话|人的电话)|坑人|太坑|忽悠"),
)
SURRENDER_RES = (*SURRENDER_REQUEST_RES, *COMPLAINT_RES)
# A strong complaint (强烈抱怨) without the word 投诉: anger at the company or the seller.
STRONG_COMPLAINT_RE = re.compile(
    r"太过分|过分了|气死|什么破|破保险|垃圾|恶心|不像话|太差劲|烦死|受够|没完没了|"
    r"(别|不要)再(给我)?打|再打(我)?就|欺负人|黑心|无良"
)
# A request for a person (转人工, 找客服) or the word alone; 客服电话多少 only asks a number.
HUMAN_RES = (
    re.compile(
        r"(?<![不别])(转|接|找|要|换|叫|让|和|跟|有没有).{0,3}?(人工|真人|客服|坐席|工作人员)"
    ),
    # 转接一下, 有人工吗: asking to be put through, or whether a person is there.
    re.compile(r"^(人工|真人)|^客服(服务)?(在吗|呢)?$|^转接|有.{0,2}(人工|真人)(吗|么|没|不)"),
    re.compile(r"(换|找)个?人|跟人说|和人说|(不|别)(想)?(跟|和|同)机器"),
)
# 没买过什么保险, 啥也没说, 什么都不知道: indefinite, not asking.
INDEFINITE_WH_RE = re.compile(r"[不没].{0,3}(什么|啥)|(什么|啥)(也|都)[不没]")
QUESTION_RES = (
    re.compile(
        r"(?<![不没])(?<!没有)(?<!没得)(什么|啥|怎么|怎样|咋|多少|多久|多长|为什么|为啥|干嘛)"
    ),
    # 我哪知道 is a rhetorical "I don't know", not a question.
    re.compile(
        r"哪(?!知道|晓得|懂|清楚|明白|里知道|里懂)|谁(?!说)|(?<!好)几(年|号|月|天|次|岁|点|个)"
    ),
    # Not after a negator: 不对不对 and 不是不是 repeat a denial, they do not ask.
    re.compile(
        r"(?<![不没])(是不是|能不能|有没有|好不好|可不可以|要不要|对不对|会不会|行不行|算不算)"
    ),
    re.compile(r"[吗么]$"),
    # Asking to repeat or to speak up: the prompt is played again.
    re.compile(
        r"再(说|讲|念|重复)一?(遍|下|次)|你再说|重复一|说一遍|讲一遍|没听清|听不清|大声|听得到|"
        r"听得见|听不到|听不见|慢点|慢一点|声音.?小|(?<!没)有(个|一个)?问题"
    ),
)
# Asking for an explanation: after a doubt in the same answer it is that doubt, not a question.
EXPLAIN_REQUEST_RE = re.compile(r"(?<![没不])(解释一?下|解释解释|讲讲|说说|讲一下|说一下)")
# Not answering now: busy, call back later, thinking it over, a bad line.
HOLD_RE = re.compile(
    r"等一下|等一会|等会|稍等|你等|晚点|再打|再说吧|不方便|在忙|在开车|在开会|先挂|"
    r"想想|想一下|考虑|打过来|信号|有事|回头|改天|以后再|下次再|耳朵"
)
UNSURE_RE = re.compile(
    r"忘了|忘记|(记|说|搞|弄|整|闹|听|看|晓)不(太|大)?(清|得|懂|好|上|明)|不好说|"
    r"没注意|没仔细|没细|没看完|没怎么|不确定|不一定|没印象|印象不深|想不起|记不住|不清不楚|"
    r"糊涂|一知半解|迷糊|懵|哪里?(知道|晓得|懂|清楚|明白)"
)
HEDGE_RE = re.compile(r"好像|应该|可能|大概|也许|差不多|部分|一半|一点|有点|有些|是吧|对吧")
RESERVATION_RE = re.compile(r"但是|但|不过|可是|只是")
# Someone else signed, someone else answers (我是他老伴), someone else owns the number.
THIRD_PARTY = (
    r"业务员|销售|代理人|经理|别人|他人|家里人|老公|老婆|老伴|爱人|儿子|女儿|孩子|媳妇|"
    r"他们|替我|帮我|代我|代"
)
DENIAL_RE = re.compile(
    rf"错(了|的|人)|打错|找错|^否$|我是(他|她)|({THIRD_PARTY}).{{0,3}}签|是(我|他|她)?({THIRD_PARTY})的"
)
AFFIRM_RE = re.compile(
    r"清楚|知道|明白|了解|理解|懂|晓得|记得|本人|是我|我就是|就是我|我是|签的|签了|亲笔|亲手|"
    r"自己签|看过|看了|读过|读了|讲过|说过|讲了|买的|没错|确认|确实|可以|要得|对头|是的|对的|好的|"
    r"是这样|当然|肯定|ok|嗯呐"
)
# Whole-clause answers: these tokens and particles only (嗯嗯, 对对对, 是的呀, 中, 行行行).
ANSWER_TOKENS_RE = re.compile(
    r"^(是|对|好|行|中|嗯|昂|系|有|对头|要得|可以|ok|没错|确认|当然|好嘞)+$"
)
PARTICLES = "的呀啊嘛呢吧啦嘞滴哦哈了呐咧噻撒咯哒"
# Clauses that carry no answer: interjections, hesitations, greetings, thanks. Not "go on"
# (嗯嗯，你说 may mean "I am listening", not "yes"). Any other clause beside a yes stops it
# (answer_classifier.WHOLE_YES).
FILLER_RE = re.compile(
    r"[喂嗯呃额唉哎诶欸哦噢喔啊阿呀哟嗨唔□]|那个|这个|就是说|[您你]好|谢谢[您你]?|不用(再)?(说|讲)了?"
)
# Words that say who, not what: left out when a clause is compared with the question.
PRONOUNS = "我你您他她它们这那俺咱"
# How a yes is said, not what: time, scope and degree (我已经都看过了, 确实很清楚, 清楚得很),
# and words pointing back at the question (你说的这些, 刚才讲的).
YES_MODIFIER_RE = re.compile(
    r"已经|早就|早都|一直|都|也|全部|全|很|挺|蛮|非常|完全|真的|确实|一定|就|还|得很|自己|亲自|无误|"
    r"好几次|好多次|几次|多次|几遍|"
    r"[这那]些|[这那]个|刚才|[你您]?(说|讲)的"
)
# The verb a knowing word completes (听明白了, 讲清楚了, 看懂了): part of the yes.
YES_VERB_RE = re.compile(r"[听讲说看读弄搞](?=得?(清|明|懂|了解|知道))")
SIGNED_NAME_RE = re.compile(r"签的?[名字]")  # 我自己签的名: 签的, said in full
NUMBER_RE = re.compile(r"[零〇一二两三四五六七八九十百千万]+")  # a number, whole: 五 is not 五千
# 对了 opening a longer answer is "oh, by the way", not a yes.
DISCOURSE_MARKER_RE = re.compile(r"^(对了|好了|行了)$")

# Whole short answers, matched by sound when nothing else understood a clause (answer_sound.py:
# 小灯 → 晓得). Two to four syllables (one-syllable answers: SINGLE_SYLLABLE_ANSWERS), each
# understood as its class when written correctly (tests/scripts_zh hold them to that).
SHORT_ANSWERS: dict[AnswerClass, tuple[str, ...]] = {
    AnswerClass.AFFIRMATIVE: (
        "是的", "是滴", "是啊", "是呀", "对的", "对头", "对啊", "好的", "好嘞", "可以", "晓得",
        "知道", "清楚", "明白", "了解", "理解", "确认", "没错", "当然", "本人", "是我", "我是",
        "签了", "签的", "看过", "讲过", "说过", "要得", "嗯嗯", "嗯呐", "知道了", "晓得了",
        "清楚的", "明白了", "了解了", "没问题", "是本人", "我签的", "是我签的",
    ),
    AnswerClass.NEGATIVE: ("不是", "不对", "没有", "没签", "不行", "错了", "没说过", "没讲过",
                           "不是我"),
    AnswerClass.UNSURE: ("不清楚", "不知道", "不晓得", "不明白", "不了解", "忘了", "忘记了",
                         "不确定"),
    AnswerClass.QUESTION: ("什么", "什么意思", "再说一遍"),
    AnswerClass.HUMAN: ("转人工", "人工", "真人", "转接", "要人工", "找真人"),
    AnswerClass.SURRENDER_OR_COMPLAINT: ("退保", "投诉", "举报", "我要退保"),
}
# A heard character that is itself a strong word of some class (a negator, 退, 投诉, 人工 …)
# is never rewritten into a different character: 退的 must not become 对的.
SOUND_BLOCKERS = NEGATORS + "退投诉举报骗坑人工客啥么吗"
