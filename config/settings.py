"""Asti settings: every value is declared once here, read from the environment and checked at start.

Production (ASTI_ENV=production) must set SECRET_KEY, ASTI_HETU_KEY, DATABASE_URL and ALLOWED_HOSTS;
development, test and demo fall back to clearly marked local-only values.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

from asti.core import city as city_profiles

django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    ASTI_ENV=(str, "development"),
    DEBUG=(bool, False),
    ALLOWED_HOSTS=(list, ["localhost", "127.0.0.1", "[::1]"]),
    CSRF_TRUSTED_ORIGINS=(list, []),
    ASTI_CITY=(str, "helsinki"),
    LOG_LEVEL=(str, "INFO"),
)
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(str(env_file), overwrite=False)

ASTI_ENV: str = env("ASTI_ENV")
ENVIRONMENTS = {"development", "test", "demo", "production"}
if ASTI_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(f"ASTI_ENV must be one of {sorted(ENVIRONMENTS)}, not {ASTI_ENV!r}")
IS_PRODUCTION = ASTI_ENV == "production"


def _secret(name: str, local_default: str) -> str:
    """A secret is required in production; elsewhere a local-only default keeps set-up to one command."""
    if IS_PRODUCTION:
        value: str = env.str(name)  # raises ImproperlyConfigured when missing
        return value
    value = env.str(name, default="")
    return value or local_default


SECRET_KEY = _secret("SECRET_KEY", "local-only-insecure-secret-key-not-for-production")
# Key material for personal identity codes at rest: encryption (Fernet) and a keyed lookup hash.
ASTI_HETU_KEY = _secret("ASTI_HETU_KEY", "local-only-insecure-hetu-key-not-for-production")
DEBUG: bool = env("DEBUG") if IS_PRODUCTION else env.bool("DEBUG", default=ASTI_ENV == "development")
if IS_PRODUCTION and DEBUG:  # error pages with settings and personal data in them
    raise ImproperlyConfigured("DEBUG must be off in production (ASTI_ENV=production)")
ALLOWED_HOSTS: list[str] = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS: list[str] = env("CSRF_TRUSTED_ORIGINS")

# Where guardians reach the service: links in messages start with this.
ASTI_PUBLIC_BASE_URL: str = (
    env.str("ASTI_PUBLIC_BASE_URL")
    if IS_PRODUCTION
    else env.str("ASTI_PUBLIC_BASE_URL", default="http://127.0.0.1:8000")
)
# The city Asti serves: its profile (name, contacts, colours, calendar, reference figures, time zone) is
# cities/<ASTI_CITY>/city.toml, or ASTI_CITY names a folder holding a city.toml (docs/adr/0012).
ASTI_CITY: str = env("ASTI_CITY")
try:
    ASTI_CITY_PROFILE = city_profiles.load(ASTI_CITY)
except city_profiles.ProfileError as exc:
    raise ImproperlyConfigured(f"ASTI_CITY: {exc}") from None
# The municipality whose children get proactive offers (3-digit codes; default: the profile's).
ASTI_MUNICIPALITY_CODES: list[str] = env.list(
    "ASTI_MUNICIPALITY_CODES", default=list(ASTI_CITY_PROFILE.municipality_codes)
)
# The allocation's proof may take this long (seconds) after its work-bounded search has chosen the answer; the
# answer never depends on it, only how much of its optimality is proven (docs/adr/0002).
ASTI_ALLOCATION_PROOF_SECONDS: float = env.float("ASTI_ALLOCATION_PROOF_SECONDS", default=4.0)

# The project's apps come before Django's own: where two apps translate the same message the first one's catalog
# wins, and Django's catalogs word some of the project's messages differently (the admin's "Save" is
# "Tallenna ja poistu" in Finnish). tests/citizen/test_translations.py checks that the project's words win.
INSTALLED_APPS = [
    "asti.core",
    "asti.audit",
    "asti.jobs",
    "asti.units",
    "asti.people",
    "asti.offers",
    "asti.messaging",
    "asti.identity",
    "asti.demo",
    "asti.staff",
    "asti.applications",
    "asti.decisions",
    "asti.conversations",
    "asti.privacy",
    "asti.citizen",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "asti.core.csp.ContentSecurityPolicyMiddleware",
    "asti.core.middleware.RefuseNulBytes",
    "asti.identity.middleware.StaffRolesRefresh",
    "asti.core.middleware.idle_sessions",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "asti.core.context_processors.city",
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL=postgres://... selects PostgreSQL (production).
_default_db = f"sqlite:///{BASE_DIR / 'var' / 'asti.sqlite3'}"
if IS_PRODUCTION:
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {"default": env.db("DATABASE_URL", default=_default_db)}
_db = DATABASES["default"]


def _tune_database(db: dict[str, Any]) -> None:
    if db["ENGINE"] == "django.db.backends.sqlite3":
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        db.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            }
        )
    else:
        db.setdefault("CONN_MAX_AGE", 60)
        db.setdefault("CONN_HEALTH_CHECKS", True)


_tune_database(_db)


# === Audit trail (asti.audit) ====================================================================================
# Who saw or changed which person's data lives in a database of its own (asti.audit.router), never beside the
# business data. AUDIT_DATABASE_URL names it; without it, it sits beside the main one: `<file>-audit.sqlite3`
# next to an SQLite file, `<name>_audit` on the same PostgreSQL server. `manage.py migrate` prepares both (and
# creates the PostgreSQL database when it is missing and the role may); in production give it a role of its own
# that may only INSERT and SELECT.
def _audit_database_default(main: dict[str, Any]) -> dict[str, Any]:
    audit = {k: v for k, v in main.items() if k not in ("TEST", "OPTIONS")}
    audit["OPTIONS"] = {k: v for k, v in main.get("OPTIONS", {}).items() if k != "init_command"}
    if main["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(main["NAME"])
        audit["NAME"] = str(path.with_name(f"{path.stem}-audit{path.suffix or '.sqlite3'}"))
    else:
        audit["NAME"] = f"{main['NAME']}_audit"
    return audit


DATABASES["audit"] = (
    env.db("AUDIT_DATABASE_URL") if env.str("AUDIT_DATABASE_URL", default="") else _audit_database_default(_db)
)
_tune_database(DATABASES["audit"])
if DATABASES["audit"]["ENGINE"] == "django.db.backends.sqlite3":
    import os as _os

    DATABASES["audit"].setdefault("TEST", {}).setdefault(
        "NAME", str(BASE_DIR / "var" / f"test-asti-audit-{_os.getpid()}.sqlite3")
    )
# The retention purge (asti.privacy) deletes the trail's expired events. In production the trail's own role may only
# INSERT and SELECT: ASTI_AUDIT_PURGE_DATABASE_URL names the same database with a role that may also DELETE, used by
# the purge alone. Without it the purge uses AUDIT_DATABASE_URL's connection.
if env.str("ASTI_AUDIT_PURGE_DATABASE_URL", default=""):
    DATABASES["audit_purge"] = env.db("ASTI_AUDIT_PURGE_DATABASE_URL")
    _tune_database(DATABASES["audit_purge"])
DATABASE_ROUTERS = ["asti.audit.router.AuditRouter"]
# === end of audit trail ==========================================================================================

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fi"
LANGUAGES = [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE: str = env.str("ASTI_TIME_ZONE", default=ASTI_CITY_PROFILE.time_zone)
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The Helsinki Design System's compiled styles come from npm (scripts/install-node-packages).
STATICFILES_DIRS = [("hds", BASE_DIR / "node_modules" / "hds-core" / "lib")]
STATIC_ROOT = BASE_DIR / "var" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = not IS_PRODUCTION

# Application attachments: outside the web root and never under STATIC or a public URL; served only by the
# views that check who may see them (asti.applications.attachments). MEDIA_URL stays unset on purpose.
MEDIA_ROOT = Path(env.str("ASTI_PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private-media")))
ASTI_ATTACHMENT_MAX_BYTES: int = env.int("ASTI_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ASTI_ATTACHMENTS_PER_APPLICATION: int = env.int("ASTI_ATTACHMENTS_PER_APPLICATION", default=5)
ASTI_ATTACHMENTS_PER_MESSAGE: int = env.int("ASTI_ATTACHMENTS_PER_MESSAGE", default=5)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Guardians and staff are logged out after this long without a request (idle timeout): a request extends it, at
# most once a minute (asti.core.middleware.idle_sessions; saving the session on every request would cost a write).
SESSION_COOKIE_AGE: int = env.int("ASTI_SESSION_IDLE_SECONDS", default=30 * 60)
# The language choice is read by the server only (the switch is a form).
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if IS_PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# ==== Identity (asti.identity) ==================================================================================
# OpenID Connect login for guardians (Suomi.fi through the city's Keycloak) and for staff (a second client of
# the same or another provider), the demo's test identification page and the login rate limit. An empty issuer
# or client id leaves that login unconfigured (outside production, where all of them are required).
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "/"


def _oidc_client_settings(flow: str, *, default_issuer: str = "") -> tuple[str, str, str, str, str]:
    """Issuer, discovery URL, client id, client secret and scope of one OIDC client, from ASTI_OIDC_<FLOW>_*."""
    prefix = f"ASTI_OIDC_{flow}_"
    issuer: str = env.str(prefix + "ISSUER", default="") or default_issuer
    client_id: str = env.str(prefix + "CLIENT_ID", default="")
    if IS_PRODUCTION and not (issuer and client_id):
        raise ImproperlyConfigured(f"{prefix}ISSUER and {prefix}CLIENT_ID are required in production")
    discovery_url: str = env.str(prefix + "DISCOVERY_URL", default="")  # default: <issuer>/.well-known/...
    scope: str = env.str(prefix + "SCOPE", default="openid profile")
    return issuer, discovery_url, client_id, _secret(prefix + "CLIENT_SECRET", ""), scope


(
    ASTI_OIDC_GUARDIAN_ISSUER,
    ASTI_OIDC_GUARDIAN_DISCOVERY_URL,
    ASTI_OIDC_GUARDIAN_CLIENT_ID,
    ASTI_OIDC_GUARDIAN_CLIENT_SECRET,
    ASTI_OIDC_GUARDIAN_SCOPE,
) = _oidc_client_settings("GUARDIAN")
(
    ASTI_OIDC_STAFF_ISSUER,
    ASTI_OIDC_STAFF_DISCOVERY_URL,
    ASTI_OIDC_STAFF_CLIENT_ID,
    ASTI_OIDC_STAFF_CLIENT_SECRET,
    ASTI_OIDC_STAFF_SCOPE,
) = _oidc_client_settings("STAFF", default_issuer=ASTI_OIDC_GUARDIAN_ISSUER)
# Claim names agreed with the city; levels of assurance other than substantial and high are always refused.
ASTI_OIDC_HETU_CLAIM: str = env.str("ASTI_OIDC_HETU_CLAIM", default="national_id")
ASTI_OIDC_LOA_CLAIM: str = env.str("ASTI_OIDC_LOA_CLAIM", default="loa")
ASTI_OIDC_STAFF_GROUPS_CLAIM: str = env.str("ASTI_OIDC_STAFF_GROUPS_CLAIM", default="groups")
ASTI_OIDC_STAFF_UNITS_CLAIM: str = env.str("ASTI_OIDC_STAFF_UNITS_CLAIM", default="unit_ids")
# Role -> the provider's group name, e.g. ASTI_OIDC_STAFF_ROLE_GROUPS=planner=asti-planners,admin=asti-admins
ASTI_OIDC_STAFF_ROLE_GROUPS: dict[str, str] = {
    "planner": "planner",
    "unit_director": "unit_director",
    "admin": "admin",
    "decision_maker": "decision_maker",
    **env.dict("ASTI_OIDC_STAFF_ROLE_GROUPS", default={}),
}
if set(ASTI_OIDC_STAFF_ROLE_GROUPS) != {"planner", "unit_director", "admin", "decision_maker"}:
    raise ImproperlyConfigured(
        "ASTI_OIDC_STAFF_ROLE_GROUPS names the roles planner, unit_director, admin and decision_maker only"
    )
ASTI_OIDC_SIGNING_ALGORITHMS: list[str] = env.list("ASTI_OIDC_SIGNING_ALGORITHMS", default=["RS256"])
ASTI_OIDC_HTTP_TIMEOUT: float = env.float("ASTI_OIDC_HTTP_TIMEOUT", default=10.0)
# A staff member's roles and units are read again from the provider (refresh-token grant) on the first request after
# this many seconds; a provider that cannot be reached keeps the session for the grace, then it ends (fail closed).
ASTI_STAFF_ROLES_REFRESH_SECONDS: int = env.int("ASTI_STAFF_ROLES_REFRESH_SECONDS", default=300)
ASTI_STAFF_ROLES_REFRESH_GRACE_SECONDS: int = env.int("ASTI_STAFF_ROLES_REFRESH_GRACE_SECONDS", default=120)
if ASTI_STAFF_ROLES_REFRESH_SECONDS <= 0 or ASTI_STAFF_ROLES_REFRESH_GRACE_SECONDS < 0:
    raise ImproperlyConfigured(
        "ASTI_STAFF_ROLES_REFRESH_SECONDS must be positive and ASTI_STAFF_ROLES_REFRESH_GRACE_SECONDS not negative"
    )
# The demo's test identification page: only in the demo and development, and only when switched on.
ASTI_DEMO_LOGIN: bool = env.bool("ASTI_DEMO_LOGIN", default=False)
ASTI_DEMO_LOGIN_GUARDIANS: int = env.int("ASTI_DEMO_LOGIN_GUARDIANS", default=30)
# Django's own username/password form for /admin/login/ (local development only; staff otherwise use OIDC).
ASTI_ADMIN_PASSWORD_LOGIN: bool = env.bool("ASTI_ADMIN_PASSWORD_LOGIN", default=False)
if IS_PRODUCTION and (ASTI_DEMO_LOGIN or ASTI_ADMIN_PASSWORD_LOGIN):
    raise ImproperlyConfigured("ASTI_DEMO_LOGIN and ASTI_ADMIN_PASSWORD_LOGIN are never on in production")
# Login attempts (OIDC callbacks, test identifications) per client address and per session in each window.
ASTI_LOGIN_RATE_PER_IP: int = env.int("ASTI_LOGIN_RATE_PER_IP", default=30)
ASTI_LOGIN_RATE_PER_SESSION: int = env.int("ASTI_LOGIN_RATE_PER_SESSION", default=10)
ASTI_LOGIN_RATE_WINDOW: int = env.int("ASTI_LOGIN_RATE_WINDOW", default=300)
# identity-code lookups per staff user per hour (family search and admin; each one audited)
ASTI_IDENTITY_CODE_SEARCHES_PER_HOUR: int = env.int("ASTI_IDENTITY_CODE_SEARCHES_PER_HOUR", default=30)
# The counts live in Django's cache. CACHE_URL=redis://host:6379/0 shares them between the web server's
# processes (what production needs: `check --deploy` warns otherwise); without it each process counts alone.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# request.META key a trusted reverse proxy sets to the client's address (e.g. HTTP_X_REAL_IP); empty: REMOTE_ADDR.
ASTI_CLIENT_IP_HEADER: str = env.str("ASTI_CLIENT_IP_HEADER", default="")
# ==== end of identity ===========================================================================================


# === Messaging (asti.messaging) ==================================================================================
# The outbox worker, the channels and the gateway callbacks; see docs/adr/0003-outbox-and-worker.md.
# Outside production the channels default to the simulated phone and mailbox and secrets to local-only values.
MESSAGING_SMS_BACKEND: str = env.str("MESSAGING_SMS_BACKEND", default="kannel" if IS_PRODUCTION else "simulated")
MESSAGING_EMAIL_BACKEND: str = env.str("MESSAGING_EMAIL_BACKEND", default="smtp" if IS_PRODUCTION else "simulated")
if IS_PRODUCTION and "simulated" in (MESSAGING_SMS_BACKEND, MESSAGING_EMAIL_BACKEND):
    raise ImproperlyConfigured("the simulated messaging channels are for development, tests and demos only")
_kannel_on = MESSAGING_SMS_BACKEND == "kannel"


def _messaging_secret(name: str, local_default: str, *, needed: bool) -> str:
    """Like _secret(), but required in production only when the channel that uses it is on."""
    if IS_PRODUCTION and not needed:
        value: str = env.str(name, default="")
        return value
    return _secret(name, local_default)


# Numeric sender (long number or short code): guardians reply to it.
MESSAGING_SMS_SENDER: str = env.str("MESSAGING_SMS_SENDER", default="+358500000000")
MESSAGING_SMS_MAX_PARTS: int = env.int("MESSAGING_SMS_MAX_PARTS", default=6)
MESSAGING_KANNEL_SENDSMS_URL: str = env.str(
    "MESSAGING_KANNEL_SENDSMS_URL", default="http://127.0.0.1:13013/cgi-bin/sendsms"
)
MESSAGING_KANNEL_USERNAME: str = env.str("MESSAGING_KANNEL_USERNAME", default="asti")
MESSAGING_KANNEL_PASSWORD = _messaging_secret(
    "MESSAGING_KANNEL_PASSWORD", "local-only-kannel-password", needed=_kannel_on
)
MESSAGING_KANNEL_DLR_MASK: int = env.int("MESSAGING_KANNEL_DLR_MASK", default=31)
# An SMS handed to the gateway whose final delivery report has not come in this many hours goes on the staff
# follow-up list (operators' final reports can take hours; asti.messaging.reconcile).
MESSAGING_DELIVERY_REPORT_WAIT_HOURS: float = env.float("MESSAGING_DELIVERY_REPORT_WAIT_HOURS", default=24.0)
# Kannel's reply forwarding proves itself with it as a basic-auth password (sms-service post-url
# http://kannel:<token>@host/messaging/kannel/inbound/?id=%I); letters, digits and . _ ~ - only.
MESSAGING_KANNEL_INBOUND_TOKEN = _messaging_secret(
    "MESSAGING_KANNEL_INBOUND_TOKEN", "local-only-kannel-inbound-token", needed=_kannel_on
)
# Signs each delivery-report URL (an HMAC per message, as its basic-auth password); Kannel reaches us at
# MESSAGING_CALLBACK_BASE_URL (https when Kannel is on another machine: basic auth is not encrypted).
MESSAGING_CALLBACK_KEY = _messaging_secret("MESSAGING_CALLBACK_KEY", "local-only-callback-key", needed=_kannel_on)
MESSAGING_CALLBACK_BASE_URL: str = (
    env.str("MESSAGING_CALLBACK_BASE_URL")
    if IS_PRODUCTION and _kannel_on
    else env.str("MESSAGING_CALLBACK_BASE_URL", default="http://127.0.0.1:8000")
)
MESSAGING_HTTP_TIMEOUT: float = env.float("MESSAGING_HTTP_TIMEOUT", default=10.0)
# The address emails come from; without a display name the city's name (the profile's organisation, in the
# message's language) is shown as the sender.
MESSAGING_EMAIL_FROM: str = env.str("MESSAGING_EMAIL_FROM", default="noreply@asti.localhost")

# Official decisions: the city's facts printed on every decision (asti.decisions), from the city profile's
# [decisions]; each may be overridden here. The deciding official is the decision-maker who approves the batch.
_decisions = ASTI_CITY_PROFILE.decisions
ASTI_DECISION_AUTHORITY_FI: str = env.str("ASTI_DECISION_AUTHORITY_FI", default=_decisions.authority.fi)
ASTI_DECISION_AUTHORITY_SV: str = env.str("ASTI_DECISION_AUTHORITY_SV", default=_decisions.authority.sv)
ASTI_DECISION_DELEGATION_FI: str = env.str("ASTI_DECISION_DELEGATION_FI", default=_decisions.delegation.fi)
ASTI_DECISION_DELEGATION_SV: str = env.str("ASTI_DECISION_DELEGATION_SV", default=_decisions.delegation.sv)
ASTI_DECISION_CONTACT_NAME: str = env.str("ASTI_DECISION_CONTACT_NAME", default=_decisions.contact_name)
ASTI_DECISION_CONTACT_PHONE: str = env.str("ASTI_DECISION_CONTACT_PHONE", default=_decisions.contact_phone)
ASTI_DECISION_CONTACT_EMAIL: str = env.str("ASTI_DECISION_CONTACT_EMAIL", default=_decisions.contact_email)
# Where a request for rectification goes: pre-primary and school admission to the national Permit and Supervision
# Agency (LVV, since 1.1.2026; PoL 42 §), early childhood education to the municipal body responsible (VakaL 62 §),
# afternoon activities to the municipal body (Local Government Act 134 §).
ASTI_DECISION_LVV_ADDRESS: str = env.str(
    "ASTI_DECISION_LVV_ADDRESS", default="Lupa- ja valvontavirasto, PL 20, 13035 LVV, kirjaamo@lvv.fi"
)
ASTI_DECISION_BOARD_FI: str = env.str("ASTI_DECISION_BOARD_FI", default=_decisions.board.fi)
ASTI_DECISION_BOARD_SV: str = env.str("ASTI_DECISION_BOARD_SV", default=_decisions.board.sv)
ASTI_DECISION_REGISTRY_ADDRESS: str = env.str("ASTI_DECISION_REGISTRY_ADDRESS", default=_decisions.registry_address)
ASTI_DECISION_REGISTRY_HOURS: str = env.str("ASTI_DECISION_REGISTRY_HOURS", default=_decisions.registry_hours)
# The scheduler (manage.py run_scheduler): a periodic job's interval in seconds may be overridden, e.g.
# ASTI_JOBS_EVERY=offers.round_clock=10,decisions.release=5
ASTI_JOBS_EVERY: dict[str, int] = {
    name.strip(): int(seconds)
    for name, _sep, seconds in (part.partition("=") for part in env.list("ASTI_JOBS_EVERY", default=[]))
    if name.strip() and seconds.strip().isdigit()
}
# Processes that render a batch's PDFs (a round's thousands of decisions); 1 renders in the calling process.
ASTI_DECISION_PDF_WORKERS: int = env.int("ASTI_DECISION_PDF_WORKERS", default=os.cpu_count() or 1)
MESSAGING_SMTP_HOST: str = env.str("MESSAGING_SMTP_HOST", default="127.0.0.1")
MESSAGING_SMTP_PORT: int = env.int("MESSAGING_SMTP_PORT", default=25)
MESSAGING_SMTP_USER: str = env.str("MESSAGING_SMTP_USER", default="")
MESSAGING_SMTP_PASSWORD: str = env.str("MESSAGING_SMTP_PASSWORD", default="")
MESSAGING_SMTP_STARTTLS: bool = env.bool("MESSAGING_SMTP_STARTTLS", default=False)
MESSAGING_SMTP_SSL: bool = env.bool("MESSAGING_SMTP_SSL", default=False)
MESSAGING_SMTP_TIMEOUT: float = env.float("MESSAGING_SMTP_TIMEOUT", default=20.0)
# Replies by email (manage.py receive_mail): each email's Reply-To is this address with a signed +tag per message,
# e.g. vastaus+123-9f0c…@asti.example; the MX of its domain must deliver to receive_mail. Empty: replies are not
# taken and emails say to answer through the link. Outside production the demo's mailbox answers by email.
MESSAGING_EMAIL_REPLY_ADDRESS: str = env.str(
    "MESSAGING_EMAIL_REPLY_ADDRESS", default="" if IS_PRODUCTION else "vastaus@asti.localhost"
)
MESSAGING_INBOUND_SMTP_HOST: str = env.str("MESSAGING_INBOUND_SMTP_HOST", default="127.0.0.1")
MESSAGING_INBOUND_SMTP_PORT: int = env.int("MESSAGING_INBOUND_SMTP_PORT", default=2525)
MESSAGING_INBOUND_EMAIL_MAX_BYTES: int = env.int("MESSAGING_INBOUND_EMAIL_MAX_BYTES", default=1024 * 1024)
# Shared by all workers, per "channel.lane": SMS in parts per second (what operators count), email in messages
# per second; a missing key is unlimited. Keep sms.bulk below the operator's limit so answers find room.
# In the environment: MESSAGING_RATE_LIMITS="sms.bulk=40;email.bulk=20" (pairs separated by semicolons).
_default_rates = {"sms.bulk": 40.0} if _kannel_on else {}
if MESSAGING_EMAIL_BACKEND == "smtp":
    _default_rates["email.bulk"] = 20.0
MESSAGING_RATE_LIMITS: dict[str, float] = env.dict(
    "MESSAGING_RATE_LIMITS", cast={"value": float}, default=_default_rates
)
MESSAGING_MAX_ATTEMPTS: int = env.int("MESSAGING_MAX_ATTEMPTS", default=12)
MESSAGING_RETRY_BASE_SECONDS: float = env.float("MESSAGING_RETRY_BASE_SECONDS", default=10.0)
MESSAGING_RETRY_MAX_SECONDS: float = env.float("MESSAGING_RETRY_MAX_SECONDS", default=3600.0)
MESSAGING_LEASE_SECONDS: float = env.float("MESSAGING_LEASE_SECONDS", default=120.0)
# The hand-off (asti.messaging.handoff): a worker marks a few messages at a time as being handed to the gateway,
# hands them over and records how it went; a database outage is waited out for up to MESSAGING_DB_RETRY_SECONDS.
# If the worker dies in between, an SMS is taken as sent once any delivery report for it arrives, and sent again
# only when none has come in MESSAGING_SMS_IN_DOUBT_SECONDS; an email is sent again with the same Message-ID.
# Messages per hand-off step by channel: an SMS in doubt is settled exactly (by its delivery reports), an email in
# doubt is sent again, so emails go in smaller steps. In the environment: MESSAGING_HANDOFF_CHUNK="sms=32;email=1".
MESSAGING_HANDOFF_CHUNK: dict[str, int] = env.dict(
    "MESSAGING_HANDOFF_CHUNK", cast={"value": int}, default={"sms": 32, "email": 1}
)
MESSAGING_DB_RETRY_SECONDS: float = env.float("MESSAGING_DB_RETRY_SECONDS", default=60.0)
MESSAGING_SMS_IN_DOUBT_SECONDS: float = env.float("MESSAGING_SMS_IN_DOUBT_SECONDS", default=900.0)
MESSAGING_WORKER_BATCH_SIZE: int = env.int("MESSAGING_WORKER_BATCH_SIZE", default=100)
MESSAGING_WORKER_THREADS: int = env.int("MESSAGING_WORKER_THREADS", default=8)
MESSAGING_POLL_SECONDS: float = env.float("MESSAGING_POLL_SECONDS", default=0.5)
MESSAGING_POLL_SECONDS_FAST: float = env.float("MESSAGING_POLL_SECONDS_FAST", default=0.1)
# Demo: simulated numbers/addresses that always fail, to show the email fallback and the follow-up list.
MESSAGING_SIMULATED_UNREACHABLE: list[str] = env.list("MESSAGING_SIMULATED_UNREACHABLE", default=[])
# The messaging tests run a live server and gateway callbacks in other threads, each with its own connection,
# which an in-memory SQLite test database cannot give: tests on SQLite use a file, one per test process.
if _db["ENGINE"] == "django.db.backends.sqlite3":
    import os as _os

    _db.setdefault("TEST", {}).setdefault("NAME", str(BASE_DIR / "var" / f"test-asti-{_os.getpid()}.sqlite3"))
# === end of messaging ============================================================================================


# === Retention and erasure (asti.privacy) =========================================================================
# How long Asti keeps what is not an official record, in days after the event each rule names (docs/privacy.md gives
# the legal basis of each; the privacy notice shows them). Applications, offers and decisions are official records
# kept under the city's archive plan and are never purged here. 0 turns a rule off.
ASTI_RETENTION_MESSAGE_DAYS: int = env.int("ASTI_RETENTION_MESSAGE_DAYS", default=2 * 365)
ASTI_RETENTION_REPLY_DAYS: int = env.int("ASTI_RETENTION_REPLY_DAYS", default=2 * 365)
ASTI_RETENTION_CONVERSATION_DAYS: int = env.int("ASTI_RETENTION_CONVERSATION_DAYS", default=2 * 365)
ASTI_RETENTION_FEEDBACK_DAYS: int = env.int("ASTI_RETENTION_FEEDBACK_DAYS", default=365)
ASTI_RETENTION_DRAFT_DAYS: int = env.int("ASTI_RETENTION_DRAFT_DAYS", default=365)
ASTI_RETENTION_LOGIN_DAYS: int = env.int("ASTI_RETENTION_LOGIN_DAYS", default=2 * 365)
ASTI_RETENTION_AUDIT_DAYS: int = env.int("ASTI_RETENTION_AUDIT_DAYS", default=5 * 365)
ASTI_RETENTION_BATCH_SIZE: int = env.int("ASTI_RETENTION_BATCH_SIZE", default=500)
# The controller as the privacy notice names it (Finnish and Swedish from the decisions' authority) and its data
# protection officer, from the city profile.
ASTI_PRIVACY_CONTROLLER_EN: str = env.str("ASTI_PRIVACY_CONTROLLER_EN", default=_decisions.authority.en)
ASTI_PRIVACY_DPO_EMAIL: str = env.str("ASTI_PRIVACY_DPO_EMAIL", default=ASTI_CITY_PROFILE.contact.privacy_email)
# === end of retention and erasure ================================================================================


# === Citizen pages (asti.citizen, asti.applications, asti.core.csp) ============================================
# Content Security Policy: strict everywhere (no inline scripts, styles or handlers). Paths listed here (the Django
# admin's own pages, staff only) may use inline styles; scripts stay 'self' only.
ASTI_CSP_RELAXED_STYLE_PREFIXES: list[str] = env.list("ASTI_CSP_RELAXED_STYLE_PREFIXES", default=["/admin/"])
# The accessibility statement and the feedback channel (Act on the Provision of Digital Services 306/2019).
ASTI_ACCESSIBILITY_EMAIL: str = env.str("ASTI_ACCESSIBILITY_EMAIL", default="saavutettavuus@asti.localhost")
ASTI_FEEDBACK_EMAIL: str = env.str("ASTI_FEEDBACK_EMAIL", default="palaute@asti.localhost")
# Where a unit's position opens: a plain link, no map tiles or scripts from elsewhere.
ASTI_MAP_LINK: str = env.str(
    "ASTI_MAP_LINK", default="https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
)
# === end of citizen pages ========================================================================================


# === Staff pages (asti.staff) ====================================================================================
# The staff header's role-dependent links (asti.staff.context_processors); see asti/staff/selectors.py for who
# may see what.
TEMPLATES[0]["OPTIONS"]["context_processors"].append("asti.staff.context_processors.staff")  # type: ignore[index]
# === end of staff pages ==========================================================================================
