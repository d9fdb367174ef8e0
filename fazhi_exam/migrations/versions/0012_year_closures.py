"""year_closures, year_snapshots: closed years (归档) and what they said when closed

Revision ID: 0012_year_closures
Revises: 0011_exemptions
Create Date: 2026-12-04 22:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012_year_closures"
down_revision = "0011_exemptions"
branch_labels = None
depends_on = None

LIVE = sa.text("reopened_at IS NULL")


def upgrade():
    op.create_table(
        "year_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_by_name", sa.String(length=100), nullable=False),
        sa.Column("reopened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened_by_id", sa.Integer(), nullable=True),
        sa.Column("reopen_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["closed_by_id"], ["users.id"], name=op.f("fk_year_closures_closed_by_id_users")),
        sa.ForeignKeyConstraint(["reopened_by_id"], ["users.id"],
                                name=op.f("fk_year_closures_reopened_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_year_closures")),
    )
    with op.batch_alter_table("year_closures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_year_closures_year"), ["year"], unique=False)
        batch_op.create_index("uq_year_closures_live", ["year"], unique=True,
                              sqlite_where=LIVE, postgresql_where=LIVE)
    op.create_table(
        "year_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("closure_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["closure_id"], ["year_closures.id"],
                                name=op.f("fk_year_snapshots_closure_id_year_closures"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_year_snapshots")),
        sa.UniqueConstraint("closure_id", "scope", "name", name=op.f("uq_year_snapshots_closure_id")),
    )


def downgrade():
    op.drop_table("year_snapshots")
    with op.batch_alter_table("year_closures", schema=None) as batch_op:
        batch_op.drop_index("uq_year_closures_live")
        batch_op.drop_index(batch_op.f("ix_year_closures_year"))
    op.drop_table("year_closures")
