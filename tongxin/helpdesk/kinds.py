"""The help platform's notification kinds (templates in templates/notifications/kinds/)."""

from django.utils.translation import gettext_lazy as _

from tongxin.notifications.kinds import Channel, Kind, register

ROBOT_AND_SMS = frozenset({Channel.ROBOT, Channel.SMS})
SMS_ONLY = frozenset({Channel.SMS})

# To the teams and the command post.
register(Kind("request_dispatched", _("求助工单转办"), ROBOT_AND_SMS))
register(Kind("request_reopened", _("求助工单重新办理"), ROBOT_AND_SMS))
register(Kind("request_overdue", _("求助工单超时提醒"), ROBOT_AND_SMS))
register(Kind("request_escalated", _("求助工单超时上报"), SMS_ONLY))
# To the person who asked (by phone number: they have no account).
register(Kind("request_received", _("求助受理短信（居民）"), SMS_ONLY))
register(Kind("request_closed", _("求助办结短信（居民）"), SMS_ONLY))
