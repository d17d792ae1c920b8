"""Time phrases -> the date by which a prediction should have happened (its horizon).

    find_horizon(text, made) -> Horizon | None        the deadline a sentence or clause states
    horizon_from_framing(text, made) -> Horizon | None  the date a heading, title or table header frames

`made` is the document's date; phrases relative to it ("next year", "within three years") get
`date=None` without it (the phrase is still returned, so it can be resolved later with `made`).

Conventions (a period resolves to its END; the last day that still counts as "by then"):

- a year, "in 2024", "by 2031", "by the end of 2026", "until 2027", "~2027", "2026.00", a bare year
  ("I guess 2035")                                                 -> Dec 31 of that year
- "before 2030"                                                    -> 2029-12-31 (the year before)
- "by the start/beginning of 2026"                                 -> 2025-12-31; without by/before -> 2026-01-31
- "early 2025" -> 2025-04-30 (first third), "mid-2025" -> 2025-06-30, "late 2025" -> 2025-12-31
- "Q1..Q4 2025" -> end of that quarter; "H1 2025"/"first half of 2025" -> 2025-06-30; H2 -> 12-31
- seasons (northern): spring -> May 31, summer -> Aug 31, fall/autumn -> Nov 30, winter YEAR -> end
  of February of YEAR+1
- "March 2025", "by March 2025" -> 2025-03-31; "March 5, 2025" -> 2025-03-05; "2025-03-05" as written
- "by June" (a month name without a year, after by/in/before/until/end of) -> the end of the first
  such month ending on or after `made`
- ranges and alternatives take the later end: "2030-2035", "by 2027 or 2028", "2027/28", "5-10 years",
  "20 months to 15 years", "a decade or two"
- decades: "the 2030s" -> 2039-12-31; "early 2030s" -> 2033-12-31, "mid 2030s" -> 2036-12-31,
  "late 2030s" -> 2039-12-31
- relative to `made`: "this year" / "by year-end" -> Dec 31 of made's year; "next year" -> Dec 31 of
  the following year; "this year or next" -> Dec 31 of the following year; "this decade" / "end of the
  decade" -> end of made's decade (2029-12-31 for 2024); "this century" -> 2100-12-31 (for 20xx);
  "this month" / "next month", "this quarter" / "next quarter" -> their last day
- durations are added to `made` exactly (not rounded to a period end): "within three years",
  "in the next 3 years", "over the next twelve months", "in 18 months", "in 7.5 years", "a year from
  now", "17 years later", "5-10 years" (a bare duration), "within a decade", "in the next decade",
  "next decade". Number words: a/an/one..ninety-nine, "a couple (of)" = 2, "a few"/"few" = 3,
  "a dozen" = 12, "half a" = 0.5, "N and a half". "several" gives no date.
- years are 1990..2299 (the corpus has 2250 as a 90% quantile) and never a quantity: "1450 Elo",
  "$2030", "2048 tokens", "3.5%", "GPT-4", "1,000", "rating above 2000" are not years.

No-date phrases return a Horizon with `date=None` and a `kind` saying why, so a caller knows the
sentence states its own (open) time frame and does not borrow one from a heading: open-ended
("eventually", "someday", "sooner or later", "in the long run", "over time", "∞"), lower bounds
("as early as 2026", "at least a decade", "more than 50 years", "after 2030", "2030 at the
earliest", "from 2026 onwards") and event-relative durations ("44 months after weak AGI").
Vague phrases ("soon", "in the coming months", "in the near future", "in several years") and past
references ("since 2020", "back in 2019", "5 years ago") give nothing.

When several phrases occur the deadline wins: by/before/until/end of/within > in/during/for/bare
phrases > no-date phrases > years before made's year; among equals the last one in the text.
"""
import datetime
import re
from dataclasses import dataclass

__all__ = ["Horizon", "find_horizon", "horizon_from_framing"]


@dataclass(frozen=True)
class Horizon:
    date: datetime.date | None  # None: relative phrase without `made`, or a no-date class (see kind)
    phrase: str  # as written in the text
    start: int  # span of the phrase in the text
    end: int
    kind: str = ""  # year | period | range | decade | relative | duration | open | lower_bound | event


# ---------------------------------------------------------------------------------------------
# Numbers and units

_UNITS_W = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_WORDS = {w: i for i, w in enumerate(
    ("zero",) + _UNITS_W + ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
                            "seventeen", "eighteen", "nineteen"))}
