"""English and Norwegian wording for everything a chart or table shows.

Answer options and question wording come from the data (``questionnaire.csv``, ``response_scales.csv``): the
Norwegian is the questionnaire's own, the English our translation. Everything else is here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
    "not_readable": {"en": "not legible in the text we work from", "nb": "ikke lesbart i teksten vi bygger på"},
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
    "audit_flag": {"en": "⚠ inconsistent in the report — audit", "nb": "⚠ Motstrid i rapporten – se kontroll"},
    # the audit appendix
    "reproduced": {"en": "reproduced", "nb": "gjenskapt"},
    "within rounding": {"en": "within rounding", "nb": "innenfor avrunding"},
    "inconsistent": {"en": "inconsistent", "nb": "i motstrid"},
    "not checkable": {"en": "not checkable", "nb": "kan ikke kontrolleres"},
    "loose wording": {"en": "loose wording", "nb": "upresis ordlyd"},
    "contradiction": {"en": "contradiction", "nb": "motstrid"},
    "tension": {"en": "tension", "nb": "uklarhet"},
    "problems": {"en": "Problems", "nb": "Problemer"},
    "printings": {"en": "Printings", "nb": "Forekomster"},
    "audit_problem": {"en": "Problem", "nb": "Problem"},
    "status": {"en": "Status", "nb": "Status"},
    "claims": {"en": "Claims", "nb": "Tall"},
    "rule": {"en": "Rule", "nb": "Regel"},
    "claim_id": {"en": "Id", "nb": "Id"},
    "refers_to": {"en": "Refers to", "nb": "Gjelder"},
    "stated": {"en": "Stated", "nb": "Oppgitt"},
    "explanation": {"en": "Explanation", "nb": "Forklaring"},
    "compares_with": {"en": "Compares with", "nb": "Sammenligner med"},
    # the Nordic comparison
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
    "complex_hard_to_land": {"en": "complex, hard to complete", "nb": "komplekst og krevende å få i mål"},
    "nearly_done": {"en": "nearly complete", "nb": "nesten i mål"},
    "no_new_activity": {"en": "no new activity", "nb": "uten nye aktiviteter"},
    # a verdict the report hedges ("og til dels Felles HR", sec. 4.3): put before the status
    "partly": {"en": "partly", "nb": "til dels"},
    # a verdict the report gives with "ser ut til" (sec. 4.3, measures.csv status_qualifier 'seems')
    "seems": {"en": "apparently", "nb": "tilsynelatende"},
    # a step of the coordination ladder the report says is being worked on ("det arbeides med", vedlegg 4)
    "under_way": {"en": "under way", "nb": "under arbeid"},
    "not_stated": {"en": "not stated", "nb": "ikke oppgitt"},
    # survey questions (short titles)
    "awareness": {"en": "Knowledge of the strategy", "nb": "Kjennskap til strategien"},
    "strategy_importance": {"en": "Importance of having the strategy", "nb": "Hvor viktig det er at strategien er laget"},
    "goal_importance": {"en": "Importance of the goal areas", "nb": "Hvor viktige målområdene er"},
    "belonging": {"en": "Belonging to the ministry community", "nb": "Tilhørighet til departementsfellesskapet"},
    "cooperation": {"en": "Ministries working together where useful",
                    "nb": "Samarbeid mellom departementene der det er hensiktsmessig"},
    "measure_involvement": {"en": "Worked on the measure", "nb": "Har arbeidet med tiltaket"},
    # chapter 1 (01-awareness): chart legends and the headers of its tables
    "range": {"en": "Possible range", "nb": "Mulig spenn"},
    "quantity": {"en": "What the report gives", "nb": "Hva rapporten oppgir"},
    "value": {"en": "Value", "nb": "Verdi"},
    "question": {"en": "Question", "nb": "Spørsmål"},
    "share_percent": {"en": "Share (%)", "nb": "Andel (%)"},
    "group_size": {"en": "Respondents in the group", "nb": "Respondenter i gruppen"},
    "interval_percent": {"en": "Interval (%)", "nb": "Intervall (%)"},
    "leaders_percent": {"en": "Leaders (%)", "nb": "Ledere (%)"},
    "non_leaders_percent": {"en": "Non-leaders (%)", "nb": "Ikke-ledere (%)"},
    "difference_points": {"en": "Difference (percentage points)", "nb": "Forskjell (prosentpoeng)"},
    "p_value": {"en": "p", "nb": "p"},
    "p_holm": {"en": "p, Holm-adjusted", "nb": "p, Holm-justert"},
    "cramers_v": {"en": "Cramér's V", "nb": "Cramérs V"},
    "holds_after_holm": {"en": "Below 0.05 after adjustment", "nb": "Under 0,05 etter justering"},
    "printed_share": {"en": "Printed share (%)", "nb": "Oppgitt andel (%)"},
    "printed_count": {"en": "Printed count", "nb": "Oppgitt antall"},
    "count_share": {"en": "Count ÷ base (%)", "nb": "Antall ÷ grunnlag (%)"},
    "implied_n": {"en": "N the printed pair allows", "nb": "N som passer med andel og antall"},
    "fits_base": {"en": "Base within that range", "nb": "Grunnlaget passer"},
    # chapter 4 (04-nordic-comparison): codes of the Nordic data as readers read them, and its table headers
    "sweden_and_denmark": {"en": "Sweden and Denmark", "nb": "Sverige og Danmark"},
    "scandinavia": {"en": "Scandinavia", "nb": "Skandinavia"},
    "evidence_interview": {"en": "interview", "nb": "intervju"},
    "evidence_document": {"en": "document", "nb": "dokument"},
    "gov_organisation": {"en": "How it is organised", "nb": "Organisering"},
    "gov_decides_sharing": {"en": "Who decides what is shared", "nb": "Hvem bestemmer hva som deles"},
    "gov_mandatory_use": {"en": "Whether use is mandatory", "nb": "Om bruken er obligatorisk"},
    "gov_financing": {"en": "Funding", "nb": "Finansiering"},
    "gov_principles": {"en": "Principles", "nb": "Prinsipper"},
    "gov_success_factors": {"en": "Success factors", "nb": "Suksessfaktorer"},
    "gov_effects": {"en": "Effects reported", "nb": "Rapporterte virkninger"},
    "gov_coordinator": {"en": "Who coordinates", "nb": "Hvem samordner"},
    "gov_provider": {"en": "Who delivers", "nb": "Hvem leverer"},
    "shared_standards": {"en": "Shared standards", "nb": "Felles standarder"},
    "shared_systems": {"en": "Shared systems", "nb": "Felles systemer"},
    "shared_service_centres": {"en": "Service centres", "nb": "Servicesentre"},
    "link_explicit": {"en": "named in the recommendation", "nb": "nevnt i anbefalingen"},
    "link_implicit": {"en": "our reading: echoed, not named", "nb": "vår tolkning: samsvarer, men landet er ikke nevnt"},
    "parent_sector_named": {"en": "our reading: the report names the ministry whose agencies it serves",
                            "nb": "vår tolkning: rapporten sier at den leverer til virksomhetene under departementet"},
    "parent_inferred": {"en": "our reading: the report names only the sector",
                        "nb": "vår tolkning: rapporten nevner bare sektoren"},
    "service_area": {"en": "Service area", "nb": "Tjenesteområde"},
    "evidence_kind": {"en": "Kind of evidence", "nb": "Kildetype"},
    "evidence_what": {"en": "What it is", "nb": "Hva det er"},
    "evidence_number": {"en": "Number", "nb": "Antall"},
    "governance_aspect": {"en": "Aspect", "nb": "Forhold"},
    "sharing_kind": {"en": "Kind of sharing", "nb": "Type fellesløsning"},
    "report_term_nb": {"en": "The report's Norwegian term", "nb": "Rapportens betegnelse"},
    "covers": {"en": "What it covers", "nb": "Hva det omfatter"},
    "slide_examples": {"en": "Examples on the Danish slide (its English)", "nb": "Eksempler fra det danske lysbildet (engelsk tekst)"},
    "body": {"en": "Body", "nb": "Virksomhet"},
    "serves": {"en": "Provides shared services to", "nb": "Leverer fellestjenester til"},
    "sector_ministry": {"en": "Ministry of its sector", "nb": "Departementet for sektoren"},
    "sector_ministry_basis": {"en": "How we know the ministry", "nb": "Hva koblingen til departementet bygger på"},
    "lesson": {"en": "Lesson", "nb": "Lærdom"},
    "drawn_from": {"en": "Drawn from", "nb": "Hentet fra"},
    "recommendation": {"en": "Recommendation", "nb": "Anbefaling"},
    "link_to_recommendation": {"en": "Link to the recommendation", "nb": "Kobling til anbefalingen"},
    "place_in_report": {"en": "Where in the report", "nb": "Hvor i rapporten"},
    # chapter 2 (02-follow-up): table headers and the wording of its codes
    "governance_body": {"en": "Body", "nb": "Organ"},
    "governance_level": {"en": "Level", "nb": "Nivå"},
    "led_by": {"en": "Led by", "nb": "Ledes av"},
    "secretariat": {"en": "Secretariat", "nb": "Sekretariat"},
    "relations_stated": {"en": "Relations the report states", "nb": "Relasjoner rapporten beskriver"},
    "report_place": {"en": "Where in the report", "nb": "Hvor i rapporten"},
    "lead_ministry": {"en": "Lead ministry", "nb": "Ansvarlig departement"},
    "origin": {"en": "Origin", "nb": "Opprinnelse"},
    "coordination_type": {"en": "Kind of coordination", "nb": "Type samordning"},
    "service_forum": {"en": "Service forum", "nb": "Tjenesteforum"},
    "finding": {"en": "Finding (our words)", "nb": "Funn (med våre ord)"},
    "measures_concerned": {"en": "Measures concerned", "nb": "Tiltak det gjelder"},
    "worked_on_share": {"en": "Worked on it (%)", "nb": "Har arbeidet med tiltaket (%)"},
    "worked_on_count": {"en": "Worked on it (count)", "nb": "Har arbeidet med tiltaket (antall)"},
    "audit_entries": {"en": "Audit: inconsistent entries", "nb": "Kontroll: punkter med avvik"},
    "level_political": {"en": "political", "nb": "politisk"},
    "level_top_management": {"en": "top management", "nb": "toppledelse"},
    "level_ministry_line": {"en": "ministries' line", "nb": "departementenes linje"},
    "level_coordination": {"en": "coordination", "nb": "samordning"},
    "level_strategic": {"en": "strategic advice", "nb": "strategisk rådgivning"},
    "level_user_involvement": {"en": "user involvement", "nb": "brukermedvirkning"},
    "level_service_provider": {"en": "service provider", "nb": "tjenesteleverandør"},
    "level_measure": {"en": "within a measure", "nb": "innenfor et tiltak"},
    "origin_new": {"en": "new in this strategy", "nb": "nytt i denne strategien"},
    "origin_continued": {"en": "continued from the previous strategy", "nb": "videreført fra forrige strategi"},
    "coordination_policy_content": {"en": "policy content", "nb": "politikkinnhold"},
    "coordination_administrative_support": {"en": "administrative support functions",
                                            "nb": "administrative støttefunksjoner"},
    "coordination_both": {"en": "both policy and administration", "nb": "både politikk og administrasjon"},
    "none_named": {"en": "none named", "nb": "ingen oppgitt"},
    "general": {"en": "general", "nb": "generelt"},
    # the audit appendix (05-audit): headers of its tables
    "verdict": {"en": "Verdict", "nb": "Kontrollutfall"},
    "share_of_claims": {"en": "Share of claims (%)", "nb": "Andel av tallene (%)"},
    "audit_claim": {"en": "Claim", "nb": "Tall nr."},
    "audit_where": {"en": "Where in the report", "nb": "Hvor i rapporten"},
    "pair_stated": {"en": "Stated count = percent", "nb": "Oppgitt antall = prosent"},
    "implied_n_range": {"en": "N the count and percent allow", "nb": "N som antall og prosent tillater"},
    "stated_n": {"en": "N in the report", "nb": "N i rapporten"},
    "n_fits": {"en": "N in the report fits", "nb": "N i rapporten passer"},
    "percent_with_n": {"en": "Stated percent of N", "nb": "Oppgitt prosent av N"},
    "whole_counts": {"en": "Whole counts giving it", "nb": "Hele antall som gir den"},
    "count_possible": {"en": "A whole count gives it", "nb": "Et helt antall gir den"},
    "fraction_percent": {"en": "The fraction as a percent", "nb": "Brøken i prosent"},
    "survey_percent": {"en": "Survey share (%)", "nb": "Andel i undersøkelsen (%)"},
    "gap_points": {"en": "Gap (percentage points)", "nb": "Avvik (prosentpoeng)"},
    "goal_area": {"en": "Goal area", "nb": "Målområde"},
    "same_as": {"en": "Same shares as", "nb": "Samme andeler som"},
    "group_answer": {"en": "Group and answer", "nb": "Gruppe og svar"},
    "percent_both": {"en": "Share in both (%)", "nb": "Andel i begge (%)"},
    "text_rule": {"en": "Rule", "nb": "Regel"},
    "text_rule_compares": {"en": "Compares", "nb": "Sammenligner"},
    "text_rule_verdicts": {"en": "Verdict it gives", "nb": "Utfall regelen gir"},
    "text_rule_files": {"en": "Data files", "nb": "Datafiler"},
    "text_rule_problems": {"en": "Problems found", "nb": "Antall problemer"},
}


#: Sentences written from data (alt text, table notes, explanations): ``str.format`` templates per language.
_PHRASES: dict[str, dict[str, str]] = {
    # the Data appendix (helpers.sources)
    "data_page_download": {"en": "Download", "nb": "Last ned"},
    "data_page_rows_count": {"en": "{n} rows", "nb": "{n} rader"},
    "data_page_provenance": {"en": "Columns that give the source", "nb": "Kolonner som viser kilden"},
    "data_page_fields": {"en": "Columns", "nb": "Kolonner"},
    "data_page_rows_table": {"en": "The table shows the row number (which the links from the site point to), the key, "
                                   "the numbers and the place in the report. The other columns are in the file.",
                             "nb": "Tabellen viser radnummeret (som lenkene fra nettstedet peker til), nøkkelen, "
                                   "tallene og stedet i rapporten. De øvrige kolonnene finner du i filen."},
    "data_page_row": {"en": "Row", "nb": "Rad"},
    "data_page_file": {"en": "File", "nb": "Fil"},
    "data_page_title": {"en": "What it holds", "nb": "Hva den inneholder"},
    "data_page_rows": {"en": "Rows", "nb": "Rader"},
    "data_page_provenance_short": {"en": "Columns that give the source", "nb": "Kolonner som viser kilden"},
    "data_page_key_column": {"en": "Column", "nb": "Kolonne"},
    "data_page_key_code": {"en": "Code", "nb": "Kode"},
    "data_page_key_meaning": {"en": "Meaning", "nb": "Betydning"},
    "data_page_in_file": {"en": "{column} in {file}", "nb": "{column} i {file}"},
    "alt_bars": {
        "en": "Horizontal bar chart of {what} for {groups}; {largest} per group – {parts}.",
        "nb": "Liggende stolpediagram over {what} for {groups}; {largest} per gruppe – {parts}.",
    },
    # one group of bars: its name (which may give its N) once, without "per group"
    "alt_bars_one_group": {
        "en": "Horizontal bar chart of {what} ({group}); {largest}: {part}.",
        "nb": "Liggende stolpediagram over {what} ({group}); {largest}: {part}.",
    },
    "largest_share": {"en": "largest share", "nb": "største andel"},
    "percentage_points": {"en": "percentage points", "nb": "prosentpoeng"},
    "percentage_point": {"en": "percentage point", "nb": "prosentpoeng"},
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
    "alt_diagram": {
        "en": "Diagram of {what}: {nodes} bodies joined by arrows – {relations}.",
        "nb": "Diagram over {what}: {nodes} organer forbundet med piler – {relations}.",
    },
    "alt_timeline": {
        "en": "Timeline of {what}: {events} events from {first} to {last}, {planned} of them planned.",
        "nb": "Tidslinje over {what}: {events} hendelser fra {first} til {last}, hvorav {planned} planlagte.",
    },
    "happened": {"en": "happened", "nb": "skjedd"},
    "planned": {"en": "planned", "nb": "planlagt"},
    # plots.timeline: an event in progress at the report's date, and a deadline passed that the report does not say
    # was met (measure_events.csv status)
    "event_under_way": {"en": "under way", "nb": "pågår"},
    "deadline_missed": {"en": "deadline passed, not reported met", "nb": "frist passert, ikke oppgitt som overholdt"},
    "alt_timeline_missed": {"en": "Deadline passed without the report saying it was met: {events}.",
                            "nb": "Frist passert uten at rapporten sier at den ble nådd: {events}."},
    "and": {"en": "and", "nb": "og"},
    # chapter 3 (03-relevance): alt text of plots.membership_bars and plots.ranked_bars
    "alt_membership": {
        "en": "Bar chart of {what}: {units} bars, one per ministry or agency, sorted by the number of the {groups} "
              "groups each is in; most: {most} ({top}). Hatched segments mark the lead – {leads}.",
        "nb": "Stolpediagram over {what}: {units} stolper, én per departement eller etat, sortert etter hvor mange av "
              "de {groups} gruppene hver er med i; flest: {most} ({top}). Skraverte felt markerer hvem som leder – {leads}.",
    },
    "alt_ranked": {
        "en": "Bar chart of {what}, {count} bars sorted from largest to smallest: {best} highest with {top}, lowest {low}.",
        "nb": "Stolpediagram over {what}, {count} stolper sortert fra størst til minst: {best} høyest med {top}, lavest {low}.",
    },
    # the audit appendix (05-audit): every sentence helpers.audit writes, and what each rule compares a claim with
    "audit_more_than_half": {"en": "more than half", "nb": "mer enn halvparten"},
    "audit_about": {"en": "about {value}", "nb": "om lag {value}"},
    "audit_respondents": {"en": "{count} respondents", "nb": "{count} respondenter"},
    "audit_stated": {"en": "stated {stated}", "nb": "oppgitt {stated}"},
    "audit_lookup": {"en": "stated {stated}; {source} has {found}.", "nb": "oppgitt {stated}; {source} har {found}."},
    "audit_n_matches": {"en": "its N {n} matches the N {cell_n} recorded for the cell.",
                        "nb": "N = {n} stemmer med N = {cell_n} som er registrert for cellen."},
    "audit_n_differs": {"en": "its N {n} differs from the N {cell_n} recorded for the cell.",
                        "nb": "N = {n} avviker fra N = {cell_n} som er registrert for cellen."},
    "audit_category_sum": {
        "en": "stated {stated} ({range}); the categories sum to {addends} = {total} ({found_range} given each part's rounding).",
        "nb": "oppgitt {stated} ({range}); kategoriene summerer seg til {addends} = {total} ({found_range} når hver del er "
              "avrundet for seg).",
    },
    "audit_mixture": {
        "en": "leaders and non-leaders mixed {leaders_share} : {others_share} give {weight} × {leaders} + {other_weight} × "
              "{others} = {found} ({low}–{high} given the rounding), against the stated {stated}.",
        "nb": "ledere og ikke-ledere vektet {leaders_share}:{others_share} gir {weight} × {leaders} + {other_weight} × "
              "{others} = {found} ({low}–{high} med avrundingen), mot oppgitt {stated}.",
    },
    "audit_count_share_fits": {"en": "stated {stated}; {count} ÷ {n} = {found}, which rounds to {stated}.",
                               "nb": "oppgitt {stated}; {count} ÷ {n} = {found}, som avrundes til {stated}."},
    "audit_count_share_off": {"en": "stated {stated}; {count} ÷ {n} = {found}, which rounds to {rounded}.",
                              "nb": "oppgitt {stated}; {count} ÷ {n} = {found}, som avrundes til {rounded}."},
    "audit_implied_n": {"en": "{count} is {stated} of N only for N from {low} to {high}, not {n}.",
                        "nb": "{count} er {stated} av N bare for N fra {low} til {high}, ikke {n}."},
    "audit_no_n": {"en": "No N makes {count} exactly {stated}, not {n} either.",
                   "nb": "Ingen N gjør {count} til nøyaktig {stated}, heller ikke {n}."},
    "audit_sample": {"en": "stated {stated}; survey_response.csv gives {found}.",
                     "nb": "oppgitt {stated}; survey_response.csv gir {found}."},
    "audit_sample_elsewhere": {"en": "Elsewhere the report prints {values} for it.",
                               "nb": "Andre steder oppgir rapporten {values} for dette."},
    "audit_sample_both_rates": {
        "en": "Both give the printed response rate once rounded ({rates}), so the response rate cannot tell which of the numbers is right.",
        "nb": "Begge gir den oppgitte svarprosenten når de avrundes ({rates}), så svarprosenten kan ikke avgjøre hvilket av tallene som er riktig.",
    },
    "audit_response_rate": {"en": "stated {stated}; {answered} answered ÷ {invited} invited = {rate}.",
                            "nb": "oppgitt {stated}; {answered} svarte ÷ {invited} inviterte = {rate}."},
    "audit_complement": {"en": "stated {stated}; 100 − {leaders} leaders = {found}.",
                         "nb": "oppgitt {stated}; 100 − {leaders} ledere = {found}."},
    "audit_registry_count": {"en": "stated {stated}; the data hold {count} {what}.",
                             "nb": "oppgitt {stated}; dataene har {count} {what}."},
    "audit_registry_measures": {"en": "measures in measures.csv", "nb": "tiltak i measures.csv"},
    "audit_registry_core_groups": {"en": "core groups in core_groups.csv", "nb": "kjernegrupper i core_groups.csv"},
    "audit_registry_ministries": {"en": "units in ministries.csv: {ministries} ministries and the {pm_office}",
                                  "nb": "enheter i ministries.csv: {ministries} departementer og {pm_office}"},
    "audit_registry_goal_areas": {"en": "goal areas in strategy.csv", "nb": "målområder i strategy.csv"},
    "audit_registry_questions": {"en": "numbered questions in the printed questionnaire (questionnaire.csv)",
                                 "nb": "nummererte spørsmål i det trykte spørreskjemaet (questionnaire.csv)"},
    "audit_registry_interviews": {"en": "interviews in the group {group} (interviews.csv)",
                                  "nb": "intervjuer i gruppen {group} (interviews.csv)"},
    "audit_registry_interview": {"en": "interview in the group {group} (interviews.csv)",
                                 "nb": "intervju i gruppen {group} (interviews.csv)"},
    "audit_interview_sum": {"en": "stated {stated} in total; the {groups} interview groups sum to {addends} = {total}.",
                            "nb": "oppgitt {stated} totalt; de {groups} intervjugruppene gir til sammen {addends} = {total}."},
    "audit_figure_n": {"en": "stated N = {stated}; the figure's cells in survey_answers.csv have N = {ns}.",
                       "nb": "oppgitt N = {stated}; figurens celler i survey_answers.csv har N = {ns}."},
    "audit_figure_n_fits": {"en": "{stated} is at most the {answered} who answered the survey.",
                            "nb": "N = {stated} overstiger ikke antallet som svarte på undersøkelsen ({answered})."},
    "audit_figure_n_exceeds": {"en": "{stated} is more than the {answered} who answered the survey.",
                               "nb": "{stated} er flere enn de {answered} som svarte på undersøkelsen."},
    "audit_involved_low": {"en": "lowest N stated {stated}; the fewest involved in one measure is {low}.",
                           "nb": "laveste oppgitte N er {stated}; færrest involverte i ett tiltak er {low}."},
    "audit_involved_high": {"en": "highest N stated {stated}; the most involved in one measure is {high}.",
                            "nb": "høyeste oppgitte N er {stated}; flest involverte i ett tiltak er {high}."},
    "audit_involved_high_exceeds": {
        "en": "highest N stated {stated}; the most involved in one measure is {high}, and {stated} exceeds the {asked} "
              "who answered the question.",
        "nb": "høyeste oppgitte N er {stated}; flest involverte i ett tiltak er {high}, og {stated} er flere enn de {asked} "
              "som svarte på spørsmålet.",
    },
    "audit_fieldwork": {"en": "stated {stated}; survey_fieldwork.csv ({section}) dates {event} to {found}",
                        "nb": "oppgitt {stated}; survey_fieldwork.csv ({section}) daterer {event} til {found}"},
    "audit_event_survey_opened": {"en": "the survey's opening", "nb": "åpningen av undersøkelsen"},
    "audit_event_survey_closed_stated": {"en": "the survey's close", "nb": "avslutningen av undersøkelsen"},
    "audit_days_apart": {"en": ", {gap} days apart", "nb": ", et avvik på {gap} dager"},
    "audit_core_group_start": {"en": "stated {stated}; core_groups.csv gives {found} as the start of the core group "
                                     "{group}.",
                               "nb": "oppgitt {stated}; core_groups.csv oppgir {found} som oppstart for kjernegruppen "
                                     "{group}."},
    # {description} is measure_events.csv's description of the event, in our words (never quoted as the report's)
    "audit_measure_event": {"en": "stated {stated}; measure_events.csv ({section}) dates the event{planned} to {when}, "
                                  "printed to the {precision}: {description}.",
                            "nb": "oppgitt {stated}; measure_events.csv ({section}) daterer hendelsen{planned} til "
                                  "{when}, angitt med {precision}: {description}."},
    "audit_planned": {"en": "(planned)", "nb": "(planlagt)"},
    "audit_precision_year": {"en": "year", "nb": "årstall"},
    "audit_precision_month": {"en": "month", "nb": "måned"},
    "audit_precision_day": {"en": "day", "nb": "dato"},
    "audit_precision_season": {"en": "season", "nb": "årstid"},
    "audit_season_spring": {"en": "spring", "nb": "våren"},
    "audit_season_summer": {"en": "summer", "nb": "sommeren"},
    "audit_season_autumn": {"en": "autumn", "nb": "høsten"},
    "audit_season_winter": {"en": "winter", "nb": "vinteren"},
    # another printing of the same quantity: its claim id, where it is printed and what it states
    "audit_repeated_same": {"en": "{id} ({place})", "nb": "{id} ({place})"},
    "audit_repeated_states": {"en": "{id} ({place}: {stated})", "nb": "{id} ({place}: {stated})"},
    "audit_repeated_precision": {"en": "{id} ({place}: {stated}, within rounding)",
                                 "nb": "{id} ({place}: {stated}, innenfor avrunding)"},
    "audit_repeated_agrees": {"en": "; agrees with {others}", "nb": "; stemmer med {others}"},
    "audit_repeated_contradicted": {"en": "; contradicted by {others}", "nb": "; motsies av {others}"},
    "audit_repeated_minority": {"en": " — most printings of this quantity disagree with it.",
                                "nb": " – på de fleste andre stedene der rapporten oppgir samme størrelse, står det et annet tall."},
    "audit_repeated_majority": {"en": " — the majority of printings agree with this one.",
                                "nb": " – flertallet av stedene stemmer med dette tallet."},
    "audit_illegible": {"en": "not legible in the text we work from, so there is no number to check{detail}.",
                        "nb": "ikke lesbart i teksten vi bygger på, så det er ikke noe tall å kontrollere{detail}."},
    "audit_stated_once": {
        "en": "stated once; no data file holds this quantity and no other passage of the report states it.",
        "nb": "opplysningen står bare ett sted i rapporten, og ingen datafil har den.",
    },
    "audit_percent_of": {"en": "{percent} of {n}", "nb": "{percent} av {n}"},
    "audit_fraction": {"en": "{k} in {m}", "nb": "{k} av {m}"},  # a verbal fraction as we write it, not quoted
    "audit_printed_as": {"en": "{what}, printed as {quote}", "nb": "{what}, oppgitt som {quote}"},
    # the report's words where the OCR ran an "x av y" together ("1av3"): shown as meant, marked as ours
    "audit_ocr_normalised": {"en": "(spacing of the OCR text normalised)", "nb": "(mellomrom i OCR-teksten rettet)"},
    # in place of a value the OCR text does not let us read: never quoted as the report's words
    "audit_not_legible": {"en": "(not legible)", "nb": "(ikke lesbart)"},
    "audit_no_inconsistency": {"en": "No number is inconsistent.", "nb": "Ingen tall er i motstrid."},
    # the landing page (helpers.headlines.measure_status_list): measures the report places in a status only partly
    "tally_partly": {"en": "{names} only partly", "nb": "for {names} gjelder det bare delvis"},
    "audit_none": {"en": "none", "nb": "ingen"},
    "audit_rule_survey_lookup": {
        "en": "the survey cell (question, item, group, answer) in survey_answers.csv; a verbal 'x av y' must be the simple "
              "fraction (denominator 2, 3, 4, 5 or 10) nearest to it",
        "nb": "spørreundersøkelsens celle (spørsmål, del, gruppe, svar) i survey_answers.csv; en brøk i ord (x av y) må "
              "være den enkle brøken (nevner 2, 3, 4, 5 eller 10) som ligger nærmest",
    },
    "audit_rule_category_sum": {
        "en": "the sum of several answer categories in survey_answers.csv, each rounded on its own; a verbal 'x av y' must "
              "be the simple fraction nearest to it",
        "nb": "summen av flere svarkategorier i survey_answers.csv, hver avrundet for seg; en brøk i ord må være den enkle "
              "brøken som ligger nærmest",
    },
    "audit_rule_mixture": {"en": "the survey cell for all respondents, and the leaders' and non-leaders' shares mixed by "
                                 "the leaders' share of respondents",
                           "nb": "cellen for alle respondenter, og ledernes og ikke-ledernes andeler blandet etter "
                                 "lederandelen blant respondentene"},
    "audit_rule_count_share": {"en": "the printed count of respondents divided by the question's N",
                               "nb": "oppgitt antall respondenter delt på spørsmålets N"},
    "audit_rule_sample_lookup": {"en": "the sample figures in survey_response.csv (invited, answered, reminders, "
                                       "leaders' share)",
                                 "nb": "utvalgstallene i survey_response.csv (inviterte, svarte, påminnelser, lederandel)"},
    "audit_rule_response_rate": {"en": "the number who answered divided by the number invited",
                                 "nb": "antall som svarte delt på antall inviterte"},
    "audit_rule_complement": {"en": "100 minus the leaders' share", "nb": "100 minus lederandelen"},
    "audit_rule_registry_count": {"en": "the number of rows in a registry file (measures, core groups, ministries, goal "
                                        "areas, questions, interviews per group)",
                                  "nb": "antall rader i en registerfil (tiltak, kjernegrupper, departementer, målområder, "
                                        "spørsmål, intervjuer per gruppe)"},
    "audit_rule_interview_sum": {"en": "the sum of the interview groups in interviews.csv",
                                 "nb": "summen av intervjugruppene i interviews.csv"},
    "audit_rule_figure_n": {"en": "the N recorded for the figure's cells in survey_answers.csv, and the number who "
                                  "answered",
                            "nb": "N registrert for figurens celler i survey_answers.csv, og antall som svarte"},
    "audit_rule_involved_range": {"en": "the fewest and the most respondents involved in one measure",
                                  "nb": "færrest og flest respondenter som har jobbet med ett tiltak"},
    "audit_rule_fieldwork_date": {"en": "the fieldwork dates in survey_fieldwork.csv",
                                  "nb": "datoene for datainnsamlingen i survey_fieldwork.csv"},
    "audit_rule_core_group_start": {"en": "the start dates in core_groups.csv", "nb": "oppstartsdatoene i core_groups.csv"},
    "audit_rule_measure_event": {"en": "the date of the measure's event in measure_events.csv, at the precision the "
                                       "report printed it with",
                                 "nb": "datoen for tiltakets hendelse i measure_events.csv, med den presisjonen rapporten "
                                       "oppgir den med"},
    "audit_rule_repeated": {"en": "the other passages of the report that state the same quantity",
                            "nb": "de andre stedene i rapporten som oppgir samme størrelse"},
    "audit_rule_not_checkable": {"en": "nothing: the number is not legible in the text we work from",
                                 "nb": "ingenting: tallet er ikke lesbart i teksten vi bygger på"},
    # the audit's problems (helpers.audit.problems): one entry per distinct problem, its printings and the rule's finding
    "audit_loose": {"en": "{stated} is {gap} from {found}, within the {tolerance} we accept for a verbal fraction: "
                          "loose wording, not a contradiction.",
                    "nb": "{stated} ligger {gap} fra {found}, innenfor de {tolerance} vi godtar for en brøk i ord: "
                          "upresis ordlyd, ikke motstrid."},
    "prob_before_launch": {"en": "{subject} started in {date} ({place}), before the strategy's launch in {launch} "
                                 "({launch_place}), yet {follows_place} calls the trial new as a result of the strategy.",
                           "nb": "{subject} startet i {date} ({place}), før strategien ble lansert i {launch} "
                                 "({launch_place}), men {follows_place} omtaler forsøket som nytt som følge av strategien."},
    "prob_status_conflict": {"en": "{done_place} counts it as a result; {open_place} says it is {status}.",
                             "nb": "{done_place} regner den som et resultat; {open_place} sier at den er {status}."},
    "prob_status_under_way": {"en": "still under way", "nb": "under arbeid"},
    "prob_status_planned": {"en": "planned", "nb": "planlagt"},
    "prob_count_wording": {"en": "{count_place} counts {count} interviews with {quantifier} of the members; "
                                 "{whole_place} gives {whole} members.",
                           "nb": "{count_place} oppgir {count} intervjuer med {quantifier} medlemmene; "
                                 "{whole_place} gir {whole} medlemmer."},
    # the whole is our reading of the report (problem_statements.csv kind 'inferred'), not a number it prints
    "prob_count_wording_inferred": {"en": "{count_place} counts {count} interviews with {quantifier} of the members; "
                                          "from {whole_place} we count {whole} members.",
                                    "nb": "{count_place} oppgir {count} intervjuer med {quantifier} medlemmene; "
                                          "ut fra {whole_place} regner vi med {whole} medlemmer."},
    # several sections named together in a sentence: "sections 2.2 and 3.2.2" / «kapittel 2.2 og 3.2.2»
    "place_sections": {"en": "sections\u00a0{sections}", "nb": "{parts[section]}\u00a0{sections}"},
    "prob_quantifier_almost_all": {"en": "almost all", "nb": "nesten alle"},
    "prob_list_membership": {"en": "{first_place} lists {subject} as {first}; {second_place} as {second}.",
                             "nb": "{first_place} fører {subject} som {first}; {second_place} som {second}."},
    "prob_category_new": {"en": "new", "nb": "nytt"},
    "prob_category_continued": {"en": "continued", "nb": "videreført"},
    "prob_category_partly_continued": {"en": "only partly continued", "nb": "bare delvis videreført"},
    "prob_ref_title": {"en": "The reference to {target} in {place}", "nb": "Henvisningen til {target} i {place}"},
    "prob_ref_missing": {"en": "{place} refers to {target}, which the report does not have.",
                         "nb": "{place} viser til {target}, som ikke finnes i rapporten."},
    "prob_ref_name": {"en": "{place} names {target} {name}; its heading is {heading}.",
                      "nb": "{place} kaller {target} {name}; overskriften er {heading}."},
    "prob_ref_topic": {"en": "{place} refers to {target} for this, but the report treats it in {topics}.",
                       "nb": "{place} viser til {target} for dette, men rapporten omtaler det i {topics}."},
    "prob_no_problem": {"en": "No problem found.", "nb": "Ingen problemer funnet."},
    # the rules for dates, statuses, counts, lists and cross-references (helpers.audit.text_rules), one table row each
    "prob_rule_before_launch": {"en": "Before the launch", "nb": "Før lanseringen"},
    "prob_rule_before_launch_compares": {
        "en": "the dated start of each event the report says follows from the strategy, against the strategy's launch",
        "nb": "startdatoen for hver hendelse som rapporten sier følger av strategien, mot datoen da strategien ble lansert"},
    "prob_rule_before_launch_verdicts": {
        "en": "contradiction when every day the event's printed date can mean lies before every day the launch's can; "
              "otherwise no problem",
        "nb": "motstrid når hendelsen må ha startet før lanseringen, uansett hvilken dag de oppgitte datoene viser til "
              "(de kan være oppgitt bare med måned eller år); ellers ikke noe problem"},
    "prob_rule_status_conflict": {"en": "Status", "nb": "Status"},
    "prob_rule_status_conflict_compares": {
        "en": "the status one place gives a thing (a result to show) against the status another place gives it",
        "nb": "statusen som ett sted i rapporten gir et forhold (et resultat å vise til), mot statusen som et annet sted gir det samme forholdet"},
    "prob_rule_status_conflict_verdicts": {
        "en": "contradiction when one place counts it as done and another as still under way or planned",
        "nb": "motstrid når ett sted regner det som gjennomført og et annet sted som under arbeid eller planlagt"},
    "prob_rule_count_wording": {"en": "Count and wording", "nb": "Antall og ordlyd"},
    "prob_rule_count_wording_compares": {
        "en": "a count the report says covers almost all of a group, against the size of that group",
        "nb": "et antall som rapporten sier omfatter «nesten alle» i en gruppe, mot hvor stor gruppen er"},
    "prob_rule_count_wording_verdicts": {
        "en": "tension when the count equals the whole; contradiction when it is larger; no problem when it is smaller",
        "nb": "uklarhet når antallet er like stort som gruppen; motstrid når det er større; ikke noe problem når det er mindre"},
    "prob_rule_list_membership": {"en": "Lists", "nb": "Lister"},
    "prob_rule_list_membership_compares": {
        "en": "the category (new, continued, partly continued) two places give the same measure",
        "nb": "hvilken kategori (nytt, videreført, delvis videreført) to steder i rapporten plasserer samme tiltak i"},
    "prob_rule_list_membership_verdicts": {
        "en": "loose wording when one place hedges the category the other gives without a hedge; contradiction when "
              "the categories differ (new against continued); no problem when they are the same",
        "nb": "upresis ordlyd når ett sted tar forbehold om kategorien det andre stedet gir uten forbehold; motstrid når "
              "kategoriene er ulike (nytt mot videreført); ikke noe problem når de er like"},
    "prob_rule_cross_reference": {"en": "Cross-references", "nb": "Henvisninger"},
    "prob_rule_cross_reference_compares": {
        "en": "each reference to a section, appendix, figure or table against the report's parts and their headings",
        "nb": "hver henvisning til et kapittel, et vedlegg, en figur eller en tabell mot rapportens deler og overskrifter"},
    "prob_rule_cross_reference_verdicts": {
        "en": "contradiction when the part does not exist; tension when it exists but the report treats the topic "
              "elsewhere; loose wording when the name printed with it is not its heading",
        "nb": "motstrid når delen ikke finnes; uklarhet når den finnes, men rapporten omtaler temaet et annet sted; "
              "upresis ordlyd når navnet som står ved henvisningen, ikke stemmer med overskriften på delen"},
    # chapter 4 (04-nordic-comparison): alt text of plots.status_grid, and where in the report a row comes from
    "alt_status_grid": {
        "en": "Grid of {what}: {rows} rows by {cols} columns, each cell coloured and labelled with its status; {parts}.",
        "nb": "Rutenett som viser {what}: {rows} rader og {cols} kolonner, der hver rute har farge og tekst etter status; {parts}.",
    },
    "status_count": {"en": "{count} {status}", "nb": "{count} {status}"},
    # the parts of the report are named by the glossary (data/glossary.csv, category report_part): {parts[figure]} is
    # "Figure" / "figur"; a part and its number are held together by a no-break space
    "place_section": {"en": "{parts[section]}\u00a0{section}", "nb": "{parts[section]}\u00a0{section}"},
    "place_appendix": {"en": "{parts[appendix]}\u00a0{number}", "nb": "{parts[appendix]}\u00a0{number}"},
    "place_literature": {"en": "{parts[literature_list]}", "nb": "{parts[literature_list]}"},
    "place_summary": {"en": "{parts[summary]}", "nb": "{parts[summary]}"},  # the report's summary (helpers.audit.place)
    "place_figure": {"en": "{parts[figure]}\u00a0{number}", "nb": "{parts[figure]}\u00a0{number}"},
    "place_table": {"en": "{parts[table]}\u00a0{number}", "nb": "{parts[table]}\u00a0{number}"},
    # the running text just below a table ("under Tabell 1" in a provenance column), not the table itself
    "place_below_table": {"en": "(text below {parts[table]}\u00a0{number})",
                          "nb": "(teksten under {parts[table.lower]}\u00a0{number})"},
    "place_footnote": {"en": "{parts[footnote]}\u00a0{number}", "nb": "{parts[footnote]}\u00a0{number}"},
    "place_unnumbered_figure": {"en": "unnumbered {parts[figure.lower]}", "nb": "{parts[figure.lower]} uten nummer"},
    # "the report's Figure 2" / "rapportens figur 2"
    "report_part_of": {"en": "the report's {part}", "nb": "rapportens {part}"},
    # chapter 2 (02-follow-up): alt text and notes of plots.diagram and plots.timeline
    "alt_diagram_hub": {"en": "{hub} takes part in the most relations ({count}).",
                        "nb": "{hub} inngår i flest relasjoner ({count})."},
    "alt_diagram_isolated": {"en": "Drawn with a dashed outline, with no relation stated in the report: {bodies}.",
                             "nb": "Med stiplet ramme, uten noen relasjon beskrevet i rapporten: {bodies}."},
    "no_relation_stated": {"en": "no relation stated in the report", "nb": "ingen relasjon beskrevet i rapporten"},
    "no_dated_event": {"en": "no dated event in the report", "nb": "ingen datert hendelse i rapporten"},
    "alt_timeline_row": {"en": "{row}: {events}", "nb": "{row}: {events}"},
    "alt_timeline_empty": {"en": "No dated event in the report for: {rows}.",
                           "nb": "Ingen datert hendelse i rapporten for: {rows}."},
    # chapter 2 (02-follow-up): the report's verdict on a measure after its name ("Shared ICT, which the report
    # finds …"), {partly} empty or the hedge ("partly "); and a count of measures per verdict (status_tally)
    "verdict_good_drive": {"en": "is {partly}in good drive", "nb": "er {partly}i godt driv"},
    "verdict_complex_hard_to_land": {"en": "is {partly}complex and hard to complete",
                                     "nb": "er {partly}komplekst og krevende å få i mål"},
    "verdict_nearly_done": {"en": "is {partly}nearly complete", "nb": "er {partly}nesten i mål"},
    "verdict_no_new_activity": {"en": "has {partly}no new activity", "nb": "er {partly}uten nye aktiviteter"},
    "verdict_not_stated": {"en": "has no stated status", "nb": "har ingen oppgitt status"},
    "tally_good_drive": {"en": "{count} in good drive", "nb": "{count} i godt driv"},
    "tally_complex_hard_to_land": {"en": "{count} complex and hard to complete",
                                   "nb": "{count} komplekse og krevende å få i mål"},
    "tally_complex_hard_to_land_one": {"en": "{count} complex and hard to complete",
                                       "nb": "{count} komplekst og krevende å få i mål"},
    "tally_nearly_done": {"en": "{count} nearly complete", "nb": "{count} nesten i mål"},
    "tally_no_new_activity": {"en": "{count} without new activities", "nb": "{count} uten nye aktiviteter"},
    "tally_not_stated": {"en": "{count} without a stated status", "nb": "{count} uten oppgitt status"},
    # who the chapter 2 tally is (its parameter count_hedged): the report's summary, or that summary recounted here
    "tally_lead_report": {"en": "The report's summary of their status (section 4.3) comes to",
                          "nb": "Rapportens oppsummering av status (kapittel 4.3) gir denne fordelingen:"},
    "tally_lead_hedged_apart": {
        "en": "Recounted here with the measures whose status the report hedges set apart (an assumption of this page, "
              "not the report's), its summary of their status (section 4.3) comes to",
        "nb": "Teller vi tiltakene som rapporten bare angir status for med forbehold, for seg (en forutsetning på denne "
              "siden, ikke i rapporten), gir rapportens oppsummering av status (kapittel 4.3) denne fordelingen:"},
    "tally_seems": {"en": "{names}, as far as the report can tell", "nb": "{names}, så langt rapporten kan se"},
    # the data's licence by its official name in each language (the landing page; {version} from CITATION.cff): a
    # version number, not a decimal, so "4.0" in both editions
    "data_licence": {"en": "Creative Commons Attribution {version} International (CC BY {version})",
                     "nb": "Creative Commons Navngivelse {version} Internasjonal (CC BY {version})"},
    # the audit's distinct problems by verdict (problem_tally): «11 tilfeller av motstrid, 2 av uklarhet og 4 av
    # upresis ordlyd» – the noun once, on the first count
    "problems_first_one": {"en": "{count} {verdict}", "nb": "{count} tilfelle av {verdict}"},
    "problems_first": {"en": "{count} {verdict}", "nb": "{count} tilfeller av {verdict}"},
    "problems_next": {"en": "{count} {verdict}", "nb": "{count} av {verdict}"},
    "problem_contradiction": {"en": "contradiction", "nb": "motstrid"},
    "problem_contradiction_many": {"en": "contradictions", "nb": "motstrid"},
    "problem_tension": {"en": "tension", "nb": "uklarhet"},
    "problem_tension_many": {"en": "tensions", "nb": "uklarhet"},
    "problem_loose wording": {"en": "case of loose wording", "nb": "upresis ordlyd"},
    "problem_loose wording_many": {"en": "cases of loose wording", "nb": "upresis ordlyd"},
}

#: The relations of ``governance_relations.relation`` (``from_body`` *relation* ``to_body``): the follow-up chapter's
#: diagrams and the Data page's key word them alike.
RELATIONS: dict[str, dict[str, str]] = {
    "leads": {"en": "leads", "nb": "leder"},
    "decides_for": {"en": "decides for", "nb": "beslutter for"},
    "coordinates": {"en": "coordinates", "nb": "samordner"},
    "advises": {"en": "advises", "nb": "gir råd til"},
    "reports_to": {"en": "reports to", "nb": "rapporterer til"},
    "escalates_to": {"en": "may take matters to", "nb": "kan løfte saker til"},
    "secretariat_for": {"en": "secretariat for", "nb": "er sekretariat for"},
}


def relation(code: str, lang: str | None = None) -> str:
    """A relation between two bodies as prose and diagrams word it: "advises" / «gir råd til»."""
    return RELATIONS[code][_lang(lang)]


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


#: Terms that name a thing of the glossary (data/glossary.csv): a table header "Figure" / "Figur", a country. They are
#: read from there, capitalised as a label, so a page never names the thing in two ways.
_GLOSSARY_TERMS: dict[str, tuple[str, str]] = {
    "figure": ("report_part", "figure"),
    "section": ("report_part", "section"),
    "sweden": ("country", "sweden"),
    "denmark": ("country", "denmark"),
    "norway": ("country", "norway"),
}


def term(key: str, lang: str | None = None) -> str:
    """The wording of ``key`` in ``lang`` (default: the current language)."""
    if key in _GLOSSARY_TERMS:
        word = name(*_GLOSSARY_TERMS[key], lang)
        return word[:1].upper() + word[1:]
    try:
        return _TERMS[key][_lang(lang)]
    except KeyError:
        raise KeyError(f"no label '{key}' in helpers.labels; add it with both 'en' and 'nb'") from None


class _ReportParts(Mapping[str, str]):
    """The glossary's names of the report's parts, for a phrase's ``{parts[figure]}`` (``{parts[figure.lower]}``:
    in small letters, "unnumbered figure"); read only when a phrase uses one."""

    def __init__(self, lang: str | None) -> None:
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        part, _, lower = key.partition(".")
        word = name("report_part", part, self.lang)
        return word.lower() if lower == "lower" else word

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(names_of("report_part", self.lang))

    def __len__(self) -> int:
        return len(names_of("report_part", self.lang))


def phrase(key: str, lang: str | None = None, **values: object) -> str:
    """The sentence template ``key`` in ``lang`` (default: the current language), filled with ``values``; a template
    names a part of the report by the glossary's word, ``{parts[figure]}``."""
    try:
        template = _PHRASES[key][_lang(lang)]
    except KeyError:
        raise KeyError(f"no phrase '{key}' in helpers.labels; add it with both 'en' and 'nb'") from None
    if "{parts[" in template:
        values.setdefault("parts", _ReportParts(lang))
    return template.format(**values)


