"""Probabilities and hedge words as a forecaster writes them.

    stated_probability(text) -> Stated | None   the probability a sentence or line states (0..1)
    confidence_words(text) -> str | None         the hedge/stance words used, verbatim, "; "-joined

Forms read by stated_probability: "70%", "70 %", "70 percent", "a 30 per cent chance", "0.3%",
">30% chance" and "<5%" (the bound: 0.3, 0.05), "between 80% and 90%" and "80-90%" (midpoint 0.85),
"p=0.7", "P = .7", "P(AGI by 2030) = 10%", "probability 0.7", odds "3 to 1" / "3:1 odds" / "3-to-1"
(in favour: 3/(3+1) = 0.75; "3 to 1 against": 0.25), "1 in 4" / "one in four" (0.25),
"fifty-fifty" / "50/50" / "50-50" / "a coin flip" / "a toss-up" / "even odds" (0.5).

When is a percentage a probability? (Many are quantities: "3.5% of US GDP", "80-90% solution
rates", "20% unemployment", "less than 1% of the work force", "grow 40% year over year", "a 10%
increase", "20% more likely".) The rule, in order:

1. a "statement: NN%" line (the text ends with a colon, a percentage and at most a parenthetical
   comment or a check mark): the probability is the LAST percentage after the LAST colon
   ("Transformative AI (20% unemployment): 3%" -> 0.03);
2. a percentage directly followed by more/less/higher/lower/of/or more or by a noun
   (unemployment, increase, growth, solution rates, ...) is a quantity;
3. a percentage followed (within three words) by chance, probability, likely, likelihood, odds,
   confident/confidence, sure, certain, credence, risk, shot is a probability ("80% chance",
   "I'm 90% sure");
4. so is one preceded by a probability word or a stance: "P(...) =", "p =", "probability (of|is)",
   "chance(s) (of|is|are)", "odds", "credence", "confidence", "I say", "community says", "I'd put it
   at", "I give it", "I estimate", "I guess", "my forecast is" ("I say 30%");
5. so is a percentage ending the text ("<statement> NN%", a "Name NN%" list item) unless a
   quantity word leads into it ("less than", "to", "by", "of", "reach", "grow", "is", ...);
6. anything else is a quantity and is not returned.
The first percentage that passes is returned; odds, "1 in N" and "fifty-fifty" need the same
kind of context (a probability word, a stance, or the text being only that phrase).
"""
import re
from dataclasses import dataclass

__all__ = ["Stated", "stated_probability", "confidence_words"]


@dataclass(frozen=True)
class Stated:
    value: float  # 0..1
    phrase: str  # the number as written ("<5%", "between 80% and 90%", "p=0.7", "3:1 odds")
    start: int
    end: int


_NUMBER = r"\d+(?:[.,]\d+)?|\.\d+"
_PCT = r"\s?(?:%|percent\b|per cent\b|pct\b)"
_CMP = r"(?:[<>≤≥~≈]=?\s?|(?:about|around|roughly|approximately|approx\.?|at least|at most|less than|more than|" \
       r"over|under|above|below|nearly|almost|only|just|maybe|perhaps) )"
_PERCENT = re.compile(
    rf"(?P<cmp>{_CMP})?(?:between (?P<lo>{_NUMBER})(?:{_PCT})? and (?P<hi>{_NUMBER}){_PCT}"
    rf"|(?P<a>{_NUMBER})(?:{_PCT})?\s?(?:-|–|—|to)\s?(?P<b>{_NUMBER}){_PCT}"
    rf"|(?P<n>{_NUMBER}){_PCT})", re.I)
_DECIMAL = re.compile(
    r"(?P<p>\bp\s?(?:\([^)]{0,80}\))?\s?(?:=|≈|~|:)\s?)?(?(p)|\b(?:probability|credence|chance)(?: of| is| at|:)?\s?(?:=\s?)?)"
    r"(?P<cmp>[<>≤≥~≈]=?\s?)?(?P<n>0?\.\d+|[01](?:\.0+)?)(?![\d%.]|\s?(?:%|percent))", re.I)
