"""Stock watch (号段库存预警) and audit deadlines (审验期限提醒)."""