NBSP = "\u00a0"  # keeps a number with its unit or sign on one line on a phone's narrow column
#: Digits from which thousands are grouped: five, as Norwegian and SI style write them (4691, but 12 500 / 12,500).
GROUP_FROM = 10_000
_MONTHS_NB = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
              "november", "desember")


def number(value: float, decimals: int = 0, lang: str | None = None) -> str:
    """``value`` as a reader of ``lang`` writes it: 12.5 / 12,5; from five digits grouped (12,500 / 12 500)."""
    lang = _lang(lang)
    if isinstance(value, bool) or value is None or value != value:  # NaN: missing stays missing, never a number
        raise ValueError(f"number(): {value!r} is not a number; say in words that it is missing")
    text = f"{value:,.{decimals}f}" if abs(value) >= GROUP_FROM else f"{value:.{decimals}f}"
    if lang == "nb":
        text = text.replace(",", NBSP).replace(".", ",")
    # a true minus sign, as typeset text has it; none where the rounded number is zero ("-0" claims a direction)
    return text.replace("-", "\u2212") if round(value, decimals) < 0 else text.lstrip("-")


def percent(value: float, decimals: int = 0, lang: str | None = None) -> str:
    """A share given in percent (29.4 → "29%" / "29 %"): Norwegian puts a (no-break) space before the sign."""
    text = number(value, decimals, lang)
    return f"{text}{NBSP}%" if _lang(lang) == "nb" else f"{text}%"