_ODDS = re.compile(
    r"(?P<a>\d+|one|two|three|four|five|six|seven|eight|nine|ten)(?:\s?(?::|to|-to-)\s?)(?P<b>\d+|one|two|three|four|"
    r"five|six|seven|eight|nine|ten)(?![\d:])(?P<tail>\s+(?:odds\b|against\b|on\b|in favou?r\b))?", re.I)
_ONE_IN = re.compile(
    r"\b(?P<a>\d+|one|a)\s+(?:in|out of)\s+(?P<b>\d+|two|three|four|five|six|seven|eight|nine|ten|a hundred|"
    r"a thousand|hundred|thousand|twenty|fifty)\b", re.I)
_EVEN = re.compile(r"\b(?:fifty[- ]fifty|50[-/]50|(?:a )?coin[- ]?(?:flip|toss)|(?:a )?toss[- ]up|even odds|even chances?)\b",
                   re.I)
_STATEMENT_LINE = re.compile(
    r":[^:]*?(?P<p>(?:[<>≤≥~≈]=?\s?)?(?:\d+(?:\.\d+)?|\.\d+)\s?%)\s*(?:\([^()]*\)\s*)*[.!]?\s*"
    r"[✅❌✔✓✗✘☑️⭕\s]*$")
_WORD_NUM = {"one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
             "ten": 10, "twenty": 20, "fifty": 50, "hundred": 100, "a hundred": 100, "thousand": 1000,
             "a thousand": 1000}

_PROB_AFTER = re.compile(
    r"\s*(?:\)|,)?\s*(?:\w+\s+){0,2}?(?:chances?|probability|probable|likely|likelihood|odds|confiden(?:t|ce)|sure|"
    r"certain(?:ty)?|credence|risk|shot)\b", re.I)
_QUANTITY_AFTER = re.compile(
    r"\s*(?:more|less|fewer|higher|lower|greater|smaller|of\b|or (?:more|less|higher|lower|so)|[a-z]+(?:tion|ment|ness|"
    r"ity|ance|ence|ing|ers|ure)s?\b|increase|decrease|rise|drop|decline|growth|gain|loss|cut|raise|share|"
    r"rates?|year|yoy|annual|per|a year|each|every|faster|slower|cheaper|better|worse|off|tariff|tax|interest|"
    r"margin|return|discount|stake|market|solution|accuracy|score|people|users|jobs|workers|unemployment|gdp)\b",
    re.I)
_PROB_BEFORE = re.compile(
    r"(?:\bp\s?\([^)]{0,80}\)\s?(?:is|=|≈|~|:)?|\bp\s?[=:≈~]|\bprobabilit(?:y|ies)(?: of| is| at| to be|:)?|"
    r"\bchances?(?: of| is| are| at|:)?|\bodds(?: of| are| at|:)?|\blikelihood(?: of| is|:)?|\bcredence(?: of| is| at|:)?|"
    r"\bconfidence(?: of| is| level| at|:)?|"
    r"\b(?:say|says|said|saying|put (?:it|this|that|them) at|putting (?:it|this) at|give (?:it|this|that|them)|"
    r"giving (?:it|this)|estimate|estimates|guess|reckon|(?:I|we)['’]?m at|(?:I|we) am at|(?:I|we)['’]?d go with|"
    r"(?:my|our|their|his|her|the community['’]?s?) (?:forecast|estimate|guess|prediction|credence|number) (?:is|of|:)|"
    r"predicts?|forecasts?|bet|assign(?:s|ing)?(?: it)?)"
    r")(?:\s|:|,)*(?:about|around|roughly|approximately|maybe|perhaps|only|just|like|a|an)?\s*$", re.I)
_QUANTITY_BEFORE = re.compile(
    r"\b(?:less than|more than|fewer than|at least|at most|over|under|above|below|to|by|of|from|reach(?:es|ed)?|"
    r"hit(?:s|ting)?|grows?|grew|growing|rises?|rose|falls?|fell|drops?|dropped|increases?|increased|decreases?|"
    r"decreased|exceeds?|exceeded|is|was|are|were|be|been|being|at|rate|gdp|only|just|around|about|roughly|"
    r"approximately|nearly|almost|up|down|than|and|or|with|in|than|into|another)\s*[<>≤≥~≈]?=?\s*$", re.I)
