"""法治学考: the application factory."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from flask import Flask

from . import config as cfg

PACKAGE_DIR = Path(__file__).resolve().parent


def shipped_dir(name: str) -> Path:
    """templates/ and question_banks/ sit at the top of a checkout and inside the wheel."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def default_instance_path() -> str:
    env = os.environ.get("FAZHI_INSTANCE")
    if env:
        return str(Path(env).resolve())
    checkout = PACKAGE_DIR.parent
    if (checkout / "pyproject.toml").exists():
        return str(checkout / "instance")
    return str(Path.cwd() / "instance")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=default_instance_path(),
        instance_relative_config=True,
        template_folder=str(shipped_dir("templates")),
    )
    app.config.from_object(cfg.Defaults)
    app.config["SQLALCHEMY_DATABASE_URI"] = cfg.sqlite_url(app.instance_path)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("FAZHI")
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = cfg.read_secret_key(app.instance_path)
    else:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = cfg.normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config.get("RATELIMIT_STORAGE_URI", "").startswith("redis"):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 2})

    if not app.config.get("SECRET_KEY") and not app.testing:
        # Commands such as init-db run before a key exists; serving never does.
        if click.get_current_context(silent=True) is None:
            raise RuntimeError("缺少密钥（SECRET_KEY）：请先运行 `fazhi-exam init-db`，"
                               "或设置环境变量 FAZHI_SECRET_KEY。")

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    from .params import install as install_params

    install_params(app)  # before any route is added: <int:...> is the bounded converter
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    from .verified import RememberingSessionInterface

    app.session_interface = RememberingSessionInterface()
    _init_extensions(app)
    _register_blueprints(app)
    from .errors import register_error_handlers
    from .web import register_request_hooks

    register_error_handlers(app)
    register_request_hooks(app)
    from .cli import register_commands

    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from .database import configure_engine
    from .extensions import bootstrap, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    bootstrap.init_app(app)
    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    from .stats.item_store import install as keep_item_analyses

    keep_item_analyses()  # ended exams' item analyses: emptied when their answers change


def _register_blueprints(app: Flask) -> None:
    from .accounts.admin_routes import bp as admin_bp
    from .accounts.routes import bp as auth_bp
    from .api import bp as api_bp
    from .audit.routes import bp as audit_bp
    from .bank.routes import bp as bank_bp
    from .exam.manage_routes import bp as exam_manage_bp
    from .exam.routes import bp as exam_pages_bp
    from .main import bp as main_bp
    from .stats.record_routes import bp as records_bp
    from .stats.routes import bp as stats_bp
    from .study.routes import bp as study_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(bank_bp)
    app.register_blueprint(exam_pages_bp)
    app.register_blueprint(exam_manage_bp)
    app.register_blueprint(study_bp)
    app.register_blueprint(stats_bp)
    app.register_blueprint(records_bp)
