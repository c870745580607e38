"""The ways into newsrag: the command line, the HTTP API, the chat widget and the Slack bot."""
