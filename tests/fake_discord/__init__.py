"""A fake Discord (REST + gateway) for end-to-end tests of the real discord.py client."""

from tests.fake_discord.server import FakeDiscord
from tests.fake_discord.state import Fault, Guild, Interaction, Request, buttons, message_text

__all__ = ["FakeDiscord", "Fault", "Guild", "Interaction", "Request", "buttons", "message_text"]
