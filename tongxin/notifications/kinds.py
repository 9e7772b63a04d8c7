"""Event kinds: what can be notified, its Chinese name, its message template, its default channels.

Each kind has one template, `notifications/kinds/<code>.txt`, translatable like any other. Its
first non-empty line is the title; the rest is the body. Other apps register their own kinds
(`register(Kind(...))`, e.g. from their AppConfig.ready) and ship the template in their own
templates folder under the same path.
"""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Channel:
    """Channels besides the in-app inbox, which every notification always reaches."""

    SMS = "sms"
    ROBOT = "robot"

    CHOICES = ((SMS, _("短信")), (ROBOT, _("工作群机器人")))
    ALL = frozenset({SMS, ROBOT})


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise
    default_channels: frozenset[str] = field(default_factory=frozenset)
    # Internal kinds reach the inbox only, whatever the preferences say (a report about a failed
    # delivery must not itself go out through the channel that is failing).
    internal: bool = False

    @property
    def template(self) -> str:
        return f"notifications/kinds/{self.code}.txt"


_REGISTRY: dict[str, Kind] = {}


class UnknownKind(KeyError):
    pass


def register(kind: Kind) -> Kind:
    _REGISTRY[kind.code] = kind
    return kind


def get(code: str) -> Kind:
    try:
        return _REGISTRY[code]
    except KeyError:
        raise UnknownKind(code) from None


def all_kinds(*, include_internal: bool = False) -> list[Kind]:
    return [k for k in _REGISTRY.values() if include_internal or not k.internal]


def label_of(code: str) -> str | Promise:
    kind = _REGISTRY.get(code)
    return kind.label if kind else code


ROBOT_AND_SMS = frozenset({Channel.ROBOT, Channel.SMS})
ROBOT_ONLY = frozenset({Channel.ROBOT})

register(Kind("zone_designated", _("划定风险区域"), ROBOT_AND_SMS))
register(Kind("zone_lifted", _("解除或调整风险区域"), ROBOT_ONLY))
register(Kind("directive_issued", _("新指令"), ROBOT_AND_SMS))
register(Kind("directive_task_assigned", _("指令任务分派"), frozenset({Channel.SMS})))
register(Kind("directive_overdue", _("指令逾期提醒"), ROBOT_AND_SMS))
register(Kind("directive_escalated", _("指令逾期上报"), frozenset({Channel.SMS})))
register(Kind("delivery_failed", _("消息发送失败"), internal=True))
