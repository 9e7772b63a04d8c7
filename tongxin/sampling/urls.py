from django.urls import path

from tongxin.sampling import views

app_name = "sampling"
urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/<int:round_id>/", views.round_home, name="round"),
    path("rounds/<int:round_id>/points/<int:point_id>/", views.point_page, name="point"),
    path("rounds/<int:round_id>/points/<int:point_id>/lookup/", views.lookup, name="lookup"),
    path(
        "rounds/<int:round_id>/points/<int:point_id>/walk-in/",
        views.complete_walk_in,
        name="complete_walk_in",
    ),
    path("rounds/<int:round_id>/coverage/", views.coverage_page, name="coverage"),
    path("rounds/<int:round_id>/coverage.json", views.coverage_json, name="coverage_json"),
    path("rounds/<int:round_id>/untested/<int:place_id>/", views.untested_page, name="untested"),
    path("rounds/<int:round_id>/recalls/", views.recall_list, name="recalls"),
    path("rounds/<int:round_id>/door/", views.door_tasks, name="door"),
    path("rounds/<int:round_id>/door/teams/<int:team_id>/", views.team_worklist, name="team"),
    path("rounds/<int:round_id>/door/<int:task_id>/sample/", views.door_sample, name="door_sample"),
    path("recalls/<int:pk>/", views.recall_detail, name="recall"),
    path("positives/", views.positives, name="positives"),
    path("boxes/", views.boxes, name="boxes"),
    path("boxes/<int:pk>/", views.box_detail, name="box"),
    path("results/", views.results_page, name="results"),
    path("walk-ins/", views.walk_ins, name="walk_ins"),
]
