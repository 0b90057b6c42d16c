"""Great Expectations suites, built in code, one module per layer."""
