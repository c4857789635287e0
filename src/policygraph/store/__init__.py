"""Stage 5, store: the only stage that writes. Files here; Neo4j loading comes later."""