_TENS = {w: 10 * i for i, w in enumerate(("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy",
                                           "eighty", "ninety"), 0) if w}
_WORDS.update(_TENS)
_WORDS.update({"a": 1, "an": 1, "a couple of": 2, "a couple": 2, "couple of": 2, "a few": 3, "few": 3,
               "a dozen": 12, "dozen": 12, "a hundred": 100, "hundred": 100, "half a": 0.5, "half an": 0.5,
               "one and a half": 1.5})

_NUM = (r"(?:(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten) and a half|\d+(?:\.\d+)?|(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[- ](?:one|two|three"
        r"|four|five|six|seven|eight|nine)\b)?|one and a half|one|two|three|four|five|six|seven|eight|nine|ten"
        r"|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|a couple(?: of)?"
        r"|couple of|a few|few|a dozen|dozen|a hundred|hundred|half an?|an?)")
_UNIT = r"(?:years?|yrs?|y|months?|mos?|weeks?|wks?|days?|decades?|quarters?|centur(?:y|ies))"
# one duration, or a range of them: "3 years", "5-10 years", "20 months to 15 years", "a decade or two"
_DUR = (rf"(?:~|about |around |roughly |approximately )?{_NUM}\s?(?:(?:-|–|—| to | or |/)\s?{_NUM}\s?)?{_UNIT}"
        rf"(?: and a half)?(?:(?:\s?(?:-|–|—|/)\s?| to | or (?:maybe |perhaps )?){_NUM}\s?{_UNIT}| or (?:two|three|so))?"
        r"(?![\w-])")
_ONE_DUR = re.compile(rf"(?P<n>{_NUM})\s?(?P<u>{_UNIT})(?P<half> and a half)?(?![\w])", re.I)
_RANGE_NUM = re.compile(rf"(?P<a>{_NUM})\s?(?:-|–|—| to | or |/)\s?(?P<b>{_NUM})\s?(?P<u>{_UNIT})", re.I)
_OR_TWO = re.compile(r" or (two|three|so)$", re.I)

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_MONTH_NUM = {m.lower(): i for i, m in enumerate(_MONTHS, 1)}
_MONTH_NUM.update({m[:3].lower(): i for i, m in enumerate(_MONTHS, 1)})
_MONTH_NUM["sept"] = 9
# Case-sensitive (capitalised): "may" and "march" are also words.
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December" \
         r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"

_YEAR = r"(?:199\d|2[0-2]\d\d)"
# a year that is not part of a longer number, an amount or an identifier
_YN = rf"{_YEAR}(?:\.\d\d?)?(?![\d,]\d|\.\d|\w|[%‰])"  # after a word that says it is a year
_Y = rf"(?<![\w$€£¥#.,/+\-]){_YN}"
_YEAR_LOW, _YEAR_HIGH = 1990, 2299


# ---------------------------------------------------------------------------------------------
# Patterns, in order: each yields candidates; of overlapping candidates the longest is kept.

_DEADLINE = r"(?:by|before|until|till|til|through|thru|no later than|not later than|prior to)"
_SOFT = r"(?:in|during|for|around|circa|c\.|about|approximately|roughly|~|≈|as of|at|within)"

_P_EVENT = re.compile(
    rf"(?:>\s?|more than |at least )?{_DUR}\s+(?:after|before|following|post|since)\s+"
    r"(?!now\b|today\b|then\b|this\b|that\b|the (?:start|end|beginning|year|date|time|publication)\b)"
    r"[\"“'‘*]*\w[\w-]*(?: [\w-]+)?[\"”'’*]*", re.I)
_P_LOWER = re.compile(
    rf"\b(?:as early as|at the earliest (?:in |by )?|no sooner than|not (?:before|earlier than)|(?<!or )after"
    rf"|beyond|later than|from|starting(?: in| from)?|beginning in|at least|more than|over|longer than)\s+"
    rf"(?:the (?:end of |year )?)?(?:{_Y}|{_DUR}|(?:a|the) (?:decade|century))(?:\s+onwards?|\s+and beyond)?"
    rf"|>\s?{_DUR}"
    rf"|{_Y}(?:\s+at the earliest|\s+or (?:later|beyond|after)|\s+and beyond|\s+onwards?|\+)", re.I)
_P_OPEN = re.compile(
    r"\b(?:eventually|someday|some day|one day(?= ,|,)|sooner or later|at some point(?: in the future)?"
    r"|in the (?:long|far) (?:run|term|future)|over (?:the long )?time|ever)\b|(?:\bby )?∞(?: \(ever\))?", re.I)
