"""The service's edge in rooms: cli → http → graphql → shared (auth, audit).

graph, analysis and loaders never import it (tests/test_layers.py).
"""
