"""English and Norwegian wording for everything a chart or table shows.

Answer options and question wording come from the data (``questionnaire.csv``, ``response_scales.csv``): the
Norwegian is the questionnaire's own, the English our translation. Everything else is here.
"""

from __future__ import annotations

from typing import Literal

LANGS: tuple[str, ...] = ("en", "nb")
Lang = Literal["en", "nb"]

_TERMS: dict[str, dict[str, str]] = {
    # table cells for true/false and for no value
    "yes": {"en": "yes", "nb": "ja"},
    "no": {"en": "no", "nb": "nei"},
    # respondent groups
    "all": {"en": "All", "nb": "Alle"},
    "leaders": {"en": "Leaders", "nb": "Ledere"},
    "non_leaders": {"en": "Non-leaders", "nb": "Ikke-ledere"},
    "policy_dept": {"en": "Policy departments", "nb": "Fagavdeling"},
    "admin_dept": {"en": "Administration departments", "nb": "Administrasjonsavdeling/annet"},
    "leaders_policy_dept": {"en": "Leaders in policy departments", "nb": "Ledere i fagavdeling"},
    # axes, legends and table headers
    "percent": {"en": "Share of respondents (%)", "nb": "Andel av respondentene (%)"},
    "percent_short": {"en": "Percent", "nb": "Prosent"},
    "group": {"en": "Group", "nb": "Gruppe"},
    "response": {"en": "Answer", "nb": "Svar"},
    "measure": {"en": "Measure", "nb": "Tiltak"},
    "interval": {"en": "interval", "nb": "intervall"},
    "not_readable": {"en": "not readable in the report", "nb": "ikke lesbart i rapporten"},
    "data_csv": {"en": "Data (CSV)", "nb": "Data (CSV)"},
    "notebook": {"en": "Notebook", "nb": "Notatbok"},
    "source": {"en": "Source", "nb": "Kilde"},
    "lower_bound": {"en": "Worst case", "nb": "Laveste mulige"},
    "upper_bound": {"en": "Best case", "nb": "Høyeste mulige"},
    "respondents": {"en": "Respondents", "nb": "Respondenter"},
    "estimate": {"en": "Estimate", "nb": "Anslag"},
    "leader_share": {"en": "Leaders' share of all employees", "nb": "Lederandel blant alle ansatte"},
    "heard_of_it": {"en": "Has heard of the strategy", "nb": "Har hørt om strategien"},
    "count": {"en": "Respondents (count)", "nb": "Respondenter (antall)"},
    "audit_flag": {"en": "⚠ inconsistent in the report — audit", "nb": "⚠ inkonsistent i rapporten — kontroll"},
    # the audit appendix
    "reproduced": {"en": "reproduced", "nb": "gjenskapt"},
    "within rounding": {"en": "within rounding", "nb": "innenfor avrunding"},
    "inconsistent": {"en": "inconsistent", "nb": "inkonsistent"},
    "not checkable": {"en": "not checkable", "nb": "kan ikke kontrolleres"},
    "status": {"en": "Status", "nb": "Status"},
    "claims": {"en": "Claims", "nb": "Påstander"},
    "section": {"en": "Section", "nb": "Avsnitt"},
    "rule": {"en": "Rule", "nb": "Regel"},
    "claim_id": {"en": "Id", "nb": "Id"},
    "figure": {"en": "Figure", "nb": "Figur"},
    "refers_to": {"en": "Refers to", "nb": "Gjelder"},
    "stated": {"en": "Stated", "nb": "Oppgitt"},
    "explanation": {"en": "Explanation", "nb": "Forklaring"},
    "compares_with": {"en": "Compares with", "nb": "Sammenligner med"},
    # the Nordic comparison
    "sweden": {"en": "Sweden", "nb": "Sverige"},
    "denmark": {"en": "Denmark", "nb": "Danmark"},
    "norway": {"en": "Norway", "nb": "Norge"},
    "payroll_accounting": {"en": "Payroll and accounting", "nb": "Lønn og regnskap"},
    "basic_it": {"en": "Basic IT operations", "nb": "Grunnleggende IKT-drift"},
    "finance_system": {"en": "Finance/ERP system", "nb": "Økonomisystem"},
    "hr_system": {"en": "HR system", "nb": "HR-system"},
    "management_reporting": {"en": "Management reporting", "nb": "Ledelsesrapportering"},
    "budget_system": {"en": "Budgeting system", "nb": "Budsjettsystem"},
    "learning_system": {"en": "Course/competence system", "nb": "Kurs- og kompetansesystem"},
    "travel_expenses": {"en": "Travel expenses", "nb": "Reiseregninger"},
    "case_archive": {"en": "Case management and archive", "nb": "Sak og arkiv"},
    "procurement": {"en": "Procurement", "nb": "Anskaffelser"},
    "hr_services": {"en": "HR services", "nb": "HR-tjenester"},
    "communication": {"en": "Communication", "nb": "Kommunikasjon"},
    "shared": {"en": "shared", "nb": "felles"},
    "partly shared": {"en": "partly shared", "nb": "delvis felles"},
    "not shared": {"en": "not shared", "nb": "ikke felles"},
    "not stated": {"en": "not stated", "nb": "ikke oppgitt"},
    "country": {"en": "Country", "nb": "Land"},
    "dimension": {"en": "Dimension", "nb": "Dimensjon"},
    # the report's status assessment of a measure (measures.csv, column status)
    "good_drive": {"en": "in good drive", "nb": "i godt driv"},
    "complex_hard_to_land": {"en": "complex, hard to land", "nb": "kompleks, vanskelig å lande"},
    "nearly_done": {"en": "nearly done", "nb": "nesten ferdig"},
    "no_new_activity": {"en": "no new activity", "nb": "ingen ny aktivitet"},
    "not_stated": {"en": "not stated", "nb": "ikke oppgitt"},
    # survey questions (short titles)
    "awareness": {"en": "Knowledge of the strategy", "nb": "Kjennskap til strategien"},
    "strategy_importance": {"en": "Importance of having the strategy", "nb": "Viktighet av strategien"},
    "goal_importance": {"en": "Importance of the goal areas", "nb": "Viktighet av målområdene"},
    "belonging": {"en": "Belonging to the ministry community", "nb": "Tilhørighet til departementsfellesskapet"},
    "cooperation": {"en": "Ministries work together where useful", "nb": "Departementene jobber sammen der det er hensiktsmessig"},
    "measure_involvement": {"en": "Worked on the measure", "nb": "Har jobbet med tiltaket"},
}


