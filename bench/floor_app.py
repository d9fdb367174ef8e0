"""The floor for exam benchmarks: a bare Flask route doing one insert, on the same database
(DATABASE_URL) and engine settings as the application."""
from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import create_engine, text

from fazhi_exam.config import normalise_database_url
from fazhi_exam.database import configure_engine, set_write_intent


def create(url: str | None = None) -> Flask:
    engine = create_engine(normalise_database_url(url or os.environ["DATABASE_URL"]), pool_size=10)
    configure_engine(engine, 15000)
    key = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS bench_floor (id {key} PRIMARY KEY, v TEXT)"))
    app = Flask("floor")

    @app.post("/floor")
    def floor():
        set_write_intent(True)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO bench_floor (v) VALUES (:v)"), {"v": "x"})
        return {"saved": True}

    return app