def points(value: float, decimals: int = 0, lang: str | None = None) -> str:
    """A difference of percentages: "12 percentage points" / "12 prosentpoeng"."""
    unit = phrase("percentage_point" if abs(value) == 1 and decimals == 0 else "percentage_points", lang)
    return f"{number(value, decimals, lang)}{NBSP}{unit}"


def count(value: int, lang: str | None = None) -> str:
    """A whole number of things (respondents, measures): never with decimals."""
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"count(): {value!r} is not a whole number")
    return number(int(value), 0, lang)


def date(value: object, precision: str = "day", lang: str | None = None) -> str:
    """A date as the edition writes it, to the precision the source gives: "1 March 2023" / "1. mars 2023",
    "March 2023" / "mars 2023", or the year alone."""
    import datetime as dt

    import pandas as pd

    if value is None or (not isinstance(value, (str, dt.date)) and pd.isna(value)):
        raise ValueError("date(): no date; say in words that it is not stated")
    day = pd.Timestamp(value)
    if precision == "year":
        return f"{day.year}"
    month = _MONTHS_NB[day.month - 1] if _lang(lang) == "nb" else day.strftime("%B")
    if precision == "month":
        return f"{month} {day.year}"
    if precision != "day":
        raise ValueError(f"date(): precision must be 'day', 'month' or 'year', got {precision!r}")
    return f"{day.day}.{NBSP}{month} {day.year}" if _lang(lang) == "nb" else f"{day.day}{NBSP}{month} {day.year}"


