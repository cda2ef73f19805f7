"""The GraphQL schema: types from the model, reads, writes, analyses and their guards."""
