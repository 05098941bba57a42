"""The what-if deadline planner (issue #11 item 9)."""

from django.urls import path

from compliance import planner_views

app_name = "planner"

urlpatterns = [
    path("compliance/planner/", planner_views.planner, name="planner"),
]
