"""Who may use each endpoint (DESIGN §3a): one table of rules, enforced before every request, and
the scoped getter that answers 404 for an object outside the actor's reach.

Personas, from roles and scope:
- 学员 (person): anyone signed in; staff take exams and study too.
- 培训管理员 (trainer) and 管理员 (admin): town-wide, i.e. with no scope unit.
- 村级管理员 (unit_admin): an admin or trainer limited to one unit (a village or an office). They see
  and manage the people of that unit and that unit's figures; never banks, keys, exam definitions,
  marking, regrading or anyone's attempt.

Scopes say which objects the persona reaches through the getter: own (the signed-in person's own),
unit (people in the actor's unit subtree; town staff: everyone), town (trainer/admin objects)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from flask import request
from flask_login import current_user

from .accounts.scope import unit_in_scope
from .errors import NotFound
from .extensions import db
from .models import Attempt, Exemption, OrgUnit, User

ANONYMOUS, PERSON, TRAINER, ADMIN, UNIT_ADMIN = "anonymous", "person", "trainer", "admin", "unit_admin"
PERSONA_LABELS = {PERSON: "学员", TRAINER: "培训管理员", ADMIN: "管理员", UNIT_ADMIN: "村级管理员"}


@dataclass(frozen=True)
class Rule:
    who: frozenset[str]
    scope: str  # public | own | unit | own+unit | town

    def allows(self, personas: frozenset[str]) -> bool:
        return bool(self.who & personas)


PUBLIC = Rule(frozenset({ANONYMOUS, PERSON}), "public")
OWN = Rule(frozenset({PERSON}), "own")
OWN_OR_UNIT = Rule(frozenset({PERSON}), "own+unit")  # the owner, or staff whose scope holds the owner
UNIT = Rule(frozenset({TRAINER, ADMIN, UNIT_ADMIN}), "unit")  # figures and names, filtered to the scope
UNIT_PEOPLE = Rule(frozenset({ADMIN, UNIT_ADMIN}), "unit")  # managing the people of the unit
TOWN = Rule(frozenset({TRAINER, ADMIN}), "town")
TOWN_ADMIN = Rule(frozenset({ADMIN}), "town")

_RULES: dict[Rule, tuple[str, ...]] = {
    PUBLIC: ("static", "bootstrap.static", "main.healthz", "main.favicon", "main.large_text", "auth.login",
             "api.login"),
    OWN: (
        "main.index", "auth.logout", "auth.change_password",
        "api.logout", "api.me", "api.change_password", "api.my_exams", "api.start_attempt", "api.save_answer",
        "api.submit", "api.get_attempt", "api.attempt_event", "api.material_heartbeat",
        "exam_pages.my_exams", "exam_pages.start", "exam_pages.attempt", "exam_pages.history",
        "exam_pages.practice_home", "exam_pages.practice_question", "exam_pages.wrong_book",
        "records.me", "study.my_plan", "study.sign_in", "study.my_programmes", "study.programme",
        "study.material", "study.material_pdf", "study.material_quiz",
    ),
    OWN_OR_UNIT: ("records.person", "records.certificate"),
    UNIT: (
        "stats.dashboard", "stats.exam", "stats.exam_people", "stats.session_people", "stats.attendance",
        "stats.programme", "stats.export", "stats.report", "stats.report_docx",
        "api.exam_stats_json", "api.year_json",
        "study.session", "study.reminder_list", "study.reminder_sheet", "study.reminder_notice",
        "study.programme_progress",
        "study.excuse", "study.revoke_exemption",  # 免考/免学: town only, 请假: own unit (study/exemptions.py)
    ),
    UNIT_PEOPLE: (
        "admin.users", "admin.new_user", "admin.edit_user", "admin.toggle_active", "admin.reset_password",
        "admin.import_users", "admin.confirm_import", "admin.import_template",
    ),
    TOWN: (
        "bank.banks", "bank.bank", "bank.export", "bank.new_question", "bank.import_bank", "bank.confirm_import",
        "bank.laws", "bank.law_version", "bank.question", "bank.edit_question", "bank.question_status",
        "bank.template", "bank.bank_practice",
        "exam_manage.exams", "exam_manage.exam", "exam_manage.new_exam", "exam_manage.exam_status",
        "exam_manage.edit_exam", "exam_manage.delete_exam",
        "exam_manage.marking_queue", "exam_manage.mark", "exam_manage.reopen", "exam_manage.regrade",
        "stats.items", "api.exam_items_json",
        "study.plan_list", "study.plan", "study.edit_session", "study.plan_template", "study.session_qr",
        "study.manage_materials", "study.session_materials", "study.manage_programmes",
    ),
    TOWN_ADMIN: ("admin.units", "admin.edit_unit", "admin.cohorts", "admin.rename_cohort", "audit.events",
                 "stats.years", "stats.close_year", "stats.reopen_year", "api.api_close_year", "api.api_reopen_year"),
}
POLICY: dict[str, Rule] = {endpoint: rule for rule, endpoints in _RULES.items() for endpoint in endpoints}
# The autosave authenticates inside its own statement (exam/autosave.py): the hook loads no user for it.
SELF_CHECKED = {"api.save_answer"}


def personas(user: Any) -> frozenset[str]:
    if user is None or not user.is_authenticated:
        return frozenset({ANONYMOUS})
    found = {PERSON}
    staff = user.roles & {TRAINER, ADMIN}
    if staff:
        found |= {UNIT_ADMIN} if user.scope_org_unit_id is not None else staff
    return frozenset(found)


def is_town_staff(user: Any) -> bool:
    return bool(personas(user) & {TRAINER, ADMIN})


def can(endpoint: str, user: Any = None) -> bool:
    """May this user use the endpoint at all (menus and links ask this)?"""
    rule = POLICY.get(endpoint)
    return rule is not None and rule.allows(personas(current_user if user is None else user))


def check_request() -> tuple[int, str] | None:
    """Before each request: (status, message) when refused, None when the rule lets it through.
    An endpoint without a rule is refused for everyone: a new route must be declared here."""
    endpoint = request.endpoint
    if endpoint is None:  # 404 / 405: nothing to protect
        return None
    rule = POLICY.get(endpoint)
    if rule is None:
        return 403, "此功能尚未声明访问权限，已拒绝访问。"
    if rule is PUBLIC or endpoint in SELF_CHECKED:
        return None
    if not current_user.is_authenticated:
        return 401, "请先登录。"
    if not rule.allows(personas(current_user)):
        return 403, "您没有权限访问此页面。"
    return None


def sees_person(actor: Any, person: User) -> bool:
    """The actor themself, or staff whose scope holds the person's unit."""
    if person.id == actor.id:
        return True
    mine = personas(actor)
    if mine & {TRAINER, ADMIN}:
        return True
    return UNIT_ADMIN in mine and unit_in_scope(actor, person.org_unit)