_ENDS_TEXT = re.compile(r"\s*(?:\([^()]*\)\s*)*[.!]?\s*[✅❌✔✓✗✘☑️⭕]*\s*$")
_STANCE_ONLY = re.compile(r"\b(?:I|we)['’]?(?:d| would)? (?:say|give it|put it at|bet)\s*$|\b(?:I|we) (?:give|put) it\s*$",
                          re.I)


def _num(text):
    text = text.strip().lower()
    if text in _WORD_NUM:
        return float(_WORD_NUM[text])
    return float(text.replace(",", "."))


def _percent_value(m):
    if m.group("lo"):
        lo, hi = _num(m.group("lo")), _num(m.group("hi"))
        value = (lo + hi) / 2
    elif m.group("a"):
        lo, hi = _num(m.group("a")), _num(m.group("b"))
        if lo > hi:
            return None
        value = (lo + hi) / 2
    else:
        value = _num(m.group("n"))
    if not 0 <= value <= 100:
        return None
    return value / 100


_NOUN_AFTER = re.compile(r"\s*(?:\w+\s+)?(?:chances?|odds|shot|probability|likelihood)\b", re.I)


def _context_ok(text, start, end, strict=False):
    """A probability word or a stance beside the span, or the span is all there is."""
    if (_NOUN_AFTER if strict else _PROB_AFTER).match(text, end) and not re.match(r"\s*(?:more|less)\b", text[end:], re.I):
        return True
    if _PROB_BEFORE.search(text[max(0, start - 80):start]):
        return True
    rest = re.sub(r"[\s.!,;:()\"'“”]+", "", text[:start] + text[end:])
    return not rest


def _stated(text, start, end, value):
    if value is None or not 0 <= value <= 1:
        return None
    return Stated(round(value, 6), text[start:end], start, end)


def stated_probability(text: str) -> Stated | None:
    """The probability a sentence, line or cell states (see the module docstring for the rule)."""
    if not text:
        return None
    has_digit = any(c.isdigit() for c in text)
    low = text.lower()
    if has_digit and ("%" in text or "percent" in low or "per cent" in low or "pct" in low):
        line = _STATEMENT_LINE.search(text)
        if line:
            m = _PERCENT.search(text, line.start("p"), line.end("p"))
            if m and m.end() == line.end("p"):
                value = _percent_value(m)
                if value is not None:
                    start = m.start("cmp") if m.group("cmp") else m.start()
                    return _stated(text, start, m.end(), value)
        for m in _PERCENT.finditer(text):
            value = _percent_value(m)
            if value is None:
                continue
            start, end = m.start(), m.end()
            cmp = (m.group("cmp") or "").strip().lower()
            if re.match(r"\s*(?:more|less|fewer|higher|lower|greater|smaller)\b", text[end:], re.I):
                continue  # "20% more likely": a relative change
            if _PROB_AFTER.match(text, end):
                return _stated(text, start, end, value)
            if _QUANTITY_AFTER.match(text, end):
                continue
            before = text[max(0, start - 80):start]
            if _PROB_BEFORE.search(before):
                return _stated(text, start, end, value)
            if _ENDS_TEXT.match(text, end) and cmp not in ("less than", "more than", "at least", "at most", "over",
                                                           "under", "above", "below") \
                    and not _QUANTITY_BEFORE.search(before):
                return _stated(text, start, end, value)
    if has_digit or "p" in low:
        for m in _DECIMAL.finditer(text):
            value = float(m.group("n"))
            start = m.start() if m.group("p") else (m.start("cmp") if m.group("cmp") else m.start("n"))
            return _stated(text, start, m.end(), value)
    if " to " in low or ":" in text or "-to-" in low:
        for m in _ODDS.finditer(text):
            a, b = _num(m.group("a")), _num(m.group("b"))
            tail = (m.group("tail") or "").strip().lower()
            if a + b == 0 or (":" in m.group(0) and not tail and not re.search(r"\bodds\b", low)):
                continue
            if not (tail or re.search(r"\b(?:odds|bet|betting|chance|favou?r)\b", low)
                    or _context_ok(text, m.start(), m.end())):
                continue
            value = b / (a + b) if tail == "against" else a / (a + b)
            return _stated(text, m.start(), m.end(), value)
    if " in " in low or " out of " in low:
        for m in _ONE_IN.finditer(text):
            a, b = _num(m.group("a")), _num(m.group("b"))
            if b == 0 or a > b or not _context_ok(text, m.start(), m.end(), strict=True):
                continue
            return _stated(text, m.start(), m.end(), a / b)
    for m in _EVEN.finditer(text) if ("50" in text or "fifty" in low or "coin" in low or "toss" in low or "even" in low) else ():
        if re.match(r"\s*(?:split|mix|ratio|blend)\b", text[m.end():], re.I):
            continue
        return _stated(text, m.start(), m.end(), 0.5)
    return None


