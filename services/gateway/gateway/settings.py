"""The gateway's settings, read once from the environment into a frozen object."""

from __future__ import annotations

from dataclasses import dataclass

from common.settings import Env, InvalidSetting


@dataclass(frozen=True)
class Settings:
    """Everything the gateway reads from the environment (README lists each variable)."""

    database_url: str
    secret_key: str
    catalog_url: str
    orders_url: str
    verification_url: str
    internal_token_secret: str
    session_cookie_secure: bool
    session_ttl_seconds: int
    api_token_ttl_seconds: int
    service_timeout_seconds: float
    service_read_retries: int
    catalog_cache_seconds: float
    sign_in_max_failures: int
    sign_in_window_seconds: int
    log_format: str
    trusted_proxies: int
    max_upload_bytes: int = 10 * 1024 * 1024
    # Where fulfillment answers (its port in `make run` and `make stack` by default).
    fulfillment_url: str = "http://127.0.0.1:8004"
    # Where ratings answers, as fulfillment's.
    ratings_url: str = "http://127.0.0.1:8005"
    # How long a gateway process keeps ratings' public statistics and the /stats
    # page it built for visitors not signed in (figures of whole days; 0: off).
    stats_cache_seconds: float = 5.0
    # The office's official microblog account the store front names, and the
    # microblog's public share page every item page and /stats link to.
    microblog_name: str = "青岛交警"
    microblog_url: str = "https://weibo.com/n/%E9%9D%92%E5%B2%9B%E4%BA%A4%E8%AD%A6"
    microblog_share_url: str = "https://service.weibo.com/share/share.php"
    # Where notifications answers (its port in `make run` and `make stack` by default).
    notifications_url: str = "http://127.0.0.1:8006"
    # The page of what the sandbox SMS and email providers would have sent: only
    # while notifications sends SMS through the sandbox (SMS_PROVIDER, its default).
    sandbox_outbox: bool = False
    # The wallet sandbox's pages (/sandbox/wallet/…) forwarded to orders, so the
    # browser reaches them at the gateway's address: only while the wallet sandbox
    # is in use, i.e. WALLET_SANDBOX_URL (orders' setting: where the browser opens
    # them) is set. A gateway without it answers 404 there.
    wallet_sandbox_proxy: bool = False

    @classmethod
    def from_env(cls, env: Env | None = None) -> Settings:
        env = env or Env()
        secret_key = env.str("GATEWAY_SECRET_KEY")
        if len(secret_key) < 16:
            raise InvalidSetting("GATEWAY_SECRET_KEY", "must be at least 16 characters long")
        max_upload = env.int("GATEWAY_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
        if max_upload < 1024:
            raise InvalidSetting("GATEWAY_MAX_UPLOAD_BYTES", "must be at least 1024 bytes")
        return cls(
            database_url=env.str("GATEWAY_DATABASE_URL"),
            secret_key=secret_key,
            catalog_url=env.str("CATALOG_URL").rstrip("/"),
            orders_url=env.str("ORDERS_URL").rstrip("/"),
            verification_url=env.str("VERIFICATION_URL").rstrip("/"),
            internal_token_secret=env.str("INTERNAL_TOKEN_SECRET"),
            session_cookie_secure=env.bool("SESSION_COOKIE_SECURE", not env.bool("DEMO_MODE")),
            session_ttl_seconds=env.int("SESSION_TTL_SECONDS", 8 * 3600),
            api_token_ttl_seconds=env.int("API_TOKEN_TTL_SECONDS", 24 * 3600),
            service_timeout_seconds=env.float("SERVICE_TIMEOUT_SECONDS", 3.0),
            service_read_retries=env.int("SERVICE_READ_RETRIES", 2),
            catalog_cache_seconds=env.float("GATEWAY_CATALOG_CACHE_SECONDS", 2.0),
            sign_in_max_failures=env.int("SIGN_IN_MAX_FAILURES", 5),
            sign_in_window_seconds=env.int("SIGN_IN_WINDOW_SECONDS", 15 * 60),
            log_format=env.str("LOG_FORMAT", "json"),
            trusted_proxies=env.int("TRUSTED_PROXIES", 0),
            max_upload_bytes=max_upload,
            fulfillment_url=env.str("FULFILLMENT_URL", "http://127.0.0.1:8004").rstrip("/"),
            ratings_url=env.str("RATINGS_URL", "http://127.0.0.1:8005").rstrip("/"),
            stats_cache_seconds=env.float("GATEWAY_STATS_CACHE_SECONDS", cls.stats_cache_seconds),
            microblog_name=env.str("MICROBLOG_NAME", cls.microblog_name),
            microblog_url=env.str("MICROBLOG_URL", cls.microblog_url),
            microblog_share_url=env.str("MICROBLOG_SHARE_URL", cls.microblog_share_url),
            notifications_url=env.str("NOTIFICATIONS_URL", "http://127.0.0.1:8006").rstrip("/"),
            sandbox_outbox=env.str("SMS_PROVIDER", "sandbox") == "sandbox",
            wallet_sandbox_proxy=bool(env.str("WALLET_SANDBOX_URL", "").strip()),
        )