#: Sentences written from data (alt text, table notes, explanations): ``str.format`` templates per language.
_PHRASES: dict[str, dict[str, str]] = {
    "alt_bars": {
        "en": "Horizontal bar chart of {what} for {groups}; {largest} per group – {parts}.",
        "nb": "Liggende stolpediagram over {what} for {groups}; {largest} per gruppe – {parts}.",
    },
    "largest_share": {"en": "largest share", "nb": "største andel"},
    "largest_value": {"en": "largest value", "nb": "største verdi"},
    "alt_missing": {
        "en": "{count} values are not legible in the text we work from and are drawn as empty hatched slots.",
        "nb": "{count} verdier er ikke lesbare i teksten vi bygger på, og er vist som tomme, skraverte felt.",
    },
    "alt_stacked": {
        "en": "Horizontal stacked bar chart of {what}, {bars} bars; in total {parts}.",
        "nb": "Liggende stablede stolper over {what}, {bars} stolper; til sammen {parts}.",
    },
    "alt_diverging": {
        "en": "Diverging bar chart of {what}; share answering {positive}: {parts}.",
        "nb": "Divergerende stolpediagram over {what}; andel som svarer {positive}: {parts}.",
    },
    "alt_ranges": {"en": "Interval chart of {what}: {spans}.", "nb": "Intervalldiagram over {what}: {spans}."},
    "span": {"en": "{label}: {low} to {high}", "nb": "{label}: {low} til {high}"},
    "alt_heatmap_categories": {
        "en": "Heat map of {what} ({rows} rows × {cols} columns); cells: {summary}.",
        "nb": "Varmekart over {what} ({rows} rader × {cols} kolonner); celler: {summary}.",
    },
    "alt_heatmap_values": {
        "en": "Heat map of {what} ({rows} rows × {cols} columns); values from {low} to {high}.",
        "nb": "Varmekart over {what} ({rows} rader × {cols} kolonner); verdier fra {low} til {high}.",
    },
    "alt_diagram": {
        "en": "Diagram of {what}: {nodes} bodies in {layers} layers, joined by {relations}.",
        "nb": "Diagram over {what}: {nodes} organer i {layers} nivåer, forbundet med {relations}.",
    },
    "alt_timeline": {
        "en": "Timeline of {what}: {events} events from {first} to {last}, {planned} of them planned.",
        "nb": "Tidslinje over {what}: {events} hendelser fra {first} til {last}, hvorav {planned} planlagte.",
    },
    "happened": {"en": "happened", "nb": "skjedd"},
    "planned": {"en": "planned", "nb": "planlagt"},
    "and": {"en": "and", "nb": "og"},
}

