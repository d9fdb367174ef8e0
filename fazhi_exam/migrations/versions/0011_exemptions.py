"""exemptions: 免考 / 请假 / 免学 with a reason; existing 请假 marks get their exemption row

Revision ID: 0011_exemptions
Revises: 0009_bank_practice
Create Date: 2026-12-04 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011_exemptions"
down_revision = "0010_rosters"
branch_labels = None
depends_on = None

LIVE = sa.text("revoked_at IS NULL")
# 请假 marked before exemptions existed: the mark stays, the row says its reason was not recorded.
LEGACY_REASON = "（启用请假原因前登记的请假，未记录原因）"


def upgrade():
    op.create_table(
        "exemptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("exam_id", sa.Integer(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("programme_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('exam', 'session', 'programme')", name=op.f("ck_exemptions_kind")),
        sa.CheckConstraint(
            "(kind = 'exam' AND exam_id IS NOT NULL AND session_id IS NULL AND programme_id IS NULL)"
            " OR (kind = 'session' AND session_id IS NOT NULL AND exam_id IS NULL AND programme_id IS NULL)"
            " OR (kind = 'programme' AND programme_id IS NOT NULL AND exam_id IS NULL AND session_id IS NULL)",
            name=op.f("ck_exemptions_one_object")),
        sa.CheckConstraint("length(trim(reason)) > 0", name=op.f("ck_exemptions_reason")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_exemptions_user_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["exam_id"], ["exams.id"], name=op.f("fk_exemptions_exam_id_exams"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["study_sessions.id"],
                                name=op.f("fk_exemptions_session_id_study_sessions"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["programme_id"], ["programmes.id"],
                                name=op.f("fk_exemptions_programme_id_programmes"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_exemptions_created_by_id_users")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["users.id"], name=op.f("fk_exemptions_revoked_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemptions")),
    )
    with op.batch_alter_table("exemptions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exemptions_user_id"), ["user_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exemptions_exam_id"), ["exam_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exemptions_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exemptions_programme_id"), ["programme_id"], unique=False)
        for column in ("exam_id", "session_id", "programme_id"):
            batch_op.create_index(f"uq_exemptions_live_{column[:-3]}", ["user_id", column], unique=True,
                                  sqlite_where=LIVE, postgresql_where=LIVE)
    op.execute(sa.text(
        "INSERT INTO exemptions (user_id, kind, session_id, reason, created_by_id, created_at) "
        "SELECT user_id, 'session', session_id, :reason, recorded_by_id, recorded_at FROM attendance "
        "WHERE status = 'leave'").bindparams(reason=LEGACY_REASON))


def downgrade():
    op.drop_table("exemptions")