def join(items: list[str], lang: str | None = None) -> str:
    """"a, b and c" / "a, b og c"."""
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {phrase('and', lang)} {items[-1]}"


def report_part(part: str, number: object = None, lang: str | None = None, *, of_report: bool = False) -> str:
    """A part of the report by the glossary's name (category ``report_part``), with its number: ``("figure", 2)`` →
    "Figure 2" / "figur 2", ``("appendix", 3)`` → "Appendix 3" / "vedlegg 3", ``("section", "3.1.1")`` → "section
    3.1.1" / "kapittel 3.1.1" (a no-break space before the number); ``of_report``: "the report's Figure 2" /
    "rapportens figur 2"."""
    word = name("report_part", part, lang)
    text = word if number is None or number == "" else f"{word}{NBSP}{number}"
    return phrase("report_part_of", lang, part=text) if of_report else text


def _report_section(section: str, lang: str | None) -> str:
    import re

    if re.fullmatch(r"\d+(\.\d+)*", section):
        return phrase("place_section", lang, section=section)
    if match := re.fullmatch(r"[Vv]edlegg (\d+)", section):
        return phrase("place_appendix", lang, number=match.group(1))
    if section == "litteraturoversikt":
        return phrase("place_literature", lang)
    if section == "sammendrag":
        return phrase("place_summary", lang)
    return section


