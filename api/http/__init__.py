"""The HTTP app: turns a request (token, body, limits) into a call of the GraphQL schema."""
