"""Study API: the heartbeat of an open, visible material page."""
from __future__ import annotations

from flask_login import current_user

from ..errors import NotFound
from ..extensions import db
from ..models import StudyMaterial
from ..study.materials import heartbeat
from . import bp


@bp.route("/materials/<int:material_id>/heartbeat", methods=["POST"])
def material_heartbeat(material_id: int):
    material = db.session.get(StudyMaterial, material_id)
    if material is None:
        raise NotFound("学习资料不存在。")
    row = heartbeat(current_user, material)
    db.session.commit()
    return {"seconds": row.seconds, "required_seconds": material.minutes * 60,
            "completed": row.completed_at is not None}