def report_sections(section: str, lang: str | None = None) -> str:
    """Several sections of the report (a provenance cell, ``|``-separated) named together in a sentence: "sections 2.2
    and 3.2.2" / «kapittel 2.2 og 3.2.2»; anything but numbered sections, or one place, as :func:`report_place`."""
    import re

    parts = [s.strip() for s in section.split("|") if s.strip()] if isinstance(section, str) else []
    if len(parts) > 1 and all(re.fullmatch(r"\d+(\.\d+)*", p) for p in parts):
        return phrase("place_sections", lang, sections=join(parts, lang))
    return report_place(section, "", lang)


def report_place(section: str, figure: str = "", lang: str | None = None) -> str:
    """Where in the report a row comes from, as a reader cites it, in the glossary's names of the report's parts
    (category ``report_part``): "section 3.4.2, unnumbered figure", "section 3.1.1, Figure 4", "Appendix 2",
    "summary" / "kapittel 3.4.2, figur uten nummer", "kapittel 3.1.1, figur 4", "vedlegg 2", "sammendrag".

    ``section`` and ``figure`` are the data's provenance columns (the report's own numbering: "3.4.1", "vedlegg 3",
    "litteraturoversikt", "sammendrag", several '|'-separated; "Figur 3", "Tabell 1", "unnumbered figure"); anything
    else is shown as the data writes it.
    """
    import re

    # a missing section or figure (None, NaN: most numbers are stated in the text) is none
    section = section.strip() if isinstance(section, str) else ""
    figure = figure.strip() if isinstance(figure, str) else ""
    place = "; ".join(_report_section(s.strip(), lang) for s in section.split("|") if s.strip())
    if match := re.fullmatch(r"(?:Figur|Figure) (\d+)", figure, flags=re.IGNORECASE):
        shown = phrase("place_figure", lang, number=match.group(1))
    elif match := re.fullmatch(r"under (?:Tabell|Table) (\d+)", figure, flags=re.IGNORECASE):
        below = phrase("place_below_table", lang, number=match.group(1))
        return f"{place} {below}" if place else below
    elif match := re.fullmatch(r"(?:Tabell|Table) (\d+)", figure, flags=re.IGNORECASE):
        shown = phrase("place_table", lang, number=match.group(1))
    elif figure == "unnumbered figure":
        shown = phrase("place_unnumbered_figure", lang)
    else:
        shown = figure
    return ", ".join(p for p in (place, shown) if p)


