"""`pantau web`: the browser surface and REST API over the store, a process apart from the daemon.

It reads and writes only through crawler/store/ ("run now" is a run request the daemon claims), so it
can restart without touching crawls. htmx (static/htmx.min.js, 2.0.4 from the npm registry, BSD
Zero-Clause licence beside it) is shipped with the package: no CDN, no build step.
"""
