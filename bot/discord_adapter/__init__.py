"""The Discord adapter: the only package that imports `discord` (discord.py 2.7).

Slash commands, buttons and modals parse an interaction, call the QuizService and render its
result as Markdown embeds; `DiscordSender` is the broadcast's Sender. No quiz rule lives here.
"""