def name_list(kind: str, ids: object, lang: str | None = None) -> str:
    """The glossary names of ``ids`` — a data file's list cell, ``|``-separated ("felles_ikt|felles_hr"), or a
    list — joined for prose ("Shared ICT and Shared HR services"); an empty or missing cell gives ""."""
    if isinstance(ids, str):
        ids = ids.split("|")
    elif not isinstance(ids, (list, tuple)):
        ids = []  # NaN, None: the cell names nothing
    return join([name(kind, i, lang) for i in ids if i], lang)


def status_tally(counts: Mapping[str, int], lang: str | None = None, *, among: Iterable[int] = ()) -> str:
    """How many measures the report gives each verdict, as a list for prose ("two in good drive, three complex and
    hard to complete and one nearly complete"), in the order of ``counts``; a Norwegian adjective agrees with its
    count. The counts follow the number style (:data:`_COUNT_WORDS`): in words, unless a part, the parts' sum or a
    count in ``among`` (the sentence's others) is in digits — then all are digits."""
    together = [*(int(n) for n in counts.values()), sum(int(n) for n in counts.values()), *among]
    parts = []
    for status, n in counts.items():
        key = f"tally_{status}_one" if n == 1 and f"tally_{status}_one" in _PHRASES else f"tally_{status}"
        parts.append(phrase(key, lang, count=count_words(n, lang, gender="neuter", among=together)))  # «ett tiltak»
    return join(parts, lang)


