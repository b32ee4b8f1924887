"""Django settings, all from the environment, so every command (serve, worker, schools, users) agrees.

POLICYPACK_DATA          the data folder: SQLite database, school profiles, built packs (./portal-data)
POLICYPACK_DATABASE_URL  postgresql://user:pass@host:port/name to share one database between machines
POLICYPACK_SECRET_KEY    signing key; by default one is made once and kept in the data folder
POLICYPACK_ALLOWED_HOSTS comma-separated host names the portal answers to (default: localhost names)
POLICYPACK_SMTP_URL      smtp://[user:password@]host:port (smtps:// for TLS from the start, ?starttls=1 to upgrade);
                         unset, e-mail is printed on standard output instead of sent
POLICYPACK_BASE_URL      the portal's address as its users reach it, for the links e-mails carry
POLICYPACK_MAIL_FROM     the sender of the portal's e-mail (policypack@localhost)
POLICYPACK_INSECURE_COOKIES=1  plain-HTTP cookies, for a portal on 127.0.0.1 only (make serve)
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from csp import constants as csp

DATA = Path(os.environ.get("POLICYPACK_DATA") or "portal-data").resolve()
PACKAGE = Path(__file__).resolve().parent


def _secret_key() -> str:
    """POLICYPACK_SECRET_KEY, else the data folder's key (the commands make it), else one for this process."""
    given = os.environ.get("POLICYPACK_SECRET_KEY")
    path = DATA / "secret-key"
    if given:
        return given
    return path.read_text(encoding="utf-8").strip() if path.is_file() else secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("POLICYPACK_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "policypack.portal.schools",
    "policypack.portal.builds",
    "policypack.portal.signoff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "policypack.portal.urls"
WSGI_APPLICATION = "policypack.portal.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

_URL = os.environ.get("POLICYPACK_DATABASE_URL")
DATABASES = {
    "default": dj_database_url.parse(_URL, conn_max_age=60)
    if _URL
    else {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA / "portal.sqlite3",
        # Workers and the web app write at once: wait for the lock rather than fail at once,
        # and take it at the start of a transaction so that no read turns into a deadlock.
        "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["builds"]}}

# Argon2 first: new passwords are hashed with it; others are re-hashed on their next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5  # failed sign-ins per user name and address before a pause
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "portal/locked.html"
AXES_VERBOSE = False
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"

_INSECURE = os.environ.get("POLICYPACK_INSECURE_COOKIES") == "1"
SESSION_COOKIE_SECURE = not _INSECURE
CSRF_COOKIE_SECURE = not _INSECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.NONE],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "img-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.NONE],
    }
}

# Uploads: a logo or a profile, never more; bigger requests are refused before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
MAX_UPLOAD_BYTES = 2 * 1024 * 1024

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE / "static"]
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_TZ = True
USE_I18N = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "policypack.portal": {"handlers": ["stderr"], "level": "INFO"},
        "django.request": {"handlers": ["stderr"], "level": "ERROR"},
    },
}
WHITENOISE_USE_FINDERS = True  # the few static files are served from the package, no collectstatic step


def smtp_settings(url: str) -> dict[str, Any]:
    """Django's e-mail settings from POLICYPACK_SMTP_URL; without one, messages go to standard output."""
    if not url:
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"POLICYPACK_SMTP_URL must look like smtp://host:port, not {url!r}")
    secure = parts.scheme == "smtps"
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": parts.port or (465 if secure else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": secure,
        "EMAIL_USE_TLS": parse_qs(parts.query).get("starttls") == ["1"],
        "EMAIL_TIMEOUT": 20,
    }


globals().update(smtp_settings(os.environ.get("POLICYPACK_SMTP_URL", "")))
DEFAULT_FROM_EMAIL = os.environ.get("POLICYPACK_MAIL_FROM") or "policypack@localhost"
BASE_URL = (os.environ.get("POLICYPACK_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")
