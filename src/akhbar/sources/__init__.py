"""Where documents come from: local files and directories now; feeds, sitemaps and WARC later."""