_P_PAST = re.compile(
    rf"\b(?:since|back in|as recently as|ever since|(?:in|over|during|for) the (?:past|last|previous)"
    rf")\s+(?:(?:early|mid|late)[- ]?)?(?:{_Y}|{_DUR})|{_DUR} ago\b|{_Y} ago\b", re.I)
_P_DECADE = re.compile(
    rf"(?:\b(?:{_DEADLINE}|{_SOFT}) (?:the )?(?:end of the )?)?(?:\b(?:early|mid|late)[- ]?)?"
    r"(?<![\w$])(?:19|20|21)\d0['’]?s\b", re.I)
_P_ISO = re.compile(rf"(?:\b(?:{_DEADLINE}|{_SOFT}) )?(?<![\w.])({_YEAR})-(0[1-9]|1[0-2])-([0-3]\d)(?!\d)", re.I)
_P_MONTH_DAY = re.compile(
    rf"(?:\b(?:{_DEADLINE}|{_SOFT}|end of|early|mid|late)[- ])?\b(?P<mon>{_MONTH})\s+(?:(?P<day>[0-3]?\d)(?:st|nd|rd|th)?,?\s+)?"
    rf"(?:of\s+)?(?P<year>{_Y})")
_P_PERIOD = re.compile(
    rf"(?:\b(?P<cue>{_DEADLINE}|{_SOFT})\s+)?(?:the\s+)?(?P<part>"
    r"(?:(?:very\s+)?end|close)\s+of(?:\s+the\s+year)?|year[- ]end|EOY|end-|start\s+of|beginning\s+of"
    r"|mid-?|middle\s+of|early(?:\s+in)?|late(?:\s+in)?|(?:first|second|1st|2nd)\s+half\s+of|H[12]|[12]H"
    r"|Q[1-4](?:\s+of)?|(?:first|second|third|fourth|last|1st|2nd|3rd|4th)\s+quarter\s+of"
    r"|spring(?:\s+of)?|summer(?:\s+of)?|fall(?:\s+of)?|autumn(?:\s+of)?|winter(?:\s+of)?)"
    rf"\s?(?P<year>{_YN})|(?P<year2>{_Y})[- ](?:year[- ])?end\b", re.I)
_P_YEARS = re.compile(
    rf"(?:\b(?:(?P<cue>{_DEADLINE}|{_SOFT})|between|from)\s+|(?P<approx>[~≈]\s?))?(?:the\s+(?:year\s+)?)?"
    rf"(?P<a>{_Y})(?:\s?(?:-|–|—|/|to|or|and|through|until)\s?(?:(?:by|in|until)\s+)?(?P<b>{_YN}|\d\d(?![\d%.,])))?",
    re.I)
_P_RELATIVE = re.compile(
    r"\b(?:(?P<cue>by|before|until|till|in|during|for|within|at|through)\s+)?(?:the\s+)?(?:(?:very\s+)?end\s+of\s+(?:the\s+)?)?"
    r"(?:(?P<this>this|the current|next|the coming|the following)\s+(?P<unit>year|decade|century|month|quarter)"
    r"(?P<ornext>,? or (?:the )?next(?: one| year)?)?|this or next year|(?P<ye>year[- ]end|EOY|end of (?:the )?"
    r"(?:year|decade|century|month|quarter)))\b", re.I)
_P_MONTH_ALONE = re.compile(
    rf"\b(?P<cue>by|in|before|until|till|end of|early|mid|late)[- ](?P<mon>{_MONTH})(?![\w]|\.?\s*(?:\d|of\b))")
_P_DURATION = re.compile(
    rf"\b(?:(?P<cue>within|in|over|during|inside|inside of|under)\s+(?:less than |under |about |around |roughly |"
    rf"approximately |just |only |maybe |perhaps |another |a further |the next |the coming |the following |the upcoming )*"
    rf"|(?:the )?(?:next|coming|following|upcoming)\s+)(?P<dur>{_DUR})(?:['’]s?\s+time)?"
    rf"|(?P<cue2>within|in|over|during)\s+(?:the\s+)?(?:next|coming|following|upcoming)\s+(?P<unit1>year|decade|month|"
    rf"quarter|week|century)\b(?P<ortwo> or (?:two|three))?"
    rf"|\b(?P<dur2>{_DUR})\s+(?P<cue3>from now|out|away|later|hence|from today)\b", re.I)
