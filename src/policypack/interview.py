"""`policypack init`: write a commented school profile, asking for the key fields.

Questions live here as data; the profile's wording and comments live in the template
`templates/init/school.yaml.j2`. Unanswered fields become FILL-ME placeholders, which
`validate` reports by line and `build` refuses to print.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

from pydantic import TypeAdapter, ValidationError

from policypack.load.plainwords import UNCOVERED_NATIONS
from policypack.load.profile import PLACEHOLDER
from policypack.model.basics import Phase
from policypack.model.flow import Date, Nation
from policypack.model.profile import Email, Phone
from policypack.render.templating import render_text
from policypack.write.atomic import replacing

# (key, question) in the order a DSL would answer them. {lead} and {social_care} take the
# nation's terms once the nation is known (Wales: DSP, local authority social services).
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("school_name", "School name"),
    ("nation", "Nation (england or wales)"),
    ("phase", "Phase (" + ", ".join(get_args(Phase)) + ")"),
    ("address", "School address"),
    ("dsl_name", "{lead}: name"),
    ("dsl_phone", "{lead}: phone"),
    ("dsl_email", "{lead}: e-mail"),
    ("deputy_name", "A deputy: name"),
    ("deputy_phone", "A deputy: phone"),
    ("deputy_email", "A deputy: e-mail"),
    ("head_name", "Headteacher: name"),
    ("chair_name", "Chair of governors: name"),
    ("csc_name", "{social_care} front door: name"),
    ("csc_phone", "{social_care} front door: phone"),
    ("police_name", "Police contact (e.g. the safer schools team): name"),
    ("police_phone", "Police contact: phone"),
    ("adopted", "Date the policy is adopted (YYYY-MM-DD, e.g. 2026-09-01)"),
    ("approved_by", "Approved by (e.g. Full governing board)"),
)
TERMS = {
    "england": {"lead": "Designated safeguarding lead", "social_care": "Children's social care (MASH)"},
    "wales": {"lead": "Designated safeguarding person", "social_care": "Local authority social services"},
}
MAX_TRIES = 3

Ask = Callable[[str, str], str]
Say = Callable[[str], None]


def placeholder(question: str) -> str:
    return f"{PLACEHOLDER}: {question.lower()}"


def write_profile(path: Path, ask: Ask | None = None, say: Say = lambda _: None) -> None:
    """Write a new profile to `path`; `ask(question, default)` answers, or placeholders.

    Each answer is checked as it is given (`say` explains what is wrong, and the question is
    asked again); one still wrong, or left blank, becomes a placeholder for `validate` to list.
    """
    answers: dict[str, str] = {}
    for key, template in QUESTIONS:
        question = template.format(**TERMS.get(answers.get("nation", ""), TERMS["england"]))
        default = placeholder(question)
        answers[key] = _answer(key, question, default, ask, say) if ask else default
    text = render_text("init/school.yaml.j2", {"answers": answers, "filename": path.name})
    with replacing(path) as temp:
        temp.write_text(text, encoding="utf-8")


def _answer(key: str, question: str, default: str, ask: Ask, say: Say) -> str:
    for _ in range(MAX_TRIES):
        answer = ask(question, default).strip()
        if not answer or answer == default:
            return default
        answer, problem = check_answer(key, answer)
        if problem is None:
            return answer
        say(problem)
    return default


def check_answer(key: str, answer: str) -> tuple[str, str | None]:
    """The answer as the profile wants it (e.g. 'Wales' -> 'wales'), and what is wrong with it, if anything."""
    if key in ("nation", "phase"):
        answer = answer.casefold()
        allowed = get_args(Nation) if key == "nation" else get_args(Phase)
        if key == "nation" and UNCOVERED_NATIONS.match(answer):
            return answer, "Scotland and Northern Ireland are not covered yet: only England and Wales are"
        return answer, None if answer in allowed else f"'{answer}' is not one of: {', '.join(allowed)}"
    checker = _CHECKERS.get(key.rsplit("_", 1)[-1])
    if checker is None:
        return answer, None
    try:
        checker.validate_python(answer)
    except ValidationError as exc:
        return answer, str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
    return answer, None


_CHECKERS: dict[str, TypeAdapter[Any]] = {
    "phone": TypeAdapter(Phone),
    "email": TypeAdapter(Email),
    "adopted": TypeAdapter(Date),
}
