"""Where documents come from: files and directories, feeds (RSS, Atom, JSON Feed), sitemaps, OPML,
single pages (with feed discovery) and WARC archives, each read into listings or documents.
"""
