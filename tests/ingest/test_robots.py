"""robots.txt rules as RFC 9309 defines them (wildcards, longest match, groups, status codes)."""

from __future__ import annotations

import pytest

from pipeline.ingest.robots import MAX_CRAWL_DELAY, parse_robots, policy_for_status, product_token

ROBOTS = """\
# a news site's robots.txt
User-agent: *
Disallow: /*/private/
Disallow: /search
Allow: /search/about$
Disallow: /*.pdf$
Disallow: /tag/
Allow: /tag/north-korea
Crawl-delay: 2

User-agent: newsclaims
User-agent: otherbot
Disallow: /archive/
Allow: /archive/2025/

User-agent: greedybot
Disallow: /
"""
UA = "newsclaims/0.1 (+https://example.org/about)"
OTHER = "Mozilla/5.0 (compatible; somebot/1.0)"


@pytest.mark.parametrize(
    ("agent", "path", "allowed"),
    [
        (OTHER, "/news/private/file.html", False),  # '*' matches any middle segment
        (OTHER, "/private/file.html", True),  # ... but not an empty one before '/private/'
        (OTHER, "/search?q=trucks", False),
        (OTHER, "/search/about", True),  # longer allow wins
        (OTHER, "/search/about/more", False),  # '$' anchors the end
        (OTHER, "/files/report.pdf", False),
        (OTHER, "/files/report.pdf?download=1", True),
        (OTHER, "/tag/north-korea-border", True),
        (OTHER, "/tag/china", False),
        (OTHER, "/robots.txt", True),
        (UA, "/news/private/file.html", True),  # our group replaces '*' entirely
        (UA, "/archive/2024/x", False),
        (UA, "/archive/2025/x", True),
        ("greedybot/2.0", "/anything", False),
        ("GreedyBot/2.0", "/anything", False),  # product tokens match case-insensitively
    ],
)
def test_robots_policy_allows_by_longest_match(agent: str, path: str, allowed: bool):
    assert parse_robots(ROBOTS, agent).allowed(f"https://news.example.org{path}") is allowed


def test_robots_policy_prefers_allow_on_equal_length_and_matches_percent_encoding():
    policy = parse_robots("User-agent: *\nDisallow: /caf\u00e9\nAllow: /page\nDisallow: /page\n", OTHER)
    assert not policy.allowed("https://x.example/caf%C3%A9/menu")
    assert policy.allowed("https://x.example/page")


def test_robots_crawl_delay_is_read_per_group_and_capped():
    assert parse_robots(ROBOTS, OTHER).crawl_delay == 2.0
    assert parse_robots(ROBOTS, UA).crawl_delay is None
    assert parse_robots("User-agent: *\nCrawl-delay: 86400\n", UA).crawl_delay == MAX_CRAWL_DELAY


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(200, False), (404, True), (403, True), (410, True), (429, False), (500, False), (503, False)],
)
def test_robots_status_codes_follow_rfc_9309(status: int, allowed: bool):
    policy = policy_for_status(status, "User-agent: *\nDisallow: /\n", UA)
    assert policy.allowed("https://x.example/article") is allowed


def test_robots_product_token_is_the_name_before_the_version():
    assert product_token(UA) == "newsclaims"
    assert product_token("MyCrawler") == "mycrawler"
