"""The built-in, rule-based proposer: which units of a document are predictions, and what each says.

It works offline and is a plugin like any other (the `propose_claims` hook). A unit is proposed
when its structure says it is a forecast (an item of a predictions list, a "statement: NN%" line,
a probability table's cell, a heading stating what will happen) or its words do (will, expect,
predict, by 2030, NN% chance...), and none of the exclusions hold: a look back at earlier
predictions, a hypothetical example, a normative sentence, a question, a section that says it
holds no predictions, or a text off the subject of AI in a document that is mostly about
something else.
"""
import dataclasses
import re

from ..hookspecs import hookimpl
from .horizon import find_horizon, horizon_from_framing
from .probability import Stated, confidence_words, stated_probability
from .units import plain, units

# Words that make a sentence look forward. Weighted: a strong cue alone proposes a unit.
_STRONG = re.compile(
    r"\b(?:will|won['’]t|['’]ll|shall|going to|gonna|expect(?:s|ed)?|predict(?:s|ed|ion)?|forecast|anticipated?"
    r"|(?:is|are) (?:poised|set|likely|unlikely|bound|expected) to|I bet|I (?:say|guess|reckon):?(?= [~<>]?\d)"
    r"|chance|probabilit|odds|\d+ ?%(?! of)|soon|eventually|someday)\b", re.I)
# A date alone ("in 2026", "this year") looks forward only in a sentence not told in the past.
_WHEN = re.compile(r"\b(?:(?:by|before|within|in the next|over the next) (?:the end of |end of )?(?:19|20)\d\d"
                   r"|next (?:year|decade)|this year|in 20[2-9]\d)\b", re.I)
_PAST = re.compile(r"\b(?:was|were|did|saw|noticed|had|got|came|went|been|happened|seen|waited|waiting)\b"
                   r"|\b(?:I|we|they|he|she|it|you)\s+\w+ed\b", re.I)
_STANCE = re.compile(r"\b(?:I think|I predict|I expect|my prediction|I bet|my bet|I['’]m (?:pretty |fairly )?(?:sure|confident))\b", re.I)
_WEAK = re.compile(r"\b(?:may|might|could|likely|probably|becomes?|emerges?|arrives?|overtakes?|replaces?"
                   r"|surpass(?:es)?|reach(?:es)?|continues? to|remains?|rise|decline|grows?)\b", re.I)
_RETROSPECTIVE = re.compile(
    r"\b(?:last year|previous(?:ly)?|earlier|in 20[01]\d|a year ago) (?:I|we) (?:said|predicted|wrote|thought)"
    r"|\b(?:I|we) (?:predicted|said|wrote|were at|got \w+ (?:right|wrong))\b|\bmy (?:previous|last|old) predictions?\b"
    r"|\b(?:came true|turned out|was right|was wrong|in hindsight|looking back)\b", re.I)
_NORMATIVE = re.compile(r"\b(?:we|you|they|companies|one|it) (?:must|should|ought to|need to|have to)\b"
                        r"|\bmust (?:be|address|not)\b|^(?:Let['’]s|Don['’]t|Please)\b", re.I)
_HYPOTHETICAL = re.compile(r"\b(?:for example|for instance|e\.g\.|imagine|suppose|let['’]s say|hypothetical(?:ly)?"
                           r"|say you|if you were)\b", re.I)
_NOT_PREDICTION = re.compile(r"\b(?:hard to (?:predict|say|know)|no one knows|who knows|not (?:a )?predictions?"
                             r"|any prediction|grain of salt|my take on|excited to see|curious to see|looking forward"
                             r"|(?:I['’]m|I am) hopeful|I hope|I wish"
                             r"|I don['’]t know|don['’]t take it (?:that )?seriously|is uncertain|very uncertain)\b", re.I)