def visible_people(actor: Any, people) -> list[User]:
    """A list of people cut to those the actor may see (roll call, chase lists, progress)."""
    if is_town_staff(actor):
        return list(people)
    return [p for p in people if sees_person(actor, p)]


M = TypeVar("M")


def _owner(obj: Any) -> User | None:
    if isinstance(obj, User):
        return obj
    if isinstance(obj, Attempt | Exemption):
        return obj.user
    return None


def get_or_404(model: type[M], object_id: int | None, *, message: str | None = None, options: tuple = ()) -> M:
    """The one getter for objects named in a URL: missing and out of reach look the same (404).
    The endpoint's declared scope decides the reach: "own" only the signed-in person's own;
    "own+unit" theirs, or a person in the staff actor's scope; "unit" a person or unit in the scope;
    "town" any (the rule already limited who)."""
    rule = POLICY.get(request.endpoint or "")
    obj = db.session.get(model, object_id, options=options) if object_id is not None else None
    if obj is None or not _reachable(obj, rule.scope if rule is not None else "town"):
        raise NotFound(message or "找不到这条记录，或不在您的权限范围内。")
    return obj


def _reachable(obj: Any, scope: str) -> bool:
    actor = current_user
    if isinstance(obj, OrgUnit):
        return scope == "town" or unit_in_scope(actor, obj)
    owner = _owner(obj)
    if owner is None:
        return True
    if scope == "own":
        return owner.id == actor.id
    if scope == "own+unit":
        return sees_person(actor, owner)
    if scope == "unit":
        return sees_person(actor, owner) and (owner.id != actor.id or isinstance(obj, User))
    return is_town_staff(actor)

