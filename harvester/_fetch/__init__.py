"""Private pieces of harvester.http: the per-host gate, robots cache, retry policy, body
reader, what an answer means (answer.py, with the archive recorder hook), URL and
redirect checks, address safety and the connector's checked resolver.

Only harvester/http.py imports these; their names may change without notice.
"""
