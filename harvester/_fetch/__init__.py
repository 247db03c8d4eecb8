"""Private pieces of harvester.http: the per-host gate, robots cache, retry policy, body reader.

Only harvester/http.py imports these; their names may change without notice.
"""
