"""`policypack init`: write a commented school profile, asking for the key fields.

Questions live here as data; the profile's wording and comments live in the template
`templates/init/school.yaml.j2`. Unanswered fields become FILL-ME placeholders, which
`validate` reports by line and `build` refuses to print.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from policypack.load.profile import PLACEHOLDER
from policypack.render.templating import render_text
from policypack.write.atomic import replacing

# (key, question) in the order a DSL would answer them.
QUESTIONS: tuple[tuple[str, str], ...] = (
    ("school_name", "School name"),
    ("nation", "Nation (england or wales)"),
    ("phase", "Phase (primary, secondary, all-through, special, ...)"),
    ("address", "School address"),
    ("dsl_name", "Designated safeguarding lead: name"),
    ("dsl_phone", "Designated safeguarding lead: phone"),
    ("dsl_email", "Designated safeguarding lead: e-mail"),
    ("deputy_name", "A deputy: name"),
    ("deputy_phone", "A deputy: phone"),
    ("deputy_email", "A deputy: e-mail"),
    ("head_name", "Headteacher: name"),
    ("chair_name", "Chair of governors: name"),
    ("csc_name", "Children's social care front door (MASH): name"),
    ("csc_phone", "Children's social care front door: phone"),
    ("police_name", "Police contact (e.g. the safer schools team): name"),
    ("police_phone", "Police contact: phone"),
    ("adopted", "Date the policy is adopted (YYYY-MM-DD)"),
    ("approved_by", "Approved by (e.g. Full governing board)"),
)

Ask = Callable[[str, str], str]


def placeholder(question: str) -> str:
    return f"{PLACEHOLDER}: {question.lower()}"


def write_profile(path: Path, ask: Ask | None = None) -> None:
    """Write a new profile to `path`; `ask(question, default)` answers, or placeholders."""
    answers = {}
    for key, question in QUESTIONS:
        default = placeholder(question)
        answer = ask(question, default).strip() if ask else default
        answers[key] = answer or default
    text = render_text("init/school.yaml.j2", {"answers": answers, "filename": path.name})
    with replacing(path) as temp:
        temp.write_text(text, encoding="utf-8")
