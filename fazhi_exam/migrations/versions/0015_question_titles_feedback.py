"""question_versions.title and option_feedback: a question's name and per-option feedback (Moodle's)

Revision ID: 0015_question_titles_feedback
Revises: 0014_exam_include_flagged
Create Date: 2026-12-05 17:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_question_titles_feedback"
down_revision = "0014_exam_include_flagged"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question_versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title", sa.String(length=255), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("option_feedback", sa.JSON(), nullable=False, server_default="[]"))


def downgrade():
    with op.batch_alter_table("question_versions", schema=None) as batch_op:
        batch_op.drop_column("option_feedback")
        batch_op.drop_column("title")
