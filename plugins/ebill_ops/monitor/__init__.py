"""Interface monitor (接口监控): success rate, latency and error codes of every interface, and
delivery timeliness, per 15-minute slot, with the likely cause of a breach (local, network/remote
down, remote degraded)."""
