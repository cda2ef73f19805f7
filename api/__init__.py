"""GraphQL API, HTTP app and command line. Nothing imports this package."""