_DEFINITION_ITEM = re.compile(r"^(?:\(|Options?:|Criteri(?:a|on)|Note|Definition|Source|See |e\.g\.|i\.e\.|\[\^)", re.I)
# Sections that hold no predictions, by their headings.
_QUIET_SECTION = re.compile(r"\b(?:acknowledg(?:e)?ments?|references?|bibliography|methodology|epistemic status"
                            r"|definitions?|about (?:me|us|the author)|further reading|footnotes?|sources|changelog"
                            r"|update from|track record|previously|looking back|retrospective|last year['’]?s)\b", re.I)
# Sections (and titles) that frame what follows as predictions.
_PREDICTION_FRAME = re.compile(r"\b(?:predictions?|forecasts?|what to expect|expectations?|outlook|the year ahead"
                               r"|bets|prognos\w*|will happen|in (?:19|20)\d\d|for (?:19|20)\d\d|(?:19|20)\d\d\b)", re.I)
_SUMMARY_SECTION = re.compile(r"\b(?:tl;?dr|summary|contents|key takeaways|in short|overview|at a glance)\b", re.I)
# The subject matter: acronyms and names as written, other words in any case.
_AI = re.compile(
    r"\b(?:A\.?I\.?s?|AGI|ASI|TAI|LLMs?|SLMs?|GPT[-\w]*|ChatGPT|OpenAI|Anthropic|Claude|Gemini|DeepMind|Llama"
    r"|Mistral|Grok|Copilot|ML|RAG|GPUs?|Nvidia|LMSYS|GenAI|Sora|o1|o3)\b"
    r"|\b(?i:artificial|intelligen\w*|machine learning|neural|deep learning|transformers?|agents?|agentic|chatbots?"
    r"|robot\w*|self-driving|autonomous|superintelligen\w*|turing|inference|fine-tun\w*|vector databases?"
    r"|embeddings?|multimodal\w*|diffusion|generative|alignment|benchmarks?|language models?|foundation models?"
    r"|models?|reasoning|compute|datacenters?|data centers?)\b")
_RELAY = re.compile(r"\b(?P<who>[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+)?) (?:thinks|says|said|predicts|predicted|expects|believes|argues|claims|wrote)\b")
_QUOTED = re.compile(r"[\"“](?P<inner>[^\"“”]{12,})[\"”]")
_MARK = re.compile(r"^(?:[✅❌☑✔✓✗✘❎⬜🟢🔴]\uFE0F?\s*|\((?:annulled|void|resolved|yes|no)\)\s*|\*+(?=\S)|\d+[.)]\s+|[-–—•]\s+)+", re.I)
_ENUMERATION = re.compile(r"^(?:(?:And )?(?:number|no\.?) \w+|first|second|third|next|finally|lastly)[,:]\s*", re.I)
_INTENTION = re.compile(
    r"\b(?:I|we|you)(?:['’]ll| will| won['’]t| am going to|['’]m going to|['’]m gonna| are going to|['’]re going to|['’]re gonna)"
    r" (?:just |also |now )?(?:read|share|talk|tell|say|walk|make|put|take|go|do|start|ask|mention|try|get|give|show"
    r"|leave|link|see what|have to|need|find|hear|pay|hire|want|write|post|cover|look)\b"
    r"|\bI(?: will|['’]ll) be \w+ing\b|\byou['’]ll (?:just |never )?\w+|\bI['’]m sure\b"
    r"|\bif you\b|\byou(?:['’]re| are) (?:going to|gonna)\b", re.I)  # "if you don't..., you're going to": generic advice
