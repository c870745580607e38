"""From sources (files, folders, feeds, URLs) to articles, chunks and the store."""
