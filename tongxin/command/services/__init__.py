"""The command picture: figures composed from the modules' registry, the daily report, the
incident's timeline (大事记) and public notices (通告)."""
