"""The names the bundled policy editions use, marked for translation.

Editions are data (data/policy_editions.json), so their Chinese names never pass through
gettext in code; listing them here puts them in the catalogue, and the places that show a name
translate it. A county's own edition with other names simply shows them as written.
"""

from django.utils.translation import gettext_noop

BUNDLED_NAMES = (
    gettext_noop("封控区"),
    gettext_noop("管控区"),
    gettext_noop("防范区"),
    gettext_noop("高风险区"),
    gettext_noop("中风险区"),
    gettext_noop("低风险区"),
    gettext_noop("新型冠状病毒肺炎防控方案（第八版）"),
    gettext_noop("新型冠状病毒肺炎防控方案（第九版）"),
)
