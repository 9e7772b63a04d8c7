"""Sampling's business rules: recording samples, door-to-door tasks, handover, results,
recalls and coverage. Views, the API, commands and the demo call these modules."""
