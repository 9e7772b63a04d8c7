"""A full-width colon written between template tags shows in the English pages too ("Lifted：");
it belongs inside the translated string ("负责：" → "Serves: ") (issue 8, item 13)."""

import re
from pathlib import Path

from django.template.utils import get_app_template_dirs

BLOCKS = re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", re.S)
TRANSLATED = re.compile(r"""{%\s*translate\s+(".*?"|'.*?')[^%]*%}""")
COMMENTS = re.compile(r"{#.*?#}", re.S)


def test_no_full_width_colon_outside_translated_strings() -> None:
    offenders = []
    for folder in get_app_template_dirs("templates"):
        if "tongxin" not in str(folder):
            continue
        for path in Path(folder).rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            bare = COMMENTS.sub("", TRANSLATED.sub("", BLOCKS.sub("", text)))
            if "：" in bare:
                offenders.append(str(path))
    assert offenders == []