def problem_tally(counts: Mapping[str, int], lang: str | None = None) -> str:
    """The audit's distinct problems by verdict (``contradiction``, ``tension``, ``loose wording``) for prose, a zero
    left out: "11 contradictions, 2 tensions and 4 cases of loose wording" / «11 tilfeller av motstrid, 2 av uklarhet
    og 4 av upresis ordlyd». The list is the parts of a total the sentence gives first ("17 problems: …"), so by the
    number style (:data:`_COUNT_WORDS`) its counts are in words only if every part and their sum are small enough."""
    counts = {str(v): int(n) for v, n in counts.items() if int(n)}
    together = [*counts.values(), sum(counts.values())]
    parts = []
    for i, (verdict, n) in enumerate(counts.items()):
        shown = count_words(n, lang, gender="neuter", among=together)
        noun = phrase(f"problem_{verdict}" + ("" if n == 1 else "_many"), lang)
        key = "problems_next" if i else ("problems_first_one" if n == 1 else "problems_first")
        parts.append(phrase(key, lang, count=shown, verdict=noun))
    return join(parts, lang)


def sentence_start(text: str) -> str:
    """``text`` as the start of a sentence: its first letter a capital, the rest as it is ("vedlegg 4: …" →
    "Vedlegg 4: …", "kapittel 4.1" → "Kapittel 4.1"), in either language."""
    for i, c in enumerate(text):
        if c.isalnum():  # the first letter or digit: a digit has no capital ("17 problemer" stays)
            return text[:i] + c.upper() + text[i + 1:] if c.isalpha() else text
    return text


def statements_with_places(statements: list[tuple[str, str]], lang: str | None = None) -> str:
    """Statements in our words (``findings.csv``) as sentences for prose, each closed by where in the report it comes
    from: "Differing views … stop the work (sec. 4.2). Some informant input … (sec. 5.2)." ``statements`` are
    (statement, section) pairs; a statement is data text, never quoted as the report's words."""
    return " ".join(f"{text.strip().rstrip('.')} ({report_place(section, lang=lang)})." for text, section in statements)


def has_term(key: str) -> bool:
    return key in _TERMS or key in _GLOSSARY_TERMS


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


#: Questions whose items are things the glossary names, the item being the glossary id (a goal area, a measure).
ITEM_CATEGORIES: dict[str, str] = {"goal_importance": "goal_area", "measure_involvement": "measure"}


def item_name(question: str, item: str, lang: str | None = None) -> str:
    """A question item as a reader sees it: the glossary's name of the goal area or measure it asks about (the one
    name every page uses), the questionnaire's wording for any other item."""
    if question in ITEM_CATEGORIES:
        return name(ITEM_CATEGORIES[question], item, lang)
    return item_label(question, item, lang)


def p_value(p: float, lang: str | None = None) -> str:
    """A p-value for reading: three decimals, or "< 0.001" / "< 0,001" (a no-break space after the sign)."""
    return f"<{NBSP}{number(0.001, 3, lang)}" if p < 0.001 else number(p, 3, lang)


def signed(value: float, decimals: int = 0, lang: str | None = None) -> str:
    """A difference with its sign: "+35", "−14" (a true minus sign), "0"."""
    text = number(abs(value), decimals, lang)
    if round(abs(value), decimals) == 0:  # "+0" or "−0" would claim a direction the rounded number does not have
        return text
    return ("+" if value > 0 else "\u2212") + text


#: The forms of a glossary name (:func:`name`).
NAME_FORMS = ("name", "short", "numbered")


def name(kind: str, id: str, lang: str | None = None, *, form: str = "name") -> str:
    """The one name of a thing a reader sees (a measure, body, ministry, goal area, …), from ``data/glossary.csv``.

    ``form``: ``"name"``, the name itself; ``"short"``, the short form a page uses once the name is given (an
    abbreviation as readers see it, "DFØ"; "Goal area 1" / "Målområde 1"), the name where there is none;
    ``"numbered"``, the short form before the name, "Goal area 1: More coordinated development …"."""
    names = names_of(kind, lang, form=form)
    if id not in names:
        raise KeyError(f"data/glossary.csv has no {kind} {id!r}; add a row (category={kind}, id={id}) with both names")
    return names[id]