_P_BARE_DUR = re.compile(rf"\b{_DUR}", re.I)

# what a year or duration must not sit beside: amounts and identifiers
_QUANTITY_AFTER = re.compile(
    r"\s?(?:%|percent|per\b|x\b|×|k\b|m\b|bn?\b|mn\b|tb\b|gb\b|mb\b|kb\b|usd|eur|dollars?|euros?|tokens?|words?|"
    r"pages?|lines?|elo|points?|pts|people|persons|users?|employees|workers|jobs|gpus?|tpus?|chips?|h100s?|"
    r"parameters|params|flops?|samples|steps|images|videos|files|units|cars|robots|models|papers|companies|"
    r"times|calories|miles|km|kilomet|met(?:er|re)s?|feet|ft|kg|tons?|watts?|mw|gw|kwh|twh|hours|hrs|minutes|"
    r"seconds|ms\b|years? old|rating|score|votes|stars|citations|questions|problems|tasks|lives|deaths|"
    r"sq|square|\$|-(?!\d)\w)", re.I)
_QUANTITY_BEFORE = re.compile(
    r"(?:[$€£¥#]|\b(?:rating|rated|elo|score[ds]?|codeforces|top|rank(?:ed)?|number|no\.?|version|v|page|pp?\.|"
    r"room|flight|model|iso|rfc|isbn|issue|pr|item|step|exactly|(?:total|sum|score|rating|price|cost|population|"
    r"budget|count|salary|revenue|value) of)\s?(?:(?:of|is|at|above|below|over|under|"
    r"around|about|than|to|reaches|reach|hits?|between)\s){0,2})$", re.I)
_PAST_AFTER = re.compile(r",?\s+(?:we |they |it |I |he |she |people |there )?(?:saw|was|were|had|did|got|came|"
                         r"happened|started|began|launched|released|showed|brought|marked)\b", re.I)


def _num(word):
    w = re.sub(r"\s+", " ", word.strip().lower()).lstrip("~")
    for prefix in ("about ", "around ", "roughly ", "approximately "):
        if w.startswith(prefix):
            w = w[len(prefix):]
    if w.endswith(" and a half"):
        whole = _num(w[:-len(" and a half")])
        return None if whole is None else whole + 0.5
    if w[:1].isdigit():
        return float(w)
    if w in _WORDS:
        return float(_WORDS[w])
    parts = re.split(r"[- ]", w)
    if len(parts) == 2 and parts[0] in _TENS and parts[1] in _WORDS:
        return float(_TENS[parts[0]] + _WORDS[parts[1]])
    return None  # "several"


def _months_days(n, unit):
    """(months, days) for n units."""
    u = unit.lower().rstrip("s")
    if u in ("year", "yr", "y"):
        return round(n * 12), 0
    if u in ("month", "mo"):
        whole = int(n)
        return whole, round((n - whole) * 30.44)
    if u == "decade":
        return round(n * 120), 0
    if u == "quarter":
        return round(n * 3), 0
    if u in ("century", "centurie", "centuries"):
        return round(n * 1200), 0
    if u in ("week", "wk"):
        return 0, round(n * 7)
    return 0, round(n)  # days


def _add(made, months, days):
    y, m = divmod(made.month - 1 + months, 12)
    year, month = made.year + y, m + 1
    day = min(made.day, _month_end(year, month).day)
    return datetime.date(year, month, day) + datetime.timedelta(days=days)


def _month_end(year, month):
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def _year_end(year):
    return datetime.date(year, 12, 31)


def _duration(text):
    """The longest span a duration phrase names, as (months, days), or None ("several years")."""
    best = None
    spans = [(m.group("n"), m.group("u"), m.group("half")) for m in _ONE_DUR.finditer(text)]
    rng = _RANGE_NUM.search(text)
    if rng:
        spans.append((rng.group("b"), rng.group("u"), None))
    for n, u, half in spans:
        value = _num(n)
        if value is None:
            continue
        if half:
            value += 0.5
        months, days = _months_days(value, u)
        key = months * 30.44 + days
        if best is None or key > best[0]:
            best = (key, months, days)
    tail = _OR_TWO.search(text)
    if best and tail and tail.group(1).lower() != "so":
        factor = 2 if tail.group(1).lower() == "two" else 3
        best = (best[0] * factor, best[1] * factor, best[2] * factor)
    return None if best is None else best[1:]


