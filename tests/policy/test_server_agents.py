"""The web-server snippets refuse the crawlers by their real User-Agent headers and never a
browser: the list's ``Code`` agent is left to robots.txt, as VS Code sends ``Code/1.x``."""

from __future__ import annotations

import re

import pytest

from optout.policy.compilers import SignalBundle, compile_bundle
from optout.policy.compilers.servers import BROWSER_USER_AGENTS
from optout.policy.services.agents import agent_registry
from tests.policy.cases import FACTS, default_policy

pytestmark = pytest.mark.django_db

# User-Agent headers as the crawlers send them (their operators' documentation, as
# summarised in the ai-robots-txt list and its sources).
CRAWLERS = {
    "GPTBot": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
    "+https://openai.com/gptbot)",
    "ChatGPT-User": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; "
    "ChatGPT-User/1.0; +https://openai.com/bot",
    "ClaudeBot": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; "
    "+claudebot@anthropic.com)",
    "CCBot": "CCBot/2.0 (https://commoncrawl.org/faq/)",
    "Bytespider": "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
    "AI2Bot": "Mozilla/5.0 (compatible) AI2Bot (+https://www.allenai.org/crawler)",
    "PerplexityBot": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
    "PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)",
}
SEARCH = {
    "Googlebot": "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Bingbot": "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
    "+http://www.bing.com/bingbot.htm) Chrome/131.0.0.0 Safari/537.36",
}
VS_CODE_VERSIONS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Code/1.95.3 Chrome/128.0.6613.186 Electron/32.2.6 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Code/1.101.0 Chrome/134.0.6998.205 Electron/35.5.1 Safari/537.36",
)
_RULES = {
    "nginx/optout-maps.conf": re.compile(r'^\s*"~\*(.+)" 1;$', re.MULTILINE),
    "apache/optout.conf": re.compile(
        r'^\s*BrowserMatchNoCase "(.+)" optout_blocked_agent$', re.MULTILINE
    ),
    "caddy/optout.caddy": re.compile(r"^\s*header_regexp User-Agent `\(\?i\)(.+)`$", re.MULTILINE),
}


def _refuses(bundle: SignalBundle, file: str, user_agent: str) -> bool:
    patterns = [p.replace('\\"', '"') for p in _RULES[file].findall(bundle[file])]
    assert patterns, file
    return any(re.search(p, user_agent, re.IGNORECASE) for p in patterns)


@pytest.fixture
def bundle() -> SignalBundle:
    return compile_bundle(default_policy(), FACTS, agent_registry())


@pytest.mark.parametrize("file", sorted(_RULES))
def test_each_server_refuses_the_crawlers_by_their_real_user_agents(
    bundle: SignalBundle, file: str
) -> None:
    for token, header in CRAWLERS.items():
        assert _refuses(bundle, file, header), (file, token)
    for token, header in SEARCH.items():
        assert not _refuses(bundle, file, header), (file, token)


@pytest.mark.parametrize("file", sorted(_RULES))
def test_no_server_refuses_a_browser(bundle: SignalBundle, file: str) -> None:
    browsers = [*BROWSER_USER_AGENTS.items(), *(("VS Code", ua) for ua in VS_CODE_VERSIONS)]
    for browser, header in browsers:
        assert not _refuses(bundle, file, header), (file, browser)


def test_code_is_refused_in_robots_txt_only(bundle: SignalBundle) -> None:
    assert bundle.robots_txt_only == ("Code",)
    assert "\nUser-agent: Code\n" in bundle["robots.txt"]
    assert "Code" not in bundle.server_rules_only
    # An agent no robots.txt token names is the other way round.
    assert "AI2Bot" in bundle.unnamed_in_robots
    assert "User-agent: AI2Bot" not in bundle["robots.txt"]
