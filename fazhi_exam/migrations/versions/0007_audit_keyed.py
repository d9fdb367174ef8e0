"""audit log rows record the key that sealed them

Revision ID: 0007_audit_keyed
Revises: 0006_materials
Create Date: 2026-12-04 17:30:00

Existing rows keep key_id NULL (legacy unkeyed sha256); `fazhi-exam init-db` verifies and
re-seals them with the audit key after migrating (fazhi_exam/audit/chain.py seal_legacy).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0007_audit_keyed"
down_revision = "0006_materials"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_id", sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("key_id")