def _is_year_quantity(text, start, end):
    if _QUANTITY_AFTER.match(text, end):
        return True
    return bool(_QUANTITY_BEFORE.search(text[max(0, start - 40):start]))


# ---------------------------------------------------------------------------------------------
# Candidates: (priority, start, end, date, kind)

_P_DEADLINE, _P_SOFT, _P_BARE, _P_NODATE, _P_PAST_YEAR = 4, 3, 2, 1, 0


def _cue_priority(cue):
    if not cue:
        return _P_BARE
    cue = cue.lower()
    if cue in ("by", "before", "until", "till", "til", "through", "thru", "no later than", "not later than",
               "prior to", "within"):
        return _P_DEADLINE
    return _P_SOFT


def _year_priority(prio, year, made):
    return _P_PAST_YEAR if made is not None and year < made.year else prio


_DIGIT = re.compile(r"\d")
_YEARISH = re.compile(r"(?:199|2[0-2]\d)\d")
_MONTHISH = re.compile(r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
_UNIT_WORDS = ("year", "yr", "month", "mo", "week", "wk", "day", "decade", "quarter", "centur")
_LOWER_CUES = ("early as", "earliest", "sooner than", "not before", "earlier than", "after", "beyond", "later than",
               "from", "starting", "beginning in", "at least", "more than", "over", "longer than", ">", "onward", "+")
_OPEN_CUES = ("eventual", "some day", "someday", "one day", "sooner or later", "at some point", "long run", "long term",
              "far future", "far term", "over time", "ever", "∞")
_RELATIVE_CUES = ("this", "next", "coming", "following", "current", "end of", "year end", "year-end", "eoy")
_PAST_CUES = ("ago", "since", "back in", "as recently", "the past", "the last", "the previous")
_PERIOD_CUES = ("end", "close", "start", "beginning", "mid", "early", "late", "half", "h1", "h2", "1h", "2h", "q1", "q2",
                "q3", "q4", "quarter", "spring", "summer", "fall", "autumn", "winter", "eoy")
_LOWER_POST = ("earliest", "or later", "or beyond", "or after", "and beyond", "onward", "+")
_EVENT_CUES = ("after", "before", "following", "post", "since")


def _merge(spans):
    spans.sort()
    wins = []
    for ws, we in spans:
        if wins and ws <= wins[-1][1]:
            wins[-1][1] = max(wins[-1][1], we)
        else:
            wins.append([ws, we])
    return wins


def _year_windows(text, low):
    """Per pattern family, the merged spans around the years where that family could match: each
    regex then runs on a few dozen characters, not the whole sentence."""
    years, period, past, lower, decade, iso = [], [], [], [], [], []
    for m in _YEARISH.finditer(text):
        a, b = m.span()
        pre, post = low[max(0, a - 40):a], low[b:b + 20]
        years.append((max(0, a - 32), b + 16))
        if "end" in post[:10] or any(c in pre for c in _PERIOD_CUES):
            period.append((max(0, a - 45), b + 12))
        if any(c in pre for c in _PAST_CUES) or "ago" in post:
            past.append((max(0, a - 40), b + 12))
        if any(c in pre for c in _LOWER_CUES) or any(c in post for c in _LOWER_POST):
            lower.append((max(0, a - 40), b + 25))
        if post[:1] == "s" or post[:2] in ("'s", "’s"):
            decade.append((max(0, a - 30), b + 3))
        if post[:1] == "-" and post[1:2].isdigit():
            iso.append((max(0, a - 20), b + 8))
    return _merge(years), _merge(period), _merge(past), _merge(lower), _merge(decade), _merge(iso)


def _unit_windows(low):
    spans = []
    for u in _UNIT_WORDS:
        i = low.find(u)
        while i >= 0:
            spans.append((max(0, i - 70), i + len(u) + 50))
            i = low.find(u, i + 1)
    return _merge(spans)


def _scan(pattern, text, wins):
    for ws, we in wins:
        yield from pattern.finditer(text, ws, we)


def _candidates(text, made):
    found = []
    add = found.append
    low = text.lower()
    digit = _DIGIT.search(text) is not None
    yearish = digit and _YEARISH.search(text) is not None
    unit = any(u in low for u in _UNIT_WORDS)
    monthish = _MONTHISH.search(text) is not None
    wins = _unit_windows(low) if unit else []
    ywins, yperiod, ypast, ylower, ydecade, yiso = _year_windows(text, low) if yearish else ([],) * 6

    for m in _scan(_P_PAST, text, _merge(ypast + wins) if unit and any(c in low for c in _PAST_CUES) else ypast):
        add((-1, m.start(), m.end(), None, "past"))
    for m in _scan(_P_EVENT, text, wins) if unit and any(c in low for c in _EVENT_CUES) else ():
        add((_P_NODATE, m.start(), m.end(), None, "event"))
    for m in _scan(_P_LOWER, text, _merge(ylower + wins) if unit and any(c in low for c in _LOWER_CUES) else ylower):
        phrase = m.group(0)
        if re.fullmatch(r"(?:from|over|more than|at least|after|later than|beyond|starting(?: in| from)?)\s+"
                        rf"{_Y}", phrase, re.I) and _is_year_quantity(text, m.start(), m.end()):
            continue
        if re.match(r"(?:over|from)\s", phrase, re.I) and not re.search(
                r"\b(?:onwards?|on|forward)\b", text[m.end():m.end() + 10], re.I):
            # "over 5 years" / "from 2025 to 2030" are durations and ranges, handled below
            if re.match(r"over\s", phrase, re.I) or re.match(r"\s*(?:-|–|to|through|until)\b", text[m.end():]):
                continue
        add((_P_NODATE, m.start(), m.end(), None, "lower_bound"))
    for m in _P_OPEN.finditer(text) if any(c in low for c in _OPEN_CUES) else ():
        word = m.group(0).lower()
        if word == "ever":
            if not re.search(r"\bby\s+(?:∞\s*\(\s*)?ever\b", text[max(0, m.start() - 8):m.end()], re.I):
                continue
        add((_P_NODATE, m.start(), m.end(), None, "open"))

    for m in _scan(_P_DECADE, text, ydecade):
        phrase = m.group(0)
        d = re.search(r"((?:19|20|21)\d)0", phrase)
        decade = int(d.group(1)) * 10
        part = re.search(r"\b(early|mid|late)", phrase, re.I)
        last = decade + {"early": 3, "mid": 6, "late": 9}[part.group(1).lower()] if part else decade + 9
        cue = re.match(r"(\w+(?: \w+ \w+)?)\s", phrase)
        prio = _cue_priority(cue.group(1) if cue and not part or (cue and cue.group(1).lower() != part.group(1).lower()) else None)
        add((_year_priority(prio, decade + 9, made), m.start(), m.end(), _year_end(last), "decade"))

    for m in _scan(_P_ISO, text, yiso):
        try:
            date = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        cue = re.match(r"(\w+)\s", m.group(0))
        add((_year_priority(_cue_priority(cue and cue.group(1)), date.year, made), m.start(), m.end(), date, "period"))

    for m in _scan(_P_MONTH_DAY, text, ywins) if yearish and monthish else ():
        year = int(m.group("year")[:4])
        month = _MONTH_NUM[m.group("mon").rstrip(".").lower()]
        date = _month_end(year, month)
        if m.group("day"):
            try:
                date = datetime.date(year, month, int(m.group("day")))
            except ValueError:
                pass
        cue = re.match(r"([\w ]+?)[- ]", m.group(0))
        word = cue.group(1).lower() if cue else ""
        if word == "before":
            date = datetime.date(year, month, 1) - datetime.timedelta(days=1)
        prio = _cue_priority(word) if word and word not in ("end of", "early", "mid", "late") else (
            _P_DEADLINE if word == "end of" else _P_SOFT)
        add((_year_priority(prio, year, made), m.start(), m.end(), date, "period"))

    for m in _scan(_P_PERIOD, text, yperiod):
        ystr = m.group("year") or m.group("year2")
        if _is_year_quantity(text, m.start(), m.end()):
            continue
        year = int(ystr[:4])
        part = (m.group("part") or "end").lower()
        part = re.sub(r"\s+", " ", part)
        cue = (m.group("cue") or "").lower()
        if part.startswith(("end", "close", "year", "eoy", "very end")):
            date = _year_end(year)
        elif part.startswith(("start", "beginning")):
            date = _year_end(year - 1) if cue in ("by", "before", "until", "till", "prior to") else datetime.date(year, 1, 31)
        elif part.startswith(("mid", "middle")):
            date = datetime.date(year, 6, 30)
        elif part.startswith("early"):
            date = datetime.date(year, 4, 30)
        elif part.startswith("late"):
            date = _year_end(year)
        elif part.startswith(("first half", "1st half", "h1", "1h")):
            date = datetime.date(year, 6, 30)
        elif part.startswith(("second half", "2nd half", "h2", "2h")):
            date = _year_end(year)
        elif part.startswith("q"):
            q = int(part[1])
            date = _month_end(year, 3 * q)
        elif "quarter" in part:
            q = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
                 "last": 4}[part.split()[0]]
            date = _month_end(year, 3 * q)
        elif part.startswith("spring"):
            date = datetime.date(year, 5, 31)
        elif part.startswith("summer"):
            date = datetime.date(year, 8, 31)
        elif part.startswith(("fall", "autumn")):
            date = datetime.date(year, 11, 30)
        else:  # winter
            date = _month_end(year + 1, 2)
        prio = _cue_priority(cue) if cue else (_P_DEADLINE if part.startswith(("end", "close", "very end", "year", "eoy"))
                                               else _P_SOFT)
        add((_year_priority(prio, year, made), m.start(), m.end(), date, "period"))

    for m in _scan(_P_YEARS, text, ywins) if yearish else ():
        a_start = m.start("a")
        if _is_year_quantity(text, a_start, m.end("a")):
            continue
        a = int(m.group("a")[:4])
        b = m.group("b")
        end = m.end()
        if b:
            if len(b) == 2:
                b = int(str(a)[:2] + b)
            else:
                b = int(b[:4])
            if b <= a or b - a > 100 or _is_year_quantity(text, m.start("b"), m.end("b")):
                b = None
                end = m.end("a")
        last = max(a, b) if b else a
        cue = (m.group("cue") or "").lower()
        start = m.start() if (cue or b or m.group("approx")) else a_start
        if not cue and m.group(0).lower().startswith("from") and not b:
            start = a_start
        if cue == "before" and not b:
            last -= 1
        prio = _cue_priority(cue)
        if _PAST_AFTER.match(text, end) and cue not in ("by", "before", "until"):
            prio = _P_PAST_YEAR
        add((_year_priority(prio, last, made), start, end, _year_end(last), "range" if b else "year"))

    for m in _scan(_P_RELATIVE, text, wins) if unit and any(c in low for c in _RELATIVE_CUES) else ():
        phrase = m.group(0).lower()
        cue = (m.group("cue") or "").lower()
        this = (m.group("this") or "").lower()
        unit = (m.group("unit") or "").lower()
        kind = "relative"
        if m.group("ye"):
            ye = m.group("ye").lower()
            unit = next((u for u in ("decade", "century", "month", "quarter") if u in ye), "year")
            this = "this"
        elif phrase.endswith("this or next year"):
            this, unit = "next", "year"
        if m.group("ornext"):
            this = "next"
        if this in ("the coming", "the following") or (this == "next" and (
                unit == "decade" or cue in ("within", "over") or re.search(r"\bthe next", phrase))):
            # "the coming year", "next decade": a duration from made
            months = {"year": 12, "decade": 120, "century": 1200, "month": 1, "quarter": 3}[unit]
            date = _add(made, months, 0) if made else None
            add((_P_DEADLINE if cue in ("by", "within", "before") else _P_SOFT, m.start(), m.end(), date, "duration"))
            continue
        date = None
        if made is not None:
            step = 1 if this == "next" else 0
            if unit == "year":
                date = _year_end(made.year + step)
            elif unit == "decade":
                date = _year_end(made.year // 10 * 10 + 9 + 10 * step)
            elif unit == "century":
                date = _year_end((made.year - 1) // 100 * 100 + 100 + 100 * step)
            elif unit == "month":
                date = _month_end(made.year + (made.month - 1 + step) // 12, (made.month - 1 + step) % 12 + 1)
            elif unit == "quarter":
                q = (made.month - 1) // 3 + step
                y, q = made.year + q // 4, q % 4
                date = _month_end(y, 3 * q + 3)
            if cue == "before" and unit == "year":
                date = _year_end(date.year - 1)
        prio = _cue_priority(cue) if cue else (_P_DEADLINE if "end" in phrase else _P_SOFT)
        add((prio, m.start(), m.end(), date, kind))

    for m in _P_MONTH_ALONE.finditer(text) if monthish else ():
        month = _MONTH_NUM[m.group("mon").rstrip(".").lower()]
        cue = m.group("cue").lower()
        date = None
        if made is not None:
            year = made.year if month >= made.month else made.year + 1
            date = _month_end(year, month)
        prio = _cue_priority(cue) if cue not in ("end of", "early", "mid", "late") else _P_SOFT
        add((prio, m.start(), m.end(), date, "relative"))

    for m in _scan(_P_DURATION, text, wins) if unit else ():
        dur_text = m.group("dur") or m.group("dur2")
        if dur_text:
            span = _duration(dur_text)
        else:
            unit = m.group("unit1").lower()
            ortwo = m.group("ortwo")
            span = _months_days(1 if not ortwo else 2 if ortwo.endswith("two") else 3, unit)
        if span is None:
            continue  # "in several years": vague
        cue = (m.group("cue") or m.group("cue2") or "").lower()
        prio = _P_DEADLINE if cue in ("within", "inside", "inside of", "under") or "less than" in m.group(0).lower() \
            else _P_SOFT
        if dur_text and _QUANTITY_AFTER.match(text, m.end()) and not m.group("cue3"):
            continue
        add((prio, m.start(), m.end(), _add(made, *span) if made else None, "duration"))

    for m in _scan(_P_BARE_DUR, text, wins) if unit else ():
        span = _duration(m.group(0))
        if span is None:
            continue
        before = text[max(0, m.start() - 24):m.start()].lower()
        if re.search(r"\b(?:past|last|previous|first|for|since|spent|been|took|taken|old|over|of|every|each|per|a|"
                     r"the|my|our|his|her|their|its|your|those|these|than)\s*$", before):
            continue
        if re.match(r"\s*(?:ago|old|of|long|earlier|before|prior|back|in prison|experience|-old)\b", text[m.end():], re.I):
            continue
        if re.fullmatch(r"(?:an?|one)\s?\w+", m.group(0), re.I):
            continue  # "a year", "one day": too common to be a horizon on their own
        add((_P_BARE, m.start(), m.end(), _add(made, *span) if made else None, "duration"))
    return found


def _choose(found, text):
    if not found:
        return None
    # overlapping candidates: the longest (then the highest priority) is the phrase
    ordered = sorted(found, key=lambda c: (-(c[2] - c[1]), -c[0], c[1]))
    kept = []
    for c in ordered:
        if all(c[2] <= k[1] or c[1] >= k[2] for k in kept):
            kept.append(c)
    kept = [c for c in kept if c[0] >= 0]  # past references never stand
    if not kept:
        return None
    best = max(kept, key=lambda c: (c[0], c[1]))
    prio, start, end, date, kind = best
    return Horizon(date, text[start:end], start, end, kind)


def find_horizon(text: str, made: datetime.date | None) -> Horizon | None:
    """The time phrase of a sentence or clause and the date it sets (see the module docstring)."""
    if not text:
        return None
    if isinstance(made, datetime.datetime):
        made = made.date()
    return _choose(_candidates(text, made), text)


# ---------------------------------------------------------------------------------------------
# Framing: headings, titles, table headers

_RETRO_FRAME = re.compile(r"\b(?:looking back|in review|review(?:ed|ing)?|revisit(?:ed|ing)?|retrospective|recap|"
                          r"scorecard|graded|grading|how (?:did|well)|last year['’]?s|results?|track record|"
                          r"what happened|year in)\b", re.I)
_FRAME_DUR = re.compile(
    rf"^\W*(?:P\(.*?\b(?:in|within)\s+)?(?P<dur>{_NUM})[\s-]?(?P<unit>years?|yrs?|y|months?|mos?|decades?)"
    r"(?:[\s-](?:out|ahead|horizon|from now|forecasts?|predictions?))?\b\W*$", re.I)


def horizon_from_framing(text: str, made: datetime.date | None) -> Horizon | None:
    """The date a heading, title or table header frames: "Predictions for 2027", "AI in 2024: what to
    expect", "Predictions (for end of 2025):", "P(AGI by 2030)", "2025 predictions", "3 year" (a
    horizon column: made + 3 years). A heading looking back ("2023 in review", "How did my 2023
    predictions do?") frames nothing."""
    if not text or _RETRO_FRAME.search(text):
        return None
    if isinstance(made, datetime.datetime):
        made = made.date()
    m = _FRAME_DUR.match(text)
    if m:
        value = _num(m.group("dur"))
        if value is not None:
            span = _months_days(value, m.group("unit"))
            start, end = m.start("dur"), m.end("unit")
            return Horizon(_add(made, *span) if made else None, text[start:end], start, end, "duration")
    found = find_horizon(text, made)
    if found is not None and found.kind in ("past",):
        return None
    return found
