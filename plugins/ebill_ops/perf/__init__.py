"""Performance advisor (性能优化建议): weekly top SQL, stale statistics, bloat, index hints and slow
interfaces, each a finding with advice. Reads only; writes nothing but its own ebops rows."""
