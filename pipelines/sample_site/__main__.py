"""`python -m pipelines.sample_site --port 8000`: serve the sample portal until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from .server import SampleSite


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines.sample_site",
                                     description="Serve the sample Pure-like site on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8000, help="port (0 picks a free one)")
    parser.add_argument("--per-page", type=int, default=5, help="listing items per page")
    parser.add_argument("--synthetic", type=int, default=0,
                        help="add this many generated research outputs")
    args = parser.parse_args(argv)
    with SampleSite(port=args.port, per_page=args.per_page, synthetic=args.synthetic) as site:
        print(f"serving {len(site.slugs)} research outputs at {site.base_url}/ "
              f"(sitemap {site.base_url}/sitemap.xml); Ctrl-C stops", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
