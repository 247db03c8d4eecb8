"""The Scrapy side of bench/e2e.py: `scrapy runspider bench/_scrapy_spider.py -a sitemap=URL`.

Reads the same sitemap and extracts the fields the harvester's Pure parser
stores for these pages (title, authors, date, journal, pages, DOI, abstract,
keywords) with parsel CSS selectors, one item per page, into the feed given
with -o. No normalisation: Scrapy is given the easy version of the job.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scrapy.http import Response
from scrapy.spiders import SitemapSpider


def _row(response: Response, css_class: str) -> str | None:
    cell = response.css(f"table.properties tr.{css_class} td")
    text = " ".join(t.strip() for t in cell.css("*::text").getall() if t.strip())
    return text or None


class PureSpider(SitemapSpider):
    name = "pure"

    def __init__(self, sitemap: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sitemap_urls = [sitemap]

    def parse(self, response: Response) -> Iterator[dict[str, Any]]:
        persons = response.css("ul.relations.persons li")
        yield {
            "url": response.url,
            "title": response.css("div.introduction h1 span::text").get(),
            "authors": [" ".join(p.css("::text").getall()).lstrip(", ").strip()
                        for p in persons],
            "date": response.css("table.properties tr.status span.date::text").get(),
            "journal": response.css("table.properties tr.journal td a span::text").get(),
            "pages": _row(response, "pages"),
            "doi": response.css("ul.digital_object_identifiers a::attr(href)").get(),
            "abstract": " ".join(response.css("div.textblock p::text").getall()) or None,
            "keywords": response.css("ul.relations.keywords li span::text").getall(),
        }