# ---------------------------------------------------------------------------------------------
# Hedge and stance words

_HEDGES = [
    # stance verbs, first person
    r"I(?:['’]m| am) (?:not )?(?:too |so |very |quite |pretty |fairly |really |absolutely |completely |highly )?"
    r"(?:sure|certain|confident|convinced|positive)",
    r"I(?:['’]m| am) (?:predicting|expecting|betting|guessing|forecasting|hoping|thinking)",
    r"I(?:['’]d| would) (?:be (?:very |really |quite |pretty |extremely )?surprised(?: if not)?|bet|guess|say|expect|think|predict)",
    r"(?:I|we) (?:do |really |don['’]t |do not |still |also |personally |strongly |fully |kind of |sort of |just |"
    r"actually |honestly |genuinely |truly |would |definitely |certainly |now |think I |guess I )*"
    r"(?:think|expect|predict|believe|guess|suspect|bet|reckon|doubt|imagine|anticipate|foresee|hope|see this happening"
    r"|feel like|feel)",
    r"my (?:guess|bet|sense|expectation|prediction|forecast) is",
    # priced words
    r"(?:more likely than not|as likely as not|about as likely as not)",
    r"(?:it(?:['’]s| is| seems) |(?:is|are|seems|looks) (?:very |highly |quite |fairly |extremely )?)(?:very |highly |"
    r"quite |fairly |extremely )?(?:un)?likely",
    r"(?:very |highly |quite |fairly |extremely |most |more |less |not )?(?:un)?likely",
    r"(?:almost|nearly|virtually) certain(?:ly)?(?: not)?",
    r"probably(?: not)?", r"probable", r"improbable",
    r"certainly(?: not)?", r"definitely(?: not)?", r"surely", r"for sure", r"undoubtedly", r"no doubt",
    r"there is no question", r"inevitabl[ey]", r"(?:is )?bound to", r"just a matter of time",
    r"(?:there(?:['’]s| is) )?a (?:good|decent|real|fair|small|slim|high|low) chance", r"chances are", r"odds are",
    r"a real possibility", r"seems? (?:very |quite )?possible", r"(?:very |highly )?uncertain", r"what is certain",
    r"idk", r"I don['’]t know", r"possibly", r"possible", r"perhaps", r"maybe", r"potentially", r"arguably", r"hopefully",
    r"plausibl[ey]", r"presumably", r"conceivably", r"it seems(?: like)?", r"looks (?:more )?like", r"could be",
    r"(?:is|are) (?:widely )?(?:anticipated|expected|predicted|projected|forecast)(?: to)?",
    r"may(?!\s+\d)", r"might", r"could",
]
_HEDGE = re.compile(r"(?<![\w'’-])(?:" + "|".join(_HEDGES) + r")(?![\w'’-])", re.I)
_HEDGE_QUICK = re.compile(
    r"\b(?:I|we|my|idk|what|uncertain|likely|probabl|improbab|certain|definite|sure|doubt|inevitab|bound|matter of time|chance|odds|"
    r"possib|perhaps|maybe|potential|arguabl|hopeful|plausib|presumab|conceivab|seems|looks|could|anticipated|"
    r"expected|predicted|projected|forecast|may|might|question)", re.I)


def confidence_words(text: str) -> str | None:
    """The hedge and stance words of a text, as written, in order, joined with "; " (e.g. "I think;
    likely"), or None. Case-insensitive, whole words; "May 2025" (a month) is not "may"."""
    if not text or not _HEDGE_QUICK.search(text):
        return None
    found, seen = [], set()
    for m in _HEDGE.finditer(text):
        key = m.group(0).lower().replace("’", "'")
        if key not in seen:  # each hedge once, as the labels list them
            seen.add(key)
            found.append(m.group(0))
    return "; ".join(found) if found else None