def names_of(kind: str, lang: str | None = None, *, form: str = "name") -> dict[str, str]:
    """Every name of one ``kind`` in the glossary, by id, in ``lang`` (``form`` as in :func:`name`)."""
    import pandas as pd

    from .data import load

    if form not in NAME_FORMS:
        raise ValueError(f"form must be one of {', '.join(NAME_FORMS)}; got {form!r}")
    lang = _lang(lang)
    glossary = load("glossary")
    rows = glossary[glossary["category"] == kind]
    if rows.empty:
        raise KeyError(f"data/glossary.csv has no entries of category {kind!r}")
    names = dict(zip(rows["id"], rows[f"name_{lang}"]))
    if form == "name":
        return names
    short = {i: s for i, s in zip(rows["id"], rows[f"short_{lang}"]) if isinstance(s, str) and s and not pd.isna(s)}
    if form == "short":
        return {i: short.get(i, n) for i, n in names.items()}
    return {i: f"{short[i]}: {n}" if i in short and short[i] != n else n for i, n in names.items()}


def spelled_out(kind: str, id: str, lang: str | None = None) -> str:
    """A thing named in full with its short form, as a page names it the first time: "Ministry of Finance (FIN)",
    "Norwegian Agency for Public and Financial Management (DFØ)"; the name alone where it has no short form
    (Datatilsynet: the glossary's short form is the name itself)."""
    full, short = name(kind, id, lang), name(kind, id, lang, form="short")
    return full if short == full else f"{full} ({short})"


#: Small counts as running text writes them: English spells out one to nine, Norwegian one to twelve (the report's
#: own «syv»). The number style, one rule for both editions:
#:
#: * running text writes a small count in words (:func:`count_words`): «syv tiltak», "five of seven";
#: * except where the same sentence or list gives another count in digits — a total of 13 or more (above nine in
#:   English), the parts of such a total, the other side of a comparison: then every count there is digits («17
#:   problemer: 11 tilfeller av motstrid, 2 av uklarhet og 4 av upresis ordlyd»). Pass the sentence's other counts as
#:   ``among=`` (:func:`count_words`, :func:`counted`); :func:`problem_tally` and :func:`status_tally` apply it to
#:   their parts and the parts' sum themselves;
#: * a count with a unit or a percent, and every count in a table, a figure or a caption, is digits (:func:`count`):
#:   a caption is a figure's label, so «Figur 3.1: … etter 3 målområder», while the text beside it may write «tre».
_COUNT_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine"),
    "nb": ("én", "to", "tre", "fire", "fem", "seks", "syv", "åtte", "ni", "ti", "elleve", "tolv"),
}
Gender = Literal["common", "neuter"]


def in_words(values: Iterable[int], lang: str | None = None) -> bool:
    """Whether counts that stand together in one sentence or list are written in words: only if every one of them is
    (1 up to nine in English, twelve in Norwegian; a zero is neutral). One of them in digits makes them all digits."""
    limit = len(_COUNT_WORDS[_lang(lang)])
    return all(int(v) <= limit for v in values)


def count_words(value: int, lang: str | None = None, *, gender: Gender = "common", among: Iterable[int] = ()) -> str:
    """A count in running text: "seven" / "syv" up to nine in English and twelve in Norwegian, digits above that
    (``count``: "13", "1969"). ``among``: the other counts of the same sentence or list; if any of them is written in
    digits, so is this one («17 problemer, og 11 av dem …»). A Norwegian one agrees with its noun:
    ``gender="neuter"`` gives «ett» (ett tiltak), the default «én» (én lærdom); zero stays a digit (write «ingen» with
    ``counted(…, none=…)``)."""
    lang = _lang(lang)
    if gender not in ("common", "neuter"):
        raise ValueError(f"count_words(): gender must be 'common' or 'neuter', got {gender!r}")
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"count_words(): {value!r} is not a whole number")
    n = int(value)
    words = _COUNT_WORDS[lang]
    if not 1 <= n <= len(words) or not in_words(among, lang):
        return count(n, lang)
    if n == 1 and lang == "nb" and gender == "neuter":
        return "ett"
    return words[n - 1]


def counted(value: int, one: str = "", many: str = "", *, none: str | None = None, lang: str | None = None,
            gender: Gender = "common", among: Iterable[int] = ()) -> str:
    """A count with its noun, singular or plural by the count, for prose, the count in words where running text
    writes it so (:func:`count_words`): ``counted(1, "interview", "interviews")`` → "one interview",
    ``counted(2, "intervju", "intervjuer")`` → "to intervjuer", ``counted(14, …)`` → "14 …"; with ``none``, a zero
    is that word instead ("none", "ingen områder"). The nouns are the edition's words: write each language's call
    in that language's part of the page (a Norwegian neuter noun: ``gender="neuter"``, «ett tiltak»)."""
    if value == 0 and none is not None:
        return none
    noun = one if value == 1 else many
    return f"{count_words(value, lang, gender=gender, among=among)} {noun}".rstrip()


#: Glossary categories whose Norwegian names our English paraphrases sometimes keep (:func:`glossary_names`).
_PROPER_NAMES = ("measure", "core_group", "body", "organisation", "document", "country")


def glossary_names(text: str, lang: str | None = None) -> str:
    """Our paraphrase ``text`` (a data file's ``…_en`` or ``…_nb`` column) with every other name of a glossary entry in
    it written as the edition names that entry: in the English edition a Norwegian name ("Strategisk forum", "Felles
    IKT"), in either edition the report's own spelling ("SIKT") and the variants the glossary says to avoid. Tables
    then show one name per thing, like the prose. Names count as whole words only ("Felles IKT-program" is left)."""
    import re

    from .data import load

    lang = _lang(lang)
    if not isinstance(text, str):
        return text
    glossary = load("glossary")
    names: dict[str, str] = {}
    ambiguous: set[str] = set()
    for _, row in glossary[glossary["category"].isin(_PROPER_NAMES)].iterrows():
        target = row[f"name_{lang}"]
        # a body's report_name is the label the report lists it under ("HR-tjenester" for Tjenesteforum for HR), an
        # ordinary phrase in our text ("felles HR-tjenester"), not another spelling of the name: it is not replaced
        spelling = row.get("report_name") if row["category"] != "body" else None
        variants = [spelling, *str(row.get(f"avoid_{lang}") or "").split("|")]
        if lang != "nb":
            variants.append(row["name_nb"])
        for variant in variants:
            if isinstance(variant, str) and variant.strip() and variant != target:
                if names.get(variant, target) != target:
                    ambiguous.add(variant)  # two entries share it: which one the text means is not ours to guess
                names[variant] = target
    names = {v: t for v, t in names.items() if v not in ambiguous}
    # a name is kept as it is, also where an avoided variant is a part of it ("Shared HR" in "Shared HR services"):
    # the longest match at a place wins, so the name itself must be one of the alternatives
    for target in set(names.values()):
        names.setdefault(target, target)
    # inside a sentence an avoided variant may start with a small letter ("the good of the community of ministries",
    # "tjenesteforaene"): it is written as the name, with a small first letter unless the name is capitalised within
    # ("Strategic Forum", "Shared HR services" keep their capitals), and without its article where the variant has none
    article = re.compile(r"(?i)(?:the|a|an) ")
    for _, row in glossary[glossary["category"].isin(_PROPER_NAMES)].iterrows():
        target = row[f"name_{lang}"]
        for variant in str(row.get(f"avoid_{lang}") or "").split("|"):
            small = variant.strip()[:1].lower() + variant.strip()[1:]
            if not small or small == variant.strip() or small in names or small in ambiguous:
                continue
            shown = target.split(" ", 1)[1] if article.match(target) and not article.match(small) else target
            names[small] = shown if any(c.isupper() for c in shown[1:]) else shown[:1].lower() + shown[1:]
    if not names:
        return text
    pattern = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.sub(rf"(?<![\w-])({pattern})(?![\w-])", lambda m: names[m.group(1)], text)


def report_places(rows: object, lang: str | None = None) -> list[str]:
    """Where in the report each row of a data table comes from (its ``section`` and ``figure`` columns), as
    :func:`report_place` writes it."""
    return [report_place(section, figure, lang) for section, figure in zip(rows["section"], rows["figure"])]  # type: ignore[index]


def joined_places(places: list[str]) -> str:
    """Several places in the report (:func:`report_places`) as one reference: each once, and a section left out where
    a figure in it is named too ("sec. 3.4.2, unnumbered figure" covers "sec. 3.4.2"); separated by semicolons, since
    a place can hold a comma."""
    unique = list(dict.fromkeys(p for p in places if p))
    return "; ".join(p for p in unique if not any(q.startswith(f"{p}, ") for q in unique))
