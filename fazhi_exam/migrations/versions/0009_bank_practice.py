"""banks.practice_open: may learners practise a bank (existing banks stay open)

Revision ID: 0009_bank_practice
Revises: 0006_materials
Create Date: 2026-12-10 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009_bank_practice"
down_revision = "0008_session_limits"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("practice_open", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table("banks", schema=None) as batch_op:
        batch_op.drop_column("practice_open")
