"""unit_memberships, cohort_memberships: effective-dated rosters, seeded from today's memberships

Revision ID: 0010_rosters
Revises: 0009_bank_practice
Create Date: 2026-12-04 18:00:00

Each person's present unit and cohorts become history that began on the date they were created
(created_at in Beijing time). A deactivated person's history ends (exclusive end) on the Beijing
date of the latest `user_deactivated` audit event about them (details.id). A deactivated person
with no such event gets no history at all: when they left is unknown, and counting them in every
audience from creation to today would invent absences; treating them as never dated is what the
figures already did for them (inactive people count only through their records). A deactivated
person whose deactivation fell on their creation day likewise gets no row (it held on no day).
Someone deactivated and later reactivated is active now and gets one open row from creation: the
gap is not reconstructed.
"""
import json
from datetime import UTC, date, datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_rosters"
down_revision = "0009_bank_practice"
branch_labels = None
depends_on = None

BEIJING = timezone(timedelta(hours=8))
OPEN = sa.text("ends_on IS NULL")


def _beijing_date(value) -> date:
    if isinstance(value, str):  # SQLite without type information hands back text
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # stored naive UTC on SQLite
        value = value.replace(tzinfo=UTC)
    return value.astimezone(BEIJING).date()


def _create_tables() -> None:
    op.create_table(
        "unit_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("org_unit_id", sa.Integer(), nullable=False),
        sa.Column("begins_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.CheckConstraint("ends_on IS NULL OR ends_on > begins_on",
                           name=op.f("ck_unit_memberships_dates")),
        sa.ForeignKeyConstraint(["org_unit_id"], ["org_units.id"],
                                name=op.f("fk_unit_memberships_org_unit_id_org_units")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_unit_memberships_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_memberships")),
    )
    with op.batch_alter_table("unit_memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_memberships_user_id"), ["user_id"], unique=False)
        batch_op.create_index("ix_unit_memberships_unit_dates",
                              ["org_unit_id", "begins_on", "ends_on"], unique=False)
        batch_op.create_index("uq_unit_memberships_open", ["user_id"], unique=True,
                              sqlite_where=OPEN, postgresql_where=OPEN)
    op.create_table(
        "cohort_memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("begins_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.CheckConstraint("ends_on IS NULL OR ends_on > begins_on",
                           name=op.f("ck_cohort_memberships_dates")),
        sa.ForeignKeyConstraint(["cohort_id"], ["cohorts.id"], ondelete="CASCADE",
                                name=op.f("fk_cohort_memberships_cohort_id_cohorts")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_cohort_memberships_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohort_memberships")),
    )
    with op.batch_alter_table("cohort_memberships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohort_memberships_user_id"), ["user_id"],
                              unique=False)
        batch_op.create_index("ix_cohort_memberships_cohort_dates",
                              ["cohort_id", "begins_on", "ends_on"], unique=False)
        batch_op.create_index("uq_cohort_memberships_open", ["user_id", "cohort_id"], unique=True,
                              sqlite_where=OPEN, postgresql_where=OPEN)


def _deactivation_dates(conn) -> dict[int, date]:
    """user id → Beijing date of the latest user_deactivated event naming them."""
    latest: dict[int, date] = {}
    rows = conn.execute(sa.text(
        "SELECT at, details FROM audit_events WHERE action = 'user_deactivated'"))
    for at, details in rows:
        try:
            user_id = int(json.loads(details or "{}").get("id"))
        except (TypeError, ValueError, AttributeError):
            continue
        day = _beijing_date(at)
        if user_id not in latest or day > latest[user_id]:
            latest[user_id] = day
    return latest


def _seed_history(conn) -> None:
    ended = _deactivation_dates(conn)
    cohorts: dict[int, list[int]] = {}
    for user_id, cohort_id in conn.execute(sa.text(
            "SELECT user_id, cohort_id FROM user_cohorts ORDER BY user_id, cohort_id")):
        cohorts.setdefault(user_id, []).append(cohort_id)
    units, memberships = [], []
    users = conn.execute(sa.text(
        "SELECT id, org_unit_id, created_at, active FROM users ORDER BY id")).all()
    for user_id, unit_id, created_at, active in users:
        begins = _beijing_date(created_at)
        ends = None
        if not active:
            ends = ended.get(user_id)
            if ends is None or ends <= begins:
                continue  # see the module docstring: unknown or same-day leaving → no history
        if unit_id is not None:
            units.append({"user_id": user_id, "org_unit_id": unit_id, "begins_on": begins,
                          "ends_on": ends})
        memberships += [{"user_id": user_id, "cohort_id": c, "begins_on": begins, "ends_on": ends}
                        for c in cohorts.get(user_id, [])]
    unit_table = sa.table("unit_memberships", sa.column("user_id"), sa.column("org_unit_id"),
                          sa.column("begins_on", sa.Date), sa.column("ends_on", sa.Date))
    cohort_table = sa.table("cohort_memberships", sa.column("user_id"), sa.column("cohort_id"),
                            sa.column("begins_on", sa.Date), sa.column("ends_on", sa.Date))
    if units:
        op.bulk_insert(unit_table, units)
    if memberships:
        op.bulk_insert(cohort_table, memberships)


def upgrade():
    _create_tables()
    _seed_history(op.get_bind())


def downgrade():
    op.drop_table("cohort_memberships")
    op.drop_table("unit_memberships")
