"""wrong_book.option_order and response: the 错题本 shows a question as the learner last saw it

Revision ID: 0016_wrong_book_as_seen
Revises: 0015_question_titles_feedback
Create Date: 2026-12-05 17:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_wrong_book_as_seen"
down_revision = "0015_question_titles_feedback"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("wrong_book", schema=None) as batch_op:
        batch_op.add_column(sa.Column("option_order", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("response", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("wrong_book", schema=None) as batch_op:
        batch_op.drop_column("response")
        batch_op.drop_column("option_order")
