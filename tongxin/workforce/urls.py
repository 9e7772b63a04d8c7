from django.urls import path

from tongxin.workforce import manage_views, views

app_name = "workforce"
urlpatterns = [
    path("", views.coverage_page, name="coverage"),
    path("me/", views.my_shifts, name="me"),
    path("me/check/", views.my_check, name="check"),
    path("suggest/", views.suggest_page, name="suggest"),
    path("volunteers/", views.volunteers, name="volunteers"),
    path("volunteers/<int:pk>/verify/", views.verify_volunteer, name="verify"),
    path("members/<int:pk>/", manage_views.member_edit, name="member"),
    path("members/<int:pk>/account/", manage_views.member_account, name="member_account"),
    path("members/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("branches/", views.branches, name="branches"),
    path("branches/new/", manage_views.branch_new, name="branch_new"),
    path("branches/<int:pk>/", manage_views.branch_detail, name="branch"),
    path("branches/<int:pk>/members/", manage_views.branch_members, name="branch_members"),
    path("branches/<int:pk>/activities/", manage_views.branch_activity, name="branch_activity"),
    path("branches/<int:pk>/dissolve/", manage_views.branch_dissolve, name="branch_dissolve"),
    path("teams/", views.teams, name="teams"),
    path("teams/new/", manage_views.team_new, name="team_new"),
    path("teams/<int:pk>/", manage_views.team_detail, name="team"),
    path("teams/<int:pk>/members/", manage_views.team_add_member, name="team_add_member"),
    path("teams/<int:pk>/import/", manage_views.team_import, name="team_import"),
    path("teams/<int:pk>/demobilise/", manage_views.team_demobilise, name="team_demobilise"),
    path("organisations/", manage_views.organisations, name="organisations"),
    path("organisations/<int:pk>/", manage_views.organisation_detail, name="organisation"),
    path("posts/", manage_views.posts, name="posts"),
    path("posts/new/", manage_views.post_new, name="post_new"),
    path("posts/<int:pk>/", manage_views.post_detail, name="post"),
    path("posts/<int:pk>/shifts/", manage_views.shift_new, name="shift_new"),
    path("posts/<int:pk>/sign/", manage_views.post_sign, name="post_sign"),
    path("shifts/<int:pk>/", manage_views.shift_detail, name="shift"),
    path("shifts/<int:pk>/assign/", manage_views.shift_assign, name="shift_assign"),
    path("shifts/<int:pk>/demand/", manage_views.shift_demand, name="shift_demand"),
    path("assignments/<int:pk>/remove/", manage_views.assignment_remove, name="unassign"),
]