_FIRST_PERSON = re.compile(r"\b(?:I|I['’]m|I['’]d|my|we|our)\b")
# "claims" after a determiner, past any capitalised words, is a noun: "we will hear some Artificial
# General Intelligence claims" relays no one.
_CLAIMS_NOUN = re.compile(r"\b(?i:some|the|these|those|such|many|more|new|any|no|bold|their|its)(?: [A-Z][\w.'’-]*)*\s*$")
_STAT_ROW = re.compile(r"^(?:st(?:an)?d(?:ard)?[ .]?dev|stdev|sd|\d+% CI|CI|n|count|min|max|range|variance|iqr)\b", re.I)
_AGGREGATE_ROW = re.compile(r"^(?:mean|median|geo ?mean|geo odds|average|aggregate|total|all|overall|consensus)\b", re.I)
_NUMBER = re.compile(r"^~?\s*(?:\d+(?:\.\d+)?)\s*%?$")
_YEAR_CELL = re.compile(r"^~?(?:19|20|21|22)\d\d(?:\.\d+)?$")
_NAME = re.compile(r"^[A-Z][\w'’.-]+(?: (?:[A-Z][\w'’.-]+|de|van|von|der|da|di|le|bin)){1,3}$")


def _trim(text, start, end):
    """Drop list and outcome marks, an enumeration ("Number three,") and wrapping quotes."""
    quote = text[start:end]
    mark = _MARK.match(quote)
    if mark:
        start += mark.end()
        quote = text[start:end]
    enum = _ENUMERATION.match(quote)
    if enum:
        start += enum.end()
        quote = text[start:end]
    if quote[:1] in "\"“" and quote.rstrip(".").rstrip()[-1:] in "\"”":
        close = max(quote.rfind('"'), quote.rfind("”"))
        if close > 0:
            end = start + close
            start += 1
            if text[end - 1:end] == "." or text[end + 1:end + 2] == ".":
                pass
    return start, end


# Words of headings that are not names ("Sharp Claims", "Open Questions", "Other Bets").
_HEADING_WORDS = frozenset("""claims claim predictions prediction questions question notes thoughts summary overview
sharp dull other others open closed section part chapter conclusion conclusions introduction background forecasts
forecast results data models bets bet takes hot cold early late long short term near big small new old final next
last first second third key main general specific technical technology tech business society policy research
science economy economics world markets market future past present update updates year years outlook risks risk
safety scaling compute hardware software agents agent products product companies company people jobs work""".split())


def _looks_like_person(heading):
    heading = plain(heading).strip()
    if not _NAME.match(heading) or _PREDICTION_FRAME.search(heading) or _AI.search(heading):
        return False
    return not any(word.lower() in _HEADING_WORDS for word in heading.split())


# A probability on its own line after the prediction ("70%", "Probability: 0.7").
_NEXT_LINE_PROBABILITY = re.compile(r"[ \t]*\n[ \t]*(?:(?:probability|confidence|credence|chance|p)[ \t]*[:=][ \t]*)?"
                                    r"(?:\d{1,3}(?:\.\d+)?[ \t]?%|0?\.\d+|1\.0)[ \t]*(?:\n|$)", re.I)
# A section whose author says it holds no predictions ("These are not predictions, just hopes").
_NO_PREDICTIONS_HERE = re.compile(r"\b(?:(?:are|is) not (?:meant as |intended as )?(?:predictions?|forecasts?)"
                                  r"|no predictions (?:here|in this section)|not a prediction)\b", re.I)
# "12 predictions for 2026", "my predictions for AI in 2024": what a talk or post says it forecasts.
_FRAMING_PHRASE = re.compile(r"\bpredictions? (?:for|about|of)(?: \w+){0,3}? (?:in |for )?((?:19|20)\d\d)\b", re.I)


