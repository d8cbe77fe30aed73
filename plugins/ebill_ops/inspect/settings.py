"""Settings of the daily inspection (section ``inspect`` of the YAML file).

Defaults suit the sandbox and follow the vendors' defaults where they exist (Oracle's tablespace
alert at 85 % / 97 %, PostgreSQL's wraparound warnings at 1.3 / 1.4 billion transactions).
A site lists its own hosts (``ebill_ssh_<host>`` connections), services and baseline versions.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from ebill_ops.config import Strict


class Band(Strict):
    """Two thresholds. ``higher_is_worse`` False means low values are the problem (free memory)."""

    warning: float
    critical: float
    higher_is_worse: bool = True

    @model_validator(mode="after")
    def _ordered(self) -> Band:
        worse = self.critical >= self.warning if self.higher_is_worse else self.critical <= self.warning
        if not worse:
            raise ValueError(f"critical ({self.critical}) must be beyond warning ({self.warning})")
        return self


def band(warning: float, critical: float, *, higher_is_worse: bool = True) -> Band:
    return Band(warning=warning, critical=critical, higher_is_worse=higher_is_worse)


class ServiceSpec(Strict):
    """A service that must be running; ``command`` exits 0 when it is (``{name}`` is replaced)."""

    name: str
    command: str = "systemctl is-active --quiet {name}"


class HostSpec(Strict):
    conn_id: str  # an ``ebill_ssh_<host>`` SSH connection with a pinned host key
    label: str | None = None  # shown in the report; default: the connection id without its prefix
    role: str = ""  # e.g. 应用服务器 application server
    services: list[ServiceSpec] = Field(default_factory=list)

    @property
    def name(self) -> str:
        return self.label or self.conn_id.removeprefix("ebill_ssh_")


class HostThresholds(Strict):
    disk_used_pct: Band = band(85, 95)
    inode_used_pct: Band = band(85, 95)
    memory_available_pct: Band = band(10, 5, higher_is_worse=False)
    load_per_cpu: Band = band(2.0, 4.0)  # 15-minute load average divided by the CPU count
    time_skew_seconds: Band = band(2, 10)


class HostSettings(Strict):
    hosts: list[HostSpec] = Field(
        default_factory=lambda: [
            HostSpec(
                conn_id="ebill_ssh_sandbox",
                label="sandbox",
                role="沙箱主机 sandbox host",
                services=[ServiceSpec(name="postgres", command="pgrep -x postgres")],
            )
        ]
    )
    thresholds: HostThresholds = Field(default_factory=HostThresholds)
    connect_timeout_seconds: int = 10
    connect_attempts: int = 2  # the SSH hook waits 3-5 s between attempts
    command_timeout_seconds: float = 20
    # df lines whose filesystem is one of these, or whose mount point starts with one of the
    # prefixes, are not judged (memory filesystems, kernel views).
    ignore_filesystems: list[str] = Field(
        default_factory=lambda: ["tmpfs", "devtmpfs", "udev", "none", "shm"]
    )
    ignore_mount_prefixes: list[str] = Field(default_factory=lambda: ["/proc", "/sys", "/run/user", "/snap"])


class DatabaseThresholds(Strict):
    tablespace_used_pct: Band = band(85, 97)  # Oracle's default tablespace alert thresholds
    temp_used_pct: Band = band(85, 95)
    undo_used_pct: Band = band(85, 95)
    recovery_area_used_pct: Band = band(85, 97)
    connections_used_pct: Band = band(80, 95)
    long_session_seconds: Band = band(600, 3600)
    blocked_seconds: Band = band(30, 300)  # how long a session has waited for a lock
    wraparound_xid_age: Band = band(1_300_000_000, 1_400_000_000)
    replication_lag_seconds: Band = band(60, 600)
    size_growth_pct: Band = band(10, 50)  # growth since the previous inspection
    account_expiry_days: int = 14  # warn when a login expires within this many days
    # Accounts the platform cannot run without: locked or expired is critical, not a warning.
    critical_accounts: list[str] = Field(default_factory=lambda: ["EBILL", "ebill_owner", "ebill_ro"])
    # Alert-log messages that are critical (internal errors, corruption, archiver stuck).
    critical_errors: list[str] = Field(
        default_factory=lambda: [
            "ORA-00600",
            "ORA-07445",
            "ORA-01578",
            "ORA-00257",
            "ORA-04031",
            "ORA-19809",
            "checksum_failures",
        ]
    )


class DatabaseSettings(Strict):
    # Connections inspected (the bill platform by default; an Oracle site may use a DBA account
    # with SELECT_CATALOG_ROLE here). Empty: ``common.connections.ebill_db``.
    conn_ids: list[str] = Field(default_factory=list)
    thresholds: DatabaseThresholds = Field(default_factory=DatabaseThresholds)
    statement_timeout_seconds: int = 60
    # Last verified backup (ebops.backup_catalog, written by ebill_backup_verify): older is critical.
    backup_max_age_hours: float = 30


class EndpointSpec(Strict):
    name: str  # e.g. tomcat
    path: str  # e.g. /middleware/tomcat/status
    category: str = "middleware"  # middleware | application
    expect_status: int = 200


class EndpointSettings(Strict):
    # HTTP connection of the application's health endpoints (host, port, schema=http|https).
    conn_id: str = "ebill_app"
    timeout_seconds: float = 10
    latency_ms: Band = band(1000, 5000)
    health_path: str = "/health"  # Spring Boot actuator style: components with UP / DOWN
    endpoints: list[EndpointSpec] = Field(
        default_factory=lambda: [
            EndpointSpec(name="tomcat", path="/middleware/tomcat/status"),
            EndpointSpec(name="redis", path="/middleware/redis/ping"),
            EndpointSpec(name="db-pool", path="/middleware/db/status"),
            EndpointSpec(name="signature-client", path="/middleware/signature-client/status"),
        ]
    )


class ApplicationSettings(Strict):
    norm_weeks: int = 4  # the norm is the median of the same window 1..N weeks earlier
    min_norm_bills: int = 50  # a thinner norm is not judged
    volume_drop_pct: Band = band(40, 70)  # bills issued below the norm by this much
    error_interfaces: list[str] = Field(default_factory=lambda: ["his_issue", "signature"])
    error_rate_pct: Band = band(1, 5)
    min_calls: int = 20  # fewer calls in the window are not judged
    # In transit (在途): signed but not supervised after this long, or supervised but not archived.
    supervision_lag_hours: float = 24
    archive_lag_hours: float = 72
    transit_lookback_days: int = 90
    transit_backlog: Band = band(1, 500)
    versions_path: str = "/version"
    # Minimum baseline versions (二.2 patching); a lower version is a warning.
    min_versions: dict[str, str] = Field(
        default_factory=lambda: {
            "ebill-platform": "5.3.0",
            "signature-client": "2.0.0",
            "tomcat": "9.0.80",
            "jdk": "1.8.0_381",
            "redis": "6.2.14",
        }
    )
    # Components whose version below the baseline is critical (known exploited vulnerabilities).
    critical_versions: list[str] = Field(default_factory=list)


class ReportSettings(Strict):
    trend_days: int = 30
    to: list[str] = Field(default_factory=list)  # empty: common.alerts.to
    # Only runs whose data interval ended this recently look at live systems; a backfill of an
    # older interval re-evaluates the application figures and keeps the stored live findings.
    live_window_hours: float = 36


class InspectSettings(Strict):
    host: HostSettings = Field(default_factory=HostSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    endpoints: EndpointSettings = Field(default_factory=EndpointSettings)
    application: ApplicationSettings = Field(default_factory=ApplicationSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)


def inspect_settings() -> InspectSettings:
    from ebill_ops.config import section

    return section("inspect", InspectSettings)
