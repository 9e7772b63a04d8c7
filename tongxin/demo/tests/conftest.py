from io import StringIO

from django.core.management import call_command

# Residents shrink for speed; places, units and logins are the full demo whatever the scale.
TEST_SCALE = "0.05"


def load_demo(*extra: str) -> str:
    """Run `tongxin demo --no-serve` at the test scale; the command's output."""
    out = StringIO()
    call_command("demo", "--no-serve", "--scale", TEST_SCALE, *extra, stdout=out)
    return out.getvalue()
