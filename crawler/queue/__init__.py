"""Scale-out mode on PostgreSQL: Procrastinate jobs `crawl(source)` run by any number of workers on
any number of machines, deferred by schedulers; the crawling itself is crawler/crawl's runner."""