class Context:
    """What the rules know of the whole document, and the cue sets registered by plugins."""

    def __init__(self, document):
        from ..plugins import pm

        cues = []
        pm.hook.register_cues(register=lambda name, pattern, role: cues.append((name, pattern, role)))
        self.forward = [(n, p) for n, p, r in cues if r == "forward"]
        self.exclude = [(n, p) for n, p, r in cues if r == "exclude"]
        self.document = document
        self.heads = set()
        fm = document.front_matter or {}
        first = document.sections[0] if document.sections else None
        self.title = plain(str(fm.get("title") or (first.heading if first and first.level == 1 else "")))
        self.framed = bool(_PREDICTION_FRAME.search(self.title))
        self.framings = [(m.start(), m.group(0)) for m in _FRAMING_PHRASE.finditer(plain(document.text))]
        self.about_ai = bool(_AI.search(self.title))
        # Sections whose opening says they hold no predictions: (start, end) in the text.
        starts = [sec.start for sec in document.sections[1:]] + [len(document.text)]
        self.quiet = [(sec.start, sec.body_end) for sec, following in zip(document.sections, starts)
                      if _NO_PREDICTIONS_HERE.search(document.text[sec.end:min(following, sec.end + 400)])]

    def parent_is_head(self, unit):
        return bool(unit.parent) and any(self.document.text.startswith(unit.parent, at) for at in self.heads)


def _is_relevant(ctx, unit, text):
    if ctx.about_ai:
        return True
    paragraph = ctx.document.text[unit.block_start:unit.block_end] if unit.block_end - unit.block_start < 3000 else ""
    context = " ".join((text, paragraph, unit.parent, unit.lead, unit.row, unit.column, *unit.headings))
    return bool(_AI.search(context))


def _framing(ctx, unit):
    """The nearest heading, lead-in, parent item or title that frames a horizon; else the last
    "predictions for 2026" said before the unit (in a talk, what its predictions are about)."""
    for text in (unit.column, unit.parent, unit.lead, *reversed(unit.headings), ctx.title):
        if text:
            yield plain(text)
    said = [phrase for at, phrase in ctx.framings if at < unit.start]
    if said:
        yield said[-1]


