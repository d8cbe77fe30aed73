-- Archives built but not yet released (or found damaged): the release step takes them up again.
SELECT archive_path, period, status
FROM yearend_layout_archive
WHERE layout_root = :layout_root
  AND status IN ('built', 'reused', 'corrupt')
ORDER BY archive_path
