"""The Wallmonitor dashboard's shared code: one session, one query module, one filter sidebar."""
