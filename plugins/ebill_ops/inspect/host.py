"""Host checks: turn the output of plain POSIX commands into findings (no SSH here).

The commands are the ones an administrator would type (``df -P``, ``df -Pi``, ``/proc``), so a
site can run them by hand to see what the inspection saw. Parsing is strict about the lines it
judges and tolerant of the rest: an unknown line is skipped, never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ebill_ops.inspect.findings import Finding, describe, grade
from ebill_ops.inspect.settings import HostSettings, HostSpec

# The exact commands, in the order they run (the sandbox's SSH fault knob matches them exactly).
DF = "df -P"
DF_INODES = "df -Pi"
MEMINFO = "cat /proc/meminfo"
LOADAVG = "cat /proc/loadavg"
NPROC = "nproc"
CLOCK = "date +%s.%N"
COMMANDS = (DF, DF_INODES, MEMINFO, LOADAVG, NPROC)


@dataclass(frozen=True)
class CommandResult:
    command: str
    exit_status: int
    stdout: str
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_status == 0


@dataclass
class HostSample:
    """Everything read from one host in one visit."""

    host: HostSpec
    results: dict[str, CommandResult] = field(default_factory=dict)
    services: dict[str, CommandResult] = field(default_factory=dict)
    clock_skew_seconds: float | None = None
    error: str | None = None  # set when the host could not be reached at all


@dataclass(frozen=True)
class FsUse:
    filesystem: str
    mount: str
    used_pct: float


def parse_df(text: str) -> list[FsUse]:
    """``df -P`` or ``df -Pi``: the use column (``24%``) per mount; ``-`` (no inodes) is skipped."""
    out = []
    for line in text.splitlines()[1:]:
        parts = line.split(None, 5)
        if len(parts) < 6 or not parts[4].endswith("%"):
            continue
        try:
            pct = float(parts[4].rstrip("%"))
        except ValueError:
            continue
        out.append(FsUse(parts[0], parts[5].strip(), pct))
    return out


def parse_meminfo(text: str) -> dict[str, int]:
    """``/proc/meminfo`` as kB per field."""
    out = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        fields = rest.split()
        if fields and fields[0].isdigit():
            out[name.strip()] = int(fields[0])
    return out


def parse_loadavg(text: str) -> tuple[float, float, float]:
    one, five, fifteen = (float(x) for x in text.split()[:3])
    return one, five, fifteen


def _ignored(fs: FsUse, settings: HostSettings) -> bool:
    return fs.filesystem in settings.ignore_filesystems or any(
        fs.mount == p or fs.mount.startswith(p.rstrip("/") + "/") for p in settings.ignore_mount_prefixes
    )


def assess(sample: HostSample, settings: HostSettings) -> list[Finding]:
    """All findings of one host visit."""
    name = sample.host.name
    limits = settings.thresholds
    if sample.error is not None:
        return [
            Finding(
                "host",
                "reachable",
                name,
                0,
                "",
                "reachable over SSH",
                "critical",
                "主机不可达：检查主机是否开机、网络与 SSH 服务、主机密钥是否变更。"
                " Host unreachable: check power, network, sshd and whether its host key changed.",
                sample.error[:300],
            )
        ]
    findings = [Finding("host", "reachable", name, 1, "", "reachable over SSH", "ok", "SSH 正常 SSH ok")]
    findings += _command_failures(sample)
    findings += _filesystems(sample, settings, DF, "disk_used", limits.disk_used_pct)
    findings += _filesystems(sample, settings, DF_INODES, "inode_used", limits.inode_used_pct)
    findings += _memory(sample, settings)
    findings += _load(sample, settings)
    findings += _clock(sample, settings)
    findings += _services(sample)
    return findings


def _command_failures(sample: HostSample) -> list[Finding]:
    out = []
    for command, result in sample.results.items():
        if not result.ok:
            out.append(
                Finding(
                    "host",
                    "command",
                    f"{sample.host.name}:{command}",
                    result.exit_status,
                    "exit",
                    "exit 0",
                    "warning",
                    "巡检命令执行失败，该项未检查。 An inspection command failed; that check did not run.",
                    (result.stderr or result.stdout)[:300],
                )
            )
    return out


def _filesystems(
    sample: HostSample, settings: HostSettings, command: str, check: str, limits
) -> list[Finding]:
    result = sample.results.get(command)
    if result is None or not result.ok:
        return []
    advice = {
        "disk_used": "清理或扩容：日志、归档、临时文件、旧备份。 Free or extend the filesystem: logs, archives, temp files, old backups.",
        "inode_used": "小文件过多：清理会话/临时小文件。 Too many small files: clean session and temp files.",
    }[check]
    seen: set[str] = set()
    out = []
    for fs in parse_df(result.stdout):
        if _ignored(fs, settings) or fs.mount in seen:
            continue
        seen.add(fs.mount)
        severity = grade(fs.used_pct, limits)
        out.append(
            Finding(
                "host",
                check,
                f"{sample.host.name}:{fs.mount}",
                fs.used_pct,
                "%",
                describe(limits, "%"),
                severity,
                advice if severity != "ok" else "正常 ok",
                fs.filesystem,
            )
        )
    return out


def _memory(sample: HostSample, settings: HostSettings) -> list[Finding]:
    result = sample.results.get(MEMINFO)
    if result is None or not result.ok:
        return []
    info = parse_meminfo(result.stdout)
    total = info.get("MemTotal")
    available = info.get("MemAvailable", info.get("MemFree"))
    if not total or available is None:
        return []
    pct = round(100.0 * available / total, 1)
    limits = settings.thresholds.memory_available_pct
    severity = grade(pct, limits)
    swap = ""
    if info.get("SwapTotal"):
        swap = f"; swap used {100.0 * (info['SwapTotal'] - info.get('SwapFree', 0)) / info['SwapTotal']:.0f}%"
    return [
        Finding(
            "host",
            "memory_available",
            sample.host.name,
            pct,
            "%",
            describe(limits, "%"),
            severity,
            "内存不足：查看占用最多的进程（JVM 堆、数据库 SGA/共享缓冲）。 Memory low: find the largest processes (JVM heap, SGA / shared buffers)."
            if severity != "ok"
            else "正常 ok",
            f"available {available // 1024} MB of {total // 1024} MB{swap}",
        )
    ]


def _load(sample: HostSample, settings: HostSettings) -> list[Finding]:
    load, cpus = sample.results.get(LOADAVG), sample.results.get(NPROC)
    if load is None or cpus is None or not load.ok or not cpus.ok:
        return []
    try:
        one, five, fifteen = parse_loadavg(load.stdout)
        n = max(int(cpus.stdout.strip()), 1)
    except ValueError:
        return []
    per_cpu = round(fifteen / n, 2)
    limits = settings.thresholds.load_per_cpu
    severity = grade(per_cpu, limits)
    return [
        Finding(
            "host",
            "load",
            sample.host.name,
            per_cpu,
            "/cpu",
            describe(limits),
            severity,
            "负载偏高：查看 CPU/IO 占用最多的进程与慢 SQL。 High load: look at the busiest processes and slow SQL."
            if severity != "ok"
            else "正常 ok",
            f"load {one} {five} {fifteen} on {n} CPU",
        )
    ]


def _clock(sample: HostSample, settings: HostSettings) -> list[Finding]:
    if sample.clock_skew_seconds is None:
        return []
    skew = round(abs(sample.clock_skew_seconds), 3)
    limits = settings.thresholds.time_skew_seconds
    severity = grade(skew, limits)
    return [
        Finding(
            "host",
            "time_skew",
            sample.host.name,
            skew,
            "s",
            describe(limits, "s"),
            severity,
            "时钟偏差：检查 NTP/chrony 同步；签名与上传依赖准确时间。 Clock skew: check NTP / chrony; signing and uploads need the right time."
            if severity != "ok"
            else "正常 ok",
            f"remote - local = {sample.clock_skew_seconds:+.3f}s",
        )
    ]


def _services(sample: HostSample) -> list[Finding]:
    out = []
    for name, result in sample.services.items():
        active = result.ok
        out.append(
            Finding(
                "host",
                "service",
                f"{sample.host.name}:{name}",
                1 if active else 0,
                "",
                "active",
                "ok" if active else "critical",
                "正常 ok"
                if active
                else "服务未运行：查看服务日志后重启（systemctl status / journalctl）。 Service not active: read its log, then restart it.",
                "" if active else (result.stderr or result.stdout)[:200],
            )
        )
    return out


def clock_skew(remote_epoch_text: str, sent_at: float, received_at: float) -> float:
    """Remote clock minus local clock, taking the local midpoint of the round trip."""
    return float(remote_epoch_text.strip()) - (sent_at + received_at) / 2
