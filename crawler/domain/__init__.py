"""The handful of values and errors every layer shares: articles, stories, time zones and dates, errors."""
