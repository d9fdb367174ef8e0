"""Effective-dated rosters: every change of unit or cohort is history with the day it took
effect, and "who belonged on day D" is one SQL statement (accounts/roster.py)."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from fazhi_exam import clock
from fazhi_exam.accounts import roster
from fazhi_exam.accounts.users import UserFields, create_user, set_active, update_user
from fazhi_exam.errors import ValidationError
from fazhi_exam.extensions import db
from fazhi_exam.models import AuditEvent, Cohort, CohortMembership, OrgUnit, UnitMembership, User

TODAY = datetime(2024, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Beijing, 2024-03-01


@pytest.fixture
def people(ctx, town):
    clock.freeze(TODAY)
    units = {u.name: u for u in db.session.scalars(sa.select(OrgUnit))}
    cohorts = {c.name: c for c in db.session.scalars(sa.select(Cohort))}

    def add(username: str, unit: str, cohort_names: list[str], joined: date) -> User:
        user = create_user(None, UserFields(username=username, name=f"测{username}",
                                            org_unit=units[unit],
                                            cohorts=[cohorts[c] for c in cohort_names]),
                           "Chushi@123x", password_hash="x", effective=joined)
        db.session.commit()
        return user

    add.units, add.cohorts = units, cohorts
    return add


def fields(user: User, unit: OrgUnit, cohorts: list[Cohort]) -> UserFields:
    return UserFields(username=user.username, name=user.name, org_unit=unit, cohorts=cohorts)


def members(day: date, cohorts=(), units=()) -> set[str]:
    ids = roster.members_on(day, [c.id for c in cohorts], [u.path for u in units])
    return set(db.session.scalars(sa.select(User.username).where(User.id.in_(ids))))


def test_creation_writes_history_from_the_day_given(people):
    user = people("zhang", "王庄村", ["村干部", "党员"], date(2023, 1, 1))
    assert roster.unit_on(user.id, date(2022, 12, 31)) is None
    assert roster.unit_on(user.id, date(2023, 1, 1)) == people.units["王庄村"].id
    assert roster.cohorts_on(user.id, date(2023, 6, 1)) == {
        people.cohorts["村干部"].id, people.cohorts["党员"].id}
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user_created"))
    assert json.loads(event.details)["effective"] == "2023-01-01"


def test_a_future_date_is_refused(people):
    with pytest.raises(ValidationError, match="晚于今天"):
        people("later", "王庄村", ["村干部"], date(2024, 3, 2))


def test_move_mid_year_ends_the_old_unit_the_day_the_new_one_begins(people):
    user = people("mover", "王庄村", ["村干部"], date(2023, 1, 1))
    update_user(None, user, fields(user, people.units["李庄村"], [people.cohorts["村干部"]]),
                effective=date(2023, 7, 1))
    db.session.commit()
    wang, li = people.units["王庄村"].id, people.units["李庄村"].id
    assert roster.unit_on(user.id, date(2023, 6, 30)) == wang
    assert roster.unit_on(user.id, date(2023, 7, 1)) == li
    assert user.org_unit_id == li  # the present state moves with it
    rows = [(m.org_unit_id, m.begins_on, m.ends_on) for m in db.session.scalars(
        sa.select(UnitMembership).order_by(UnitMembership.begins_on))]
    assert rows == [(wang, date(2023, 1, 1), date(2023, 7, 1)), (li, date(2023, 7, 1), None)]
    # the cohort did not change: still one row from January
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CohortMembership)) == 1
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user_updated"))
    assert json.loads(event.details) == {"id": user.id, "effective": "2023-07-01",
                                               "unit": [wang, li]}


def test_a_date_before_the_open_membership_began_is_refused_and_changes_nothing(people):
    user = people("late", "王庄村", ["村干部"], date(2023, 7, 10))
    with pytest.raises(ValidationError, match="早于该人员现有单位的开始日期 2023-07-10"):
        update_user(None, user, fields(user, people.units["李庄村"], [people.cohorts["村干部"]]),
                    effective=date(2023, 7, 1))
    db.session.rollback()
    assert roster.unit_on(user.id, date(2024, 1, 1)) == people.units["王庄村"].id
    assert db.session.get(User, user.id).org_unit_id == people.units["王庄村"].id


def test_same_day_correction_replaces_the_row(people):
    user = people("fix", "王庄村", ["村干部"], date(2024, 3, 1))
    update_user(None, user, fields(user, people.units["李庄村"], [people.cohorts["法律明白人"]]))
    db.session.commit()
    assert [(m.org_unit_id, m.begins_on, m.ends_on) for m in db.session.scalars(
        sa.select(UnitMembership))] == [(people.units["李庄村"].id, date(2024, 3, 1), None)]
    assert roster.cohorts_on(user.id, date(2024, 3, 1)) == {people.cohorts["法律明白人"].id}


def test_deactivation_ends_everything_and_reactivation_opens_again(people):
    user = people("retiree", "王庄村", ["村干部", "党员"], date(2023, 1, 1))
    set_active(None, user, False, effective=date(2023, 10, 15))
    db.session.commit()
    assert roster.unit_on(user.id, date(2023, 10, 14)) == people.units["王庄村"].id
    assert roster.unit_on(user.id, date(2023, 10, 15)) is None
    assert roster.cohorts_on(user.id, date(2023, 10, 15)) == set()
    assert user.org_unit_id == people.units["王庄村"].id  # the page still shows where they were
    with pytest.raises(ValidationError, match="上一段单位的结束日期 2023-10-15"):
        set_active(None, user, True, effective=date(2023, 10, 1))
    db.session.rollback()
    set_active(None, user, True, effective=date(2024, 1, 2))
    db.session.commit()
    assert roster.unit_on(user.id, date(2023, 12, 31)) is None
    assert roster.unit_on(user.id, date(2024, 1, 2)) == people.units["王庄村"].id
    details = [json.loads(d) for d in db.session.scalars(sa.select(AuditEvent.details).where(
        AuditEvent.action.in_(["user_deactivated", "user_activated"])).order_by(AuditEvent.id))]
    assert [d["effective"] for d in details] == ["2023-10-15", "2024-01-02"]


def test_the_database_refuses_two_open_unit_rows_for_one_person(people):
    user = people("two", "王庄村", [], date(2023, 1, 1))
    db.session.add(UnitMembership(user_id=user.id, org_unit_id=people.units["李庄村"].id,
                                  begins_on=date(2023, 2, 1)))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(UnitMembership(user_id=user.id, org_unit_id=people.units["李庄村"].id,
                                  begins_on=date(2023, 2, 1), ends_on=date(2023, 2, 1)))
    with pytest.raises(sa.exc.IntegrityError):  # a row that holds on no day
        db.session.flush()
    db.session.rollback()


def test_members_on_a_day_by_hand(people):
    """Joined after, left before, moved mid-year, deactivated after, and always there."""
    cadre, town = people.cohorts["村干部"], people.units["大张楼镇"]
    wang, li = people.units["王庄村"], people.units["李庄村"]
    people("always", "王庄村", ["村干部"], date(2023, 1, 1))
    people("joined_after", "王庄村", ["村干部"], date(2023, 7, 10))
    left = people("left_before", "王庄村", ["村干部"], date(2023, 1, 1))
    set_active(None, left, False, effective=date(2023, 5, 1))
    moved = people("moved", "王庄村", ["村干部"], date(2023, 1, 1))
    update_user(None, moved, fields(moved, li, [cadre]), effective=date(2023, 7, 1))
    later = people("deactivated_after", "李庄村", ["村干部"], date(2023, 1, 1))
    set_active(None, later, False, effective=date(2023, 10, 15))
    recast = people("recast", "李庄村", ["法律明白人"], date(2023, 1, 1))
    update_user(None, recast, fields(recast, li, [cadre]), effective=date(2023, 8, 1))
    db.session.commit()

    june = date(2023, 6, 15)
    assert members(june, [cadre]) == {"always", "moved", "deactivated_after"}
    assert members(june, [cadre], [wang]) == {"always", "moved"}
    assert members(june, [], [li]) == {"deactivated_after", "recast"}
    assert members(date(2023, 4, 30), [cadre], [wang]) == {"always", "left_before", "moved"}
    nov = date(2023, 11, 16)
    assert members(nov, [cadre], [wang]) == {"always", "joined_after"}
    assert members(nov, [cadre], [li]) == {"moved", "recast"}
    assert members(nov, [cadre], [town]) == {"always", "joined_after", "moved", "recast"}
    assert members(nov) == {"always", "joined_after", "moved", "recast"}
    assert members(date(2022, 12, 31)) == set()
    # the statement counts in SQL like any subquery
    assert db.session.scalar(sa.select(sa.func.count()).select_from(
        roster.members_on(june, [cadre.id], []).subquery())) == 3


def test_open_rows_always_match_the_present_state(people):
    """The invariant the rest of the code relies on: users/user_cohorts are today's roster."""
    a = people("aa", "王庄村", ["村干部"], date(2023, 1, 1))
    b = people("bb", "李庄村", ["法律明白人", "党员"], date(2023, 3, 1))
    update_user(None, a, fields(a, people.units["司法所"], [people.cohorts["镇干部"]]),
                effective=date(2023, 9, 1))
    set_active(None, b, False, effective=date(2023, 12, 1))
    db.session.commit()
    for user in db.session.scalars(sa.select(User)):
        today = roster.today()
        expected_unit = user.org_unit_id if user.active else None
        expected_cohorts = {c.id for c in user.cohorts} if user.active else set()
        assert roster.unit_on(user.id, today) == expected_unit
        assert roster.cohorts_on(user.id, today) == expected_cohorts


