"""newsrag's question-answering core: settings, schema, store, retrieval, answers, citations.

Importable without FastAPI or Slack; the ways in live in ``api/``.
"""
