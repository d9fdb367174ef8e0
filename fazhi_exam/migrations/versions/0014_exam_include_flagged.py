"""exams.include_flagged: questions flagged 待复核 are drawn only by an explicit choice

Revision ID: 0014_exam_include_flagged
Revises: 0013_kept_item_analyses
Create Date: 2026-12-05 17:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014_exam_include_flagged"
down_revision = "0013_kept_item_analyses"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("exams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("include_flagged", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("exams", schema=None) as batch_op:
        batch_op.drop_column("include_flagged")
