"""quizbot: a daily quiz bot for Telegram, built on a YAML question bank."""
