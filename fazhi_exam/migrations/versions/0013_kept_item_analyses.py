"""kept_item_analyses: an ended exam's item analysis, worked out once

Revision ID: 0013_kept_item_analyses
Revises: 0012_year_closures
Create Date: 2026-12-05 17:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013_kept_item_analyses"
down_revision = "0012_year_closures"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "kept_item_analyses",
        sa.Column("exam_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=200), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["exam_id"], ["exams.id"], name=op.f("fk_kept_item_analyses_exam_id_exams"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("exam_id", name=op.f("pk_kept_item_analyses")),
    )


def downgrade():
    op.drop_table("kept_item_analyses")
