"""linkchecker's own command, run by tests/test_links.py, with two changes that alter nothing it reports.

- Run as root it switches to user nobody, who cannot read a checkout in a private folder (mktemp -d) or the lazily
  loaded files of its own virtualenv there. The check is offline and local, so it runs as whoever runs the tests, as
  it already does for every non-root user.
- With the AnchorCheck plugin every ``page#fragment`` is a URL of its own, and linkchecker parses the page again for
  each one: the Data appendix (about 1.4 MB, linked from the chapters at some 80 rows per edition) took most of five
  minutes. A page's bytes are parsed once, and its anchors collected once; each fragment is still checked against them.
"""

import functools
import sys

import linkcheck.command.linkchecker as cli
from linkcheck.htmlutil import htmlsoup
from linkcheck.plugins import anchorcheck

cli.drop_privileges = lambda: None

htmlsoup.make_soup = functools.lru_cache(maxsize=64)(htmlsoup.make_soup)  # the soup is only read, never changed

_anchors_of: dict[int, tuple[object, list]] = {}  # id(soup) → (soup, its anchors); the soup is held so its id stays its


def _check_anchor(self, url_data) -> None:
    soup = url_data.get_soup()
    if id(soup) not in _anchors_of:
        found = anchorcheck.UrlAnchorCheck()
        anchorcheck.linkparse.find_links(soup, found.add_anchor, anchorcheck.linkparse.AnchorTags)
        _anchors_of[id(soup)] = (soup, found.anchors)
    check = anchorcheck.UrlAnchorCheck()
    check.anchors = _anchors_of[id(soup)][1]
    check.check_anchor(url_data)


anchorcheck.AnchorCheck.check = _check_anchor

if __name__ == "__main__":
    sys.argv[0] = "linkchecker"
    sys.exit(cli.linkchecker())