def candidate_for(ctx, unit, sibling_of=0):
    if unit.block == "cell":
        return _cell_candidate(ctx, unit)
    document = ctx.document
    text = document.text
    start, end = _trim(text, unit.start, unit.end)
    if end - start < 8 or _NEXT_LINE_PROBABILITY.fullmatch("\n" + text[start:end]):
        return None  # too short, or only the probability of the sentence above
    quote = text[start:end]
    plain_quote = plain(quote)
    headings = " / ".join(plain(h) for h in unit.headings)
    if any(_QUIET_SECTION.search(plain(h)) for h in unit.headings) or any(a <= unit.start < b for a, b in ctx.quiet):
        return None
    cue = None
    probability = stated_probability(plain_quote)
    if probability is None and (below := _NEXT_LINE_PROBABILITY.match(text, unit.end)):
        line = below.group().strip()
        probability = stated_probability(line) or Stated(float(line), line, 0, len(line))  # a bare "0.7"
    enumerated = _ENUMERATION.match(text[unit.start:end]) and _QUOTED.search(text[unit.start:unit.end])
    in_frame = ctx.framed or any(_PREDICTION_FRAME.search(plain(h)) for h in unit.headings) \
        or bool(unit.lead and (_PREDICTION_FRAME.search(unit.lead) or _STRONG.search(plain(unit.lead))))
    if probability and unit.block in ("item", "paragraph", "quote") and re.search(r":\s*[<>~]?\d", quote[-12:] + " "):
        cue = "a statement with its probability"
    elif probability:
        cue = f"stated probability ({probability.phrase})"
    elif enumerated:
        cue = "an item of a numbered list read out"
    elif forward := next(((n, m) for n, p in ctx.forward if (m := p.search(plain_quote))), None):
        cue = f"{forward[0]} ({forward[1].group(0)})"
    elif (when := _WHEN.search(plain_quote)) and not _PAST.search(plain_quote):
        cue = f"a date ahead ({when.group(0)})"
    elif unit.block == "item" and unit.first and in_frame and len(quote.split()) >= 4:
        cue = "an item of a list framed as predictions"
    elif unit.block in ("item", "heading") and _WEAK.search(plain_quote) and in_frame:
        cue = f"{'an' if unit.block[0] in 'aeiou' else 'a'} {unit.block} in a predictions section ({_WEAK.search(plain_quote).group(0)})"
    elif sibling_of and len(quote.split()) >= 4:
        cue = f"in a list where {sibling_of} other items are predictions"
    if cue is None:
        return None
    if quote.rstrip().endswith(("?", "--", "—")) or any(p.search(plain_quote) for _, p in ctx.exclude):
        return None  # a question, a sentence broken off, or an excluded kind
    if unit.block == "item" and (_DEFINITION_ITEM.match(quote) or _DEFINITION_ITEM.match(unit.parent)):
        return None
    if unit.start in ctx.heads:
        return None  # its sub-items are the predictions, each completed by it
    if unit.block == "heading" and plain_quote.strip() == ctx.title.strip():
        return None  # the title frames the document's predictions; it is not one of them
    if _INTENTION.search(plain_quote) and not probability:
        return None  # "I'll tell you why", "I will be testing": the speaker's plans, not forecasts
    if unit.speaker and not enumerated:
        # Talk is full of asides: a turn's sentence needs a subject of its own, and the subject
        # matter in the sentence itself.
        paragraph = plain(text[unit.block_start:unit.block_end])
        on_topic = _AI.search(plain_quote) or (_STANCE.search(plain_quote) and len(_AI.findall(paragraph)) >= 2)
        if len(quote.split()) < 6 or not on_topic:
            return None
    elif not _is_relevant(ctx, unit, plain_quote):
        return None
    author, relayed = _author(ctx, unit, quote)
    relayed = relayed or bool(enumerated)
    if relayed and (inner := _QUOTED.search(quote)):
        start, end = start + inner.start("inner"), start + inner.end("inner")
        quote = text[start:end]
    horizon = find_horizon(plain_quote, None)
    horizon_inferred = False
    if horizon is None:
        for frame in _framing(ctx, unit):
            horizon = horizon_from_framing(frame, None) or find_horizon(frame, None)
            if horizon is not None:
                horizon_inferred = True
                break
    return {
        "quote": quote, "start": start, "end": end, "kind": "prediction", "cue": cue,
        "author": author, "relayed": relayed,
        "horizon_phrase": horizon.phrase if horizon else None, "horizon_inferred": horizon_inferred,
        "probability": probability.value if probability else None,
        "confidence_words": confidence_words(plain_quote),
        "statement": _statement(quote, probability, unit.parent, ctx.parent_is_head(unit)),
        "headline": unit.block in ("item", "heading", "cell") and unit.first,
        "section": headings,
    }


_COMMUNITY = re.compile(r"^(?:but |thus |so )?(?:the )?(?:Metaculus |Manifold )?community (?:prediction|forecast|median|says|predicts|thinks|expects)", re.I)


def _author(ctx, unit, quote):
    """(name as the document gives it, relayed?)"""
    if _COMMUNITY.match(quote):  # a forecasting platform's aggregate, quoted beside the author's own
        platform = next((p for p in ("Metaculus", "Manifold") if p in ctx.document.text), "")
        return f"{platform} community".strip(), False
    relay = _RELAY.search(quote)
    if relay and relay.group(0).endswith("claims") and _CLAIMS_NOUN.search(quote, 0, relay.start()):
        relay = None
    if relay and not _FIRST_PERSON.match(relay.group("who")):
        return relay.group("who"), True
    if unit.speaker:
        return unit.speaker, False
    if unit.signature:
        return unit.signature, False
    said = ctx.document.text[unit.block_start:unit.start + 1].lstrip("*_ ")[:1] in "\"“"
    if _FIRST_PERSON.search(quote[:40]) and not said:
        return None, False  # the document's own author (in quotation marks, "I" is the one quoted)
    for heading in reversed(unit.headings):
        if _looks_like_person(heading):
            return plain(heading).strip(), False
    return None, False