#: The edition's language for every label, set once per chapter by :func:`helpers.notebook.setup`.
_current: list[Lang] = ["en"]


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}; got {lang!r}")
    return lang  # type: ignore[return-value]


def use(lang: str) -> Lang:
    """Make ``lang`` the language of every label from now on (the chapter's ``lang`` parameter)."""
    _current[0] = check_lang(lang)
    return _current[0]


def current() -> Lang:
    """The language labels are written in: the one :func:`use` set (English until then)."""
    return _current[0]


def _lang(lang: str | None) -> Lang:
    return current() if lang is None else check_lang(lang)


def term(key: str, lang: str | None = None) -> str:
    """The wording of ``key`` in ``lang`` (default: the current language)."""
    try:
        return _TERMS[key][_lang(lang)]
    except KeyError:
        raise KeyError(f"no label '{key}' in helpers.labels; add it with both 'en' and 'nb'") from None


def phrase(key: str, lang: str | None = None, **values: object) -> str:
    """The sentence template ``key`` in ``lang`` (default: the current language), filled with ``values``."""
    try:
        template = _PHRASES[key][_lang(lang)]
    except KeyError:
        raise KeyError(f"no phrase '{key}' in helpers.labels; add it with both 'en' and 'nb'") from None
    return template.format(**values)


def number(value: float, decimals: int = 0, lang: str | None = None) -> str:
    """``value`` as a reader of ``lang`` writes it: 12.5 in English, 12,5 in Norwegian; thousands not grouped."""
    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if _lang(lang) == "nb" else text


def join(items: list[str], lang: str | None = None) -> str:
    """"a, b and c" / "a, b og c"."""
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {phrase('and', lang)} {items[-1]}"


def has_term(key: str) -> bool:
    return key in _TERMS


def response_label(response: str, lang: str | None = None) -> str:
    """An answer option in ``lang``: the questionnaire's Norwegian, or our English translation."""
    from .data import load

    if _lang(lang) == "nb":
        return response
    scales = load("response_scales")
    match = scales.loc[scales["response"] == response, "response_en"]
    if match.empty:
        raise KeyError(f"answer option {response!r} is not in data/response_scales.csv")
    return str(match.iloc[0])


def item_label(question: str, item: str, lang: str | None = None) -> str:
    """A question item (a goal area, a measure) in ``lang``, from the questionnaire."""
    from .data import load

    lang = _lang(lang)
    q = load("questionnaire")
    match = q[(q["question"] == question) & (q["item"] == item)]
    if match.empty:
        raise KeyError(f"item {item!r} of question {question!r} is not in data/questionnaire.csv")
    return str(match.iloc[0][f"wording_{lang}"])
