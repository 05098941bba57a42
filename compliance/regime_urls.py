"""The notification regimes' pages (included from bcp_portal.urls)."""

from django.urls import path

from compliance import regime_views

app_name = "regimes"

urlpatterns = [
    path("compliance/regimes/", regime_views.regime_list, name="list"),
    path("compliance/regimes/<slug:key>/", regime_views.regime_detail, name="detail"),
    path("compliance/regimes/<slug:key>/change/", regime_views.regime_change, name="change"),
]
