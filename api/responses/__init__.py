"""Response bodies: what each route answers, so the OpenAPI document describes every read.

Bodies whose keys are all always present are pydantic models; bodies folded from events, where
a key appears only once some event has set it (a round's ``duration_minutes``, a stream's
``disputes``), are TypedDicts with ``NotRequired`` keys, validated by pydantic all the same: an
absent key stays absent, so the JSON is exactly what the service builds.
"""