def _cell_candidate(ctx, unit):
    """A table cell: the row says who, the column says what or when, the cell the number."""
    text = ctx.document.text
    cell = text[unit.start:unit.end].strip()
    row, column = plain(unit.row), plain(unit.column)
    if not cell or cell.upper().startswith("N/A") or cell.startswith("[") or _STAT_ROW.match(row) or not row:
        return None
    column_probability = stated_probability(column)
    numeric = _NUMBER.match(cell) or _YEAR_CELL.match(cell)
    if numeric:
        if not (column_probability or re.search(r"\bP\(|probabilit|chance|likel|odds|%", column, re.I)
                or _YEAR_CELL.match(cell)):
            return None
        start, end = unit.row_start, unit.end  # "F1 | 0.39": unique, and names the row
        probability = column_probability.value if column_probability else None
        horizon_phrase = None
        if _YEAR_CELL.match(cell):
            horizon_phrase = cell
        else:
            value = float(cell.rstrip("%").lstrip("~ "))
            probability = value / 100 if cell.endswith("%") or value > 1 else value
            framed = horizon_from_framing(column, None) or find_horizon(column, None)
            horizon_phrase = framed.phrase if framed else None
        statement = f"{row.rstrip(':')}: {column} = {cell}".strip()
        cue = "a table cell under a probability or year column"
    else:
        start, end = unit.start, unit.end
        probability = stated_probability(plain(cell))
        probability = probability.value if probability else None
        framed = find_horizon(plain(cell), None)
        horizon_phrase = framed.phrase if framed else None
        if horizon_phrase is None:
            framed = horizon_from_framing(column, None) or find_horizon(column, None)
            horizon_phrase = framed.phrase if framed else None
        statement = plain(cell)
        cue = "an item of a table cell"
        if not ctx.about_ai and not _AI.search(" ".join((statement, row, column, *unit.headings))):
            return None
        if not (_STRONG.search(cell) or _WEAK.search(cell) or horizon_phrase or probability is not None):
            return None
    author = None if _AGGREGATE_ROW.match(row) else row.rstrip(":").strip()
    return {
        "quote": text[start:end], "start": start, "end": end, "kind": "prediction", "cue": cue,
        "author": author, "relayed": False, "horizon_phrase": horizon_phrase,
        "horizon_inferred": horizon_phrase is not None and horizon_phrase not in cell,
        "probability": probability, "confidence_words": None, "statement": statement,
        "headline": True, "section": " / ".join(plain(h) for h in unit.headings),
    }


def _statement(quote, probability, parent="", parent_is_head=False):
    """A first draft: the quote without its probability tail, completed by its parent item when
    it continues it ("OpenAI announces GPT-5: 70%" / "... and it's available to consumers: 60%";
    "Models will become" / "Cheaper: ...")."""
    draft = _without_probability(plain(quote).strip(), probability)
    if parent and parent_is_head:
        return f"{plain(parent).strip()} {draft[:1].lower()}{draft[1:]}"
    if parent and re.match(r"^(?:\.\.\.|…)\s*|^(?:and|or|but)\b", draft, re.I):
        parent_draft = _without_probability(_MARK.sub("", plain(parent)).strip(), stated_probability(plain(parent)))
        draft = f"{parent_draft}, {re.sub(r'^(?:[.]{3}|…)[ ]*', '', draft)}"
    return draft[:1].upper() + draft[1:]


def _without_probability(draft, probability):
    if probability and draft.endswith(probability.phrase):
        draft = draft[: -len(probability.phrase)].rstrip(" :,-–")
    return draft


_PERCENT = re.compile(r"\d(?:[\d.]*)\s?%")
_CLAUSE_BREAK = re.compile(r"[,;]\s+(?:but\s+|and\s+)?|\s+but\s+|:\s+(?=[A-Z][\w-]*\s+\d)")


