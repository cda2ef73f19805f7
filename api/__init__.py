"""The service's edge in rooms (cli → http → graphql → auth, audit); graph, analysis and loaders never import it."""
