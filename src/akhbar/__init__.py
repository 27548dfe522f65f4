"""akhbar: a self-hosted multilingual (Arabic, French, English) news aggregator and portal."""