def test_migration_turns_todays_memberships_into_history(tmp_path, monkeypatch):
    """Created 2023-03-01 23:30 Beijing (15:30 UTC) → history from 2023-03-01; deactivated with an
    audit event → ends on that event's Beijing date; deactivated without one → no history."""
    from flask_migrate import upgrade

    from fazhi_exam import create_app
    from tests.conftest import base_config

    monkeypatch.setenv("FAZHI_INSTANCE", str(tmp_path / "instance"))
    app = create_app(base_config(f"sqlite:///{tmp_path / 'old.sqlite'}"))
    with app.app_context():
        upgrade(revision="0009_bank_practice")
        run = db.session.execute
        run(sa.text("INSERT INTO org_units (id, name, kind, path, sort_order, active) VALUES "
                    "(1, '大张楼镇', 'town', '/1/', 0, 1), (2, '王庄村', 'village', '/1/2/', 0, 1)"))
        run(sa.text("INSERT INTO cohorts (id, name, sort_order, builtin) VALUES (1, '村干部', 0, 1),"
                    " (2, '党员', 1, 1)"))
        for uid, active, created in [(1, 1, "2023-03-01 15:30:00"), (2, 0, "2023-01-05 02:00:00"),
                                     (3, 0, "2023-01-05 02:00:00")]:
            run(sa.text("INSERT INTO users (id, username, name, org_unit_id, password_hash, active,"
                        " must_change_password, created_at) VALUES (:id, :u, :u, 2, 'x', :a, 0, :c)"),
                {"id": uid, "u": f"user{uid}", "a": active, "c": created})
            run(sa.text("INSERT INTO user_cohorts VALUES (:id, 1), (:id, 2)"), {"id": uid})
        for eid, at, target in [(1, "2023-06-01 01:00:00", 2), (2, "2023-10-14 17:00:00", 2)]:
            run(sa.text("INSERT INTO audit_events (id, at, actor_name, action, target, details, "
                        "prev_hash, hash) VALUES (:id, :at, '', 'user_deactivated', '', :d, '', '')"),
                {"id": eid, "at": at, "d": json.dumps({"id": target})})
        db.session.commit()
        upgrade()
        rows = db.session.execute(sa.select(UnitMembership.user_id, UnitMembership.begins_on,
                                            UnitMembership.ends_on)
                                  .order_by(UnitMembership.user_id)).all()
        assert [tuple(r) for r in rows] == [(1, date(2023, 3, 1), None),
                                            (2, date(2023, 1, 5), date(2023, 10, 15))]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CohortMembership)
                                 .where(CohortMembership.user_id == 2,
                                        CohortMembership.ends_on == date(2023, 10, 15))) == 2
        assert set(db.session.scalars(roster.members_on(date(2023, 3, 1), [1], ["/1/2/"]))) \
            == {1, 2}
        db.session.remove()
        db.engine.dispose()