# "..., I say 50% by 2100": the author answering the forecast just quoted.
# ... only when what comes before is itself a forecast ("Community prediction of 2041 is too early"),
# not a lead-in ("As models improve, I predict that ...").
_OTHER_FORECAST = re.compile(r"\d|\b(?:predict\w*|forecast\w*|community|consensus|says|thinks)\b", re.I)
_STANCE_TURN = re.compile(r"(?<=[,;] )(?:but )?I (?:say|guess|predict|bet|think)\b")


def clauses(text, unit):
    """A sentence giving several probabilities ("The 2 futures total 21%, but I say 0.3%";
    "I say: Futurama 51%, AI-Fizzle 41%") as one unit per probability, and one where the author
    answers another's forecast ("Community prediction of 2041 is too early, I say 2100") as two."""
    sentence = text[unit.start:unit.end]
    stance = _STANCE_TURN.search(sentence)
    if len(_PERCENT.findall(sentence)) < 2 and not stance:
        return [unit]
    cuts, begin = [], 0
    for brk in _CLAUSE_BREAK.finditer(sentence):
        left, right = sentence[begin:brk.start()], sentence[brk.start():]
        if (_PERCENT.search(left) and _PERCENT.search(right)) or (stance and brk.end() == stance.start() and _OTHER_FORECAST.search(left)):
            cuts.append((begin, brk.start()))
            begin = brk.start() + (len(brk.group()) - len(brk.group().lstrip(",;: ")) if brk.group().lstrip(",;: ").startswith(("but", "and")) else len(brk.group()))
    cuts.append((begin, len(sentence)))
    return [dataclasses.replace(unit, start=unit.start + a, end=unit.start + b, first=unit.first and i == 0)
            for i, (a, b) in enumerate(cuts) if b > a]


@hookimpl
def register_cues(register):
    register("forward-looking words", _STRONG, "forward")
    register("a look back at earlier predictions", _RETROSPECTIVE, "exclude")
    register("normative: what should happen", _NORMATIVE, "exclude")
    register("a hypothetical example", _HYPOTHETICAL, "exclude")
    register("says it is not a prediction", _NOT_PREDICTION, "exclude")


def _list_heads(text, all_units):
    """Starts of items that only open their sub-items ("Models will become" over "- cheaper: ...")."""
    heads = set()
    for unit, following in zip(all_units, all_units[1:]):
        if unit.block == "item" and following.block == "item" and following.depth > unit.depth \
                and following.parent and text[unit.start:unit.end].rstrip()[-1:] not in ".!?%" \
                and len(text[unit.start:unit.end].split()) < 6:
            heads.add(unit.start)
    return heads


def _siblings(unit):
    """Units of the same list (or headings of the same level under the same parent)."""
    if unit.block == "item" and unit.first:
        return ("item", unit.headings, unit.depth, unit.parent, unit.lead)
    if unit.block == "heading":
        return ("heading", unit.headings)
    return None


@hookimpl
def propose_claims(document):
    ctx = Context(document)
    found, groups = {}, {}
    all_units = [part for unit in units(document) for part in clauses(document.text, unit)]
    ctx.heads = _list_heads(document.text, all_units)
    for i, unit in enumerate(all_units):
        candidate = candidate_for(ctx, unit)
        if candidate is not None:
            found[i] = candidate
        key = _siblings(unit)
        if key:
            groups.setdefault(key, []).append(i)
    # A list where most items are predictions is a list of predictions: its other items are
    # proposed too (a present-tense headline needs no "will"), still subject to the exclusions.
    for members in groups.values():
        hits = [i for i in members if i in found]
        if len(members) >= 3 and len(hits) * 2 >= len(members):
            for i in members:
                if i not in found:
                    candidate = candidate_for(ctx, all_units[i], sibling_of=len(hits))
                    if candidate is not None:
                        found[i] = candidate
    for i in sorted(found):
        yield found[i]
