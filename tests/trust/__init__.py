"""Trust tests: keys and roles, limits, fuzzing, crashes, operations, concurrency.

A package, so that its module names (test_concurrency) do not collide with other folders'.
"""
