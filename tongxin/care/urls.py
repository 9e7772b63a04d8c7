from django.urls import path

from tongxin.care import views

app_name = "care"
urlpatterns = [
    path("", views.registry, name="registry"),
    path("people/<int:pk>/", views.person_care, name="person"),
    path("people/<int:pk>/add/", views.add_need, name="add_need"),
    path("needs/<int:pk>/edit/", views.edit_need, name="edit_need"),
    path("needs/<int:pk>/end/", views.end_need, name="end_need"),
    path("runs/", views.run_list, name="runs"),
    path("runs/plan/", views.plan, name="plan"),
    path("runs/<int:pk>/", views.run_detail, name="run"),
    path("runs/<int:pk>/manifest/", views.manifest, name="manifest"),
    path("stops/<int:pk>/", views.edit_stop, name="stop"),
    path("passengers/<int:pk>/slot/", views.book_slot, name="book_slot"),
    path("passengers/<int:pk>/call/", views.call, name="call"),
    path("passengers/<int:pk>/<slug:stage>/", views.check, name="check"),
    path("slots/", views.slot_board, name="slots"),
    path("slots/<int:pk>/capacity/", views.slot_capacity, name="slot_capacity"),
]
