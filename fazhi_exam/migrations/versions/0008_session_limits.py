"""login sessions: last_seen_at, for the idle limit

Revision ID: 0008_session_limits
Revises: 0006_materials
Create Date: 2026-12-10 10:00:00

No new index: a session is only ever looked up by its token (the primary key).
"""
import sqlalchemy as sa
from alembic import op

revision = "0008_session_limits"
down_revision = "0007_audit_keyed"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    # Sessions open at upgrade time count as last seen at login: the idle limit ends old ones.
    op.execute("UPDATE login_sessions SET last_seen_at = created_at")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.alter_column("last_seen_at", existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
