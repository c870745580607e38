"""The HTTP API and the chat widget: the app factory, its middleware, dependencies and routes."""
