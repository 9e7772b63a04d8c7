"""Staff pages of the help platform (mounted at /helpdesk/)."""

from django.urls import path

from tongxin.helpdesk.views import staff

app_name = "helpdesk"

urlpatterns = [
    path("", staff.index, name="index"),
    path("queue/", staff.queue, name="queue"),
    path("follow-ups/", staff.follow_ups, name="follow_ups"),
    path("team/", staff.my_team, name="team"),
    path("teams/<int:unit_id>/", staff.team, name="team_of"),
    path("area/", staff.area, name="area"),
    path("county/", staff.county, name="county"),
    path("stats/", staff.figures, name="stats"),
    path("new/", staff.new, name="new"),
    path("lookup/", staff.lookup, name="lookup"),
    path("suggest/", staff.suggest_priority, name="suggest"),
    path("imports/", staff.import_list, name="imports"),
    path("imports/<int:pk>/", staff.import_detail, name="import"),
    path("imports/<int:pk>/problems.csv", staff.import_problems, name="import_problems"),
    path("rules/", staff.rules, name="rules"),
    path("r/<str:number>/", staff.request_detail, name="detail"),
    path("r/<str:number>/triage/", staff.do_triage, name="triage"),
    path("r/<str:number>/dispatch/", staff.do_dispatch, name="dispatch"),
    path("r/<str:number>/claim/", staff.do_claim, name="claim"),
    path("r/<str:number>/contact/", staff.do_contact, name="contact"),
    path("r/<str:number>/note/", staff.do_note, name="note"),
    path("r/<str:number>/close/", staff.do_close, name="close"),
    path("r/<str:number>/follow-up/", staff.do_follow_up, name="follow_up"),
    path("r/<str:number>/reopen/", staff.do_reopen, name="reopen"),
    path("r/<str:number>/return/", staff.do_return, name="return"),
    path("r/<str:number>/merge/", staff.do_merge, name="merge"),
    path("r/<str:number>/not-duplicate/", staff.do_not_duplicate, name="not_duplicate"),
    path("r/<str:number>/reveal/<str:field>/", staff.reveal, name="reveal"),
]
