"""The graph: model, schema, named queries and the stores behind one seam."""
